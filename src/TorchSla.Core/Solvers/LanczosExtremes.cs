using System.Numerics;
using TorchSla.Kernels;
using TorchSla.Kernels.Memory;

namespace TorchSla.Solvers;

/// <summary>
/// Estimates of the smallest eigenvalue of a symmetric matrix by the Lanczos process without
/// reorthogonalisation (Lanczos 1950; Golub &amp; Van Loan, "Matrix Computations", 4th ed., §10.1):
/// m steps build the tridiagonal T_m = Q_mᵀ A Q_m, whose smallest eigenvalue (found by Sturm
/// bisection, G&amp;VL §8.4.1) is a Rayleigh quotient of A and so an upper bound of λ_min up to
/// rounding (Paige 1976: in floating point the Ritz values stay inside the spectrum up to
/// O(ε‖A‖) even when orthogonality is lost). Three vectors of memory; every step one SpMV,
/// two dots and two axpbys on the matrix's device.
/// </summary>
internal static class LanczosExtremes
{
    /// <summary>
    /// The smallest Ritz value after at most <paramref name="steps"/> steps, and the steps taken. The start vector is
    /// <paramref name="startVector"/> (not modified; e.g. made on the device) or, when null, a host pseudo-random one
    /// from <paramref name="seed"/>. With <paramref name="scaling"/> s the operator is S·A·S, S = diag(s), applied as
    /// w = s ∘ (A·(s ∘ q)): no scaled copy of A's values is made. With <paramref name="overwriteStart"/> the start vector is
    /// used as the first Lanczos vector and overwritten (no copy of it).
    /// </summary>
    public static (double MinRitz, double MaxRitz, int Steps) Estimate<T>(Backend be, CsrIndices a, Storage<T> values, int valOffset, int steps, int seed,
        Storage<T>? startVector = null, Storage<T>? scaling = null, bool overwriteStart = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = a.Rows;
        steps = Math.Min(steps, n);
        Storage<T> q;
        if (startVector is null)
        {
            var rng = new Random(seed);
            var start = new T[n];
            for (int i = 0; i < n; i++) start[i] = T.CreateTruncating(rng.NextDouble() - 0.5);
            q = be.Upload<T>(start);
        }
        else if (overwriteStart) q = startVector;
        else
        {
            q = be.AllocateScratch<T>(n);
            be.Copy(startVector, 0, q, 0, n);
        }
        // Scratch storage: the solve that follows usually wants vectors of this length (warm memory, HostArrays).
        var qPrev = be.AllocateScratch<T>(n);
        var w = be.AllocateScratch<T>(n);
        // The three vectors rotate (q_{j-1} ← q_j ← w): no copy per step. Whichever ends where is freed at the end.
        Storage<T>[] rotating = [q, qPrev, w];
        using var sq = scaling is null ? null : be.AllocateScratch<T>(n);
        var alpha = new List<double>();
        var beta = new List<double>();
        try
        {
            T nrm = T.Sqrt(be.Dot(q, 0, q, 0, n));
            be.Map(UnaryOp.Identity, T.One / nrm, q, 0, q, 0, n);
            T betaPrev = T.Zero;
            for (int j = 0; j < steps; j++)
            {
                if (scaling is null) be.SpMV(a, values, valOffset, q, 0, w, 0, T.One, T.Zero); // w = A q_j
                else
                {
                    be.Binary(BinaryOp.Multiply, scaling, 0, q, 0, sq!, 0, n);     // w = S A S q_j
                    be.SpMV(a, values, valOffset, sq!, 0, w, 0, T.One, T.Zero);
                    be.Binary(BinaryOp.Multiply, scaling, 0, w, 0, w, 0, n);
                }
                if (j > 0) be.Axpby(-betaPrev, qPrev, 0, T.One, w, 0, n);        // w -= β_{j-1} q_{j-1}
                T al = be.Dot(q, 0, w, 0, n);
                be.Axpby(-al, q, 0, T.One, w, 0, n);                            // w -= α_j q_j
                alpha.Add(double.CreateTruncating(al));
                T b = T.Sqrt(be.Dot(w, 0, w, 0, n));
                // Breakdown: the Krylov space is invariant, the Ritz values are eigenvalues.
                if (!(b > T.CreateTruncating(1e-14) * T.Abs(al)) || b == T.Zero) break;
                beta.Add(double.CreateTruncating(b));
                be.Map(UnaryOp.Identity, T.One / b, w, 0, w, 0, n);             // q_{j+1} = w / β_j
                (qPrev, q, w) = (q, w, qPrev);
                betaPrev = b;
            }
        }
        finally
        {
            foreach (var v in rotating) if (!ReferenceEquals(v, startVector)) v.Dispose();
        }
        int m = alpha.Count;
        var (lo, hi) = Gershgorin(alpha, beta, m);
        return (Bisect(alpha, beta, m, lo, hi, 0), Bisect(alpha, beta, m, lo, hi, m - 1), m);
    }

    private static (double Lo, double Hi) Gershgorin(List<double> a, List<double> b, int m)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        for (int i = 0; i < m; i++)
        {
            double r = (i > 0 ? Math.Abs(b[i - 1]) : 0) + (i < m - 1 ? Math.Abs(b[i]) : 0);
            lo = Math.Min(lo, a[i] - r); hi = Math.Max(hi, a[i] + r);
        }
        return (lo, hi);
    }

    /// <summary>The k-th smallest eigenvalue of the symmetric tridiagonal (a, b) by bisection on the Sturm count.</summary>
    private static double Bisect(List<double> a, List<double> b, int m, double lo, double hi, int k)
    {
        for (int it = 0; it < 200 && hi - lo > 1e-15 * Math.Max(Math.Abs(lo), Math.Abs(hi)); it++)
        {
            double mid = 0.5 * (lo + hi);
            if (CountBelow(a, b, m, mid) > k) hi = mid; else lo = mid;
        }
        return 0.5 * (lo + hi);
    }

    /// <summary>Number of eigenvalues below x: negative pivots of the LDLᵀ of T − xI (Sylvester's law of inertia).</summary>
    private static int CountBelow(List<double> a, List<double> b, int m, double x)
    {
        int count = 0;
        double d = 1;
        for (int i = 0; i < m; i++)
        {
            double bb = i > 0 ? b[i - 1] * b[i - 1] : 0;
            d = a[i] - x - (i > 0 ? bb / d : 0);
            if (d == 0) d = -1e-300; // a zero pivot: perturb (the standard guard of the Sturm count)
            if (d < 0) count++;
        }
        return count;
    }
}
