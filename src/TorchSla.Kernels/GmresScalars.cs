using System.Numerics;

namespace TorchSla.Kernels;

/// <summary>
/// The device-resident scalars of one GMRES(m)/FGMRES(m) cycle, in one block of <see cref="Length"/>(m) elements: the
/// Gram–Schmidt coefficients of both CGS2 passes, ‖w‖² after them, the upper-triangular factor R of the Hessenberg
/// matrix (column j rotated by the Givens rotations of columns 0 … j as it arrives), the rotations, the right-hand side
/// g = Qᵀ·β·e₁ and the residual estimate |g_{j+1}| of every step (Saad &amp; Schultz, SIAM J. Sci. Stat. Comput. 7 (1986)
/// 856–869; Saad, "Iterative Methods for Sparse Linear Systems", 2nd ed., §6.5.3). <see cref="Backend.ArnoldiColumn{T}"/>
/// updates it on the device after each step, so the host reads it back only every few steps (the status word, the stop
/// step and the estimates) and once at the end of the cycle (R and g for the triangular solve).
/// </summary>
/// <remarks>
/// Once the status is not <see cref="Active"/> the block is frozen: ArnoldiColumn leaves R, g and the estimates alone
/// and sets <see cref="Scale"/> to 0, so the normalisation writes zero basis vectors and the steps the host launched
/// before it looked (at most CheckEvery − 1) cannot bring NaN into the basis, or into x through it.
/// </remarks>
public static class GmresScalars
{
    /// <summary>Slot of the status word (<see cref="Active"/> or the code that ended the cycle).</summary>
    public const int Status = 0;
    /// <summary>Slot of the number of steps of the cycle whose columns are in R when it stopped (the stop step, 1-based).</summary>
    public const int StopStep = 1;
    /// <summary>Slot of the bound max(rtol·‖b‖, atol) the estimate |g_{j+1}| is compared with.</summary>
    public const int Bound = 2;
    /// <summary>Slot of ‖w‖² after the second Gram–Schmidt pass (written by <see cref="Backend.MultiAxpy{T}"/>).</summary>
    public const int NormSquared = 3;
    /// <summary>Slot of the factor the new basis vector is scaled by: 1/h_{j+1,j}, or 0 once the cycle stopped (1/β at the start).</summary>
    public const int Scale = 4;
    /// <summary>Slots before the per-cycle arrays.</summary>
    public const int Header = 8;

    /// <summary>The m + 1 coefficients V[0..j]ᵀ·w of the first Gram–Schmidt pass.</summary>
    public static int FirstPass(int m) => Header;
    /// <summary>The m + 1 coefficients of the second (reorthogonalisation) pass.</summary>
    public static int SecondPass(int m) => Header + (m + 1);
    /// <summary>g (m + 1 entries): β·e₁ rotated; |g_{j+1}| is the residual norm of the j + 1 step iterate.</summary>
    public static int G(int m) => Header + 2 * (m + 1);
    /// <summary>The m cosines of the Givens rotations.</summary>
    public static int Cosines(int m) => Header + 3 * (m + 1);
    /// <summary>The m sines of the Givens rotations.</summary>
    public static int Sines(int m) => Cosines(m) + m;
    /// <summary>The estimate |g_{j+1}| after step j (m entries), the residual history of the cycle.</summary>
    public static int Estimates(int m) => Sines(m) + m;
    /// <summary>R, column-major: r_ij at <c>R(m) + j·(m + 1) + i</c>.</summary>
    public static int R(int m) => Estimates(m) + m;
    /// <summary>Elements of the block for restart length <paramref name="m"/>.</summary>
    public static int Length(int m) => R(m) + (m + 1) * m;

    /// <summary>Status: iterating.</summary>
    public const int Active = 0;
    /// <summary>Status: |g_{j+1}| ≤ bound (the solver then forms x and checks the true residual).</summary>
    public const int Converged = 1;
    /// <summary>
    /// Status: h_{j+1,j} = 0 (or so small that 1/h overflows): the Krylov space is invariant, x of this cycle is exact.
    /// With h_{j+1,j} = 0 the estimate is 0 as well, so against a bound ≥ 0 the cycle reads <see cref="Converged"/>; either
    /// way it ends there and x is formed from its columns.
    /// </summary>
    public const int HappyBreakdown = 2;
    /// <summary>Status: NaN or ±∞ in the new column or the estimate.</summary>
    public const int NonFinite = 3;

    /// <summary>
    /// Step <paramref name="j"/>'s column of the least-squares problem, on whatever holds the block (one thread of a GPU or
    /// the calling CPU thread): h_{i,j} = first + second pass coefficient (CGS2 sums both, Giraud et al. 2005),
    /// h_{j+1,j} = √‖w‖², the earlier rotations applied, the rotation that zeroes h_{j+1,j}, g updated, the estimate stored,
    /// then the status (non-finite, converged, happy breakdown) and the scale of the new basis vector.
    /// <paramref name="codes"/>[c] = c (status codes as values of T), <paramref name="stopStep"/> = j + 1.
    /// </summary>
    internal static void Column<T, TS>(TS s, TS codes, int m, int j, T stopStep)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarSlots<T>
    {
        if (s.Get(Status) != T.Zero) { s.Set(Scale, T.Zero); return; }
        int c1 = FirstPass(m), c2 = SecondPass(m), col = R(m) + j * (m + 1), cs = Cosines(m), sn = Sines(m), g = G(m);
        for (int i = 0; i <= j; i++) s.Set(col + i, s.Get(c1 + i) + s.Get(c2 + i));
        T hNext = T.Sqrt(s.Get(NormSquared));
        for (int i = 0; i < j; i++)
        {
            T a = s.Get(col + i), b = s.Get(col + i + 1), c = s.Get(cs + i), si = s.Get(sn + i);
            s.Set(col + i, c * a + si * b);
            s.Set(col + i + 1, c * b - si * a);
        }
        T diag = s.Get(col + j);
        T d = Hypot(diag, hNext);
        T cj = d == T.Zero ? T.One : diag / d, sj = d == T.Zero ? T.Zero : hNext / d;
        s.Set(cs + j, cj); s.Set(sn + j, sj);
        s.Set(col + j, d);
        T gj = s.Get(g + j);
        T gNext = -sj * gj;
        s.Set(g + j + 1, gNext);
        s.Set(g + j, cj * gj);
        T estimate = T.Abs(gNext);
        s.Set(Estimates(m) + j, estimate);
        T inverse = T.One / hNext;
        int code = !CgScalars.IsFinite(estimate) || !CgScalars.IsFinite(d) || !CgScalars.IsFinite(hNext) ? NonFinite
            : estimate <= s.Get(Bound) ? Converged
            : hNext == T.Zero || !CgScalars.IsFinite(inverse) ? HappyBreakdown
            : Active;
        if (code == Active) { s.Set(Scale, inverse); return; }
        s.Set(Status, codes.Get(code));
        s.Set(StopStep, stopStep);
        s.Set(Scale, T.Zero);
    }

    /// <summary>√(a² + b²) without overflow or underflow (scaled by the larger magnitude); NaN in, NaN out.</summary>
    private static T Hypot<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T x = T.Abs(a), y = T.Abs(b);
        T big = x > y ? x : y, small = x > y ? y : x;
        if (big == T.Zero) return T.Zero;
        T q = small / big;
        return big * T.Sqrt(T.One + q * q);
    }
}

/// <summary>Element access to a scalar block, so that one routine (<see cref="GmresScalars.Column{T, TS}"/>) serves a host array and a GPU view.</summary>
internal interface IScalarSlots<T> where T : unmanaged
{
    T Get(int i);
    void Set(int i, T value);
}

/// <summary>A scalar block in host memory (the CPU backend's "device").</summary>
internal readonly struct ArraySlots<T>(T[] array) : IScalarSlots<T> where T : unmanaged
{
    public T Get(int i) => array[i];
    public void Set(int i, T value) => array[i] = value;
}
