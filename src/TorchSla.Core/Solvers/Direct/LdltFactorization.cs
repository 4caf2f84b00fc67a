using System.Diagnostics;
using System.Numerics;

namespace TorchSla.Solvers.Direct;

/// <summary>
/// Supernodal multifrontal LDLᵀ factorization P·A·Pᵀ ≈ L·D·Lᵀ of a symmetric (possibly indefinite)
/// matrix with <b>static pivoting</b>: no row/column interchanges are made after the fill-reducing
/// ordering; a pivot with |d_j| &lt; τ = √ε·max|a_ij| is replaced by sign(d_j)·τ (Li &amp; Demmel 1998),
/// and every solve is followed by iterative refinement x ← x + F⁻¹(b − A·x) until the componentwise
/// backward error stops decreasing (Arioli, Demmel &amp; Duff 1989). D is diagonal (1×1 pivots only).
/// With no perturbed pivot the factorization is exact and det A = Π d_j.
/// Created by <see cref="SparseTensor{T}.Ldlt"/>.
/// </summary>
/// <typeparam name="T">Element type (double or float); the factor is float64.</typeparam>
public sealed class LdltFactorization<T> : SparseFactorization<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SupernodalSymbolic _symbolic;
    private readonly SparsePattern _pattern;
    private const double MachineEpsilon = 2.220446049250313e-16;
    private MultifrontalFactor[] _factors;
    private double[] _values;

    internal LdltFactorization(SparseTensor<T> a, CholeskyOrdering ordering)
        : base(a.Rows, a.BatchShape)
    {
        _pattern = a.Pattern;
        var values = ValuesOf(a);
        var sw = Stopwatch.StartNew();
        _symbolic = SupernodalSymbolic.Analyze(a.Pattern, ordering);
        AnalyzeSeconds = sw.Elapsed.TotalSeconds;
        _factors = []; _values = [];
        RefactorValues(values);
    }

    /// <summary>The fill-reducing ordering used.</summary>
    public CholeskyOrdering Ordering => _symbolic.Ordering;

    /// <summary>The permutation p of P·A·Pᵀ (a copy).</summary>
    public int[] Permutation => (int[])_symbolic.Perm.Clone();

    /// <summary>Stored entries of L (unit diagonal stored; amalgamation zeros included).</summary>
    public override long NnzFactor => _symbolic.NnzLStored;

    /// <summary>Floating-point operations of one numeric factorization.</summary>
    public override double Flops => _symbolic.Flops;

    /// <summary>
    /// A solve whose componentwise backward error stays above this after refinement, with perturbed pivots, throws
    /// <see cref="NotConvergedException"/> (default 1e-10).
    /// </summary>
    public double AcceptableBackwardError { get; set; } = 1e-10;

    /// <summary>Most refinement steps per solve (default 10); 0 turns refinement off.</summary>
    public int MaxRefinementSteps { get; set; } = 10;

    /// <summary>Pivots of matrix <paramref name="batchIndex"/> that static pivoting replaced by ±τ (0: the factorization is exact).</summary>
    public int PerturbedPivots(int batchIndex = 0) { ThrowIfDisposed(); return _factors[batchIndex].Perturbed; }

    /// <summary>Componentwise backward error max_i |b − A·x|_i / (|A|·|x| + |b|)_i of the last solve.</summary>
    public double LastBackwardError { get; private set; }

    /// <summary>Number of eigenvalues of A that are negative (Sylvester's law of inertia: the count of d_j &lt; 0), exact when no pivot was perturbed.</summary>
    public int NegativeEigenvalues(int batchIndex = 0)
    {
        ThrowIfDisposed();
        int c = 0;
        foreach (double d in _factors[batchIndex].D!) if (d < 0) c++;
        return c;
    }

    private protected override SparsePattern AnalysedPattern => _pattern;

    private protected override void RefactorValues(double[] values)
    {
        var sw = Stopwatch.StartNew();
        int nnz = _pattern.Nnz;
        var f = new MultifrontalFactor[BatchSize];
        for (int b = 0; b < BatchSize; b++)
        {
            var v = new ReadOnlySpan<double>(values, b * nnz, nnz);
            double amax = 0;
            foreach (double x in v) amax = Math.Max(amax, Math.Abs(x));
            double tau = Math.Sqrt(MachineEpsilon) * amax;
            f[b] = MultifrontalFactor.Factor(_symbolic, v, true, tau);
        }
        _factors = f; _values = values;
        FactorSeconds = sw.Elapsed.TotalSeconds;
    }

    private protected override void SolveInPlace(int batchIndex, Span<double> x, bool transpose)
    {
        int n = N, nnz = _pattern.Nnz;
        var work = new double[n];
        var b = x.ToArray();
        var fac = _factors[batchIndex];
        fac.Solve(x, work);
        var rp = _pattern.RowPtr; var ci = _pattern.ColInd;
        var v = new ReadOnlySpan<double>(_values, batchIndex * nnz, nnz);
        var r = new double[n];
        double bestOmega = double.PositiveInfinity;
        var best = x.ToArray();
        for (int step = 0; ; step++)
        {
            // r = b − A·x and the componentwise backward error ω = max |r_i| / (|A|·|x| + |b|)_i.
            double omega = 0;
            for (int i = 0; i < n; i++)
            {
                double s = b[i], den = Math.Abs(b[i]);
                for (int q = rp[i]; q < rp[i + 1]; q++) { double t = v[q] * x[ci[q]]; s -= t; den += Math.Abs(t); }
                r[i] = s;
                if (den > 0) omega = Math.Max(omega, Math.Abs(s) / den);
                else if (s != 0) omega = double.PositiveInfinity;
            }
            if (!(omega < bestOmega)) break;           // no progress: keep the best iterate
            bool fast = omega < 0.5 * bestOmega;
            bestOmega = omega;
            x.CopyTo(best);
            if (step >= MaxRefinementSteps || omega <= MachineEpsilon || (step > 0 && !fast)) break;
            fac.Solve(r, work);
            for (int i = 0; i < n; i++) x[i] += r[i];
        }
        best.CopyTo(x);
        LastBackwardError = bestOmega;
        // Static pivoting can leave perturbations that refinement cannot repair (a structurally zero pivot, as in
        // KKT matrices): say so rather than return a wrong x.
        if (fac.Perturbed > 0 && !(bestOmega <= AcceptableBackwardError))
            throw new NotConvergedException(
                $"LDLᵀ with static pivoting did not reach a small backward error: ω = {bestOmega:g3} after refinement, {fac.Perturbed} of {n} pivots " +
                $"were perturbed (|d| < τ); this matrix needs 2×2 or delayed pivoting, which this factorization does not do — use Lu()", MaxRefinementSteps, bestOmega);
    }

    private protected override (double LogAbsDet, int Sign) LogDeterminant(int batchIndex) => _factors[batchIndex].LogDeterminant();

    private protected override double[] SelectedInverseTranspose(int batchIndex)
    {
        var f = _factors[batchIndex];
        if (f.Perturbed > 0)
            throw new InvalidOperationException(
                $"LDLᵀ with static pivoting perturbed {f.Perturbed} of {N} pivots of matrix {batchIndex}: its factors are those of a nearby matrix, so the entries of its inverse (and its determinant) are not A's; use Lu()");
        return SupernodalSelectedInverse.OnPattern(_symbolic, SupernodalSelectedInverse.Compute(f), _pattern);
    }

    private protected override void ReleaseFactors() { _factors = []; _values = []; }

    /// <summary>L (unit lower triangular, compressed columns, ordered numbering) and D of matrix <paramref name="batchIndex"/>: P·A·Pᵀ = L·D·Lᵀ when no pivot was perturbed.</summary>
    public (int[] ColumnPointers, int[] RowIndices, double[] Values, double[] D) GetFactor(int batchIndex = 0)
    {
        ThrowIfDisposed();
        if ((uint)batchIndex >= (uint)BatchSize) throw new ArgumentOutOfRangeException(nameof(batchIndex), $"batch index {batchIndex} is outside [0, {BatchSize})");
        var (cp, ri, v) = SupernodalLayout.ToCompressedColumns(_symbolic, _factors[batchIndex].L, unitDiagonal: true);
        return (cp, ri, v, (double[])_factors[batchIndex].D!.Clone());
    }
}
