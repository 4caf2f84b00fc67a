using System.Numerics;

namespace TorchSla.Kernels;

/// <summary>
/// The device-resident scalars of a conjugate-gradient solve, one block of
/// <see cref="Stride"/> elements per system: the fused primitives (<see cref="Backend.SpMVDot{T}"/>,
/// <see cref="Backend.CgUpdate{T}"/>, <see cref="Backend.CgDirection{T}"/>) read α = ρ/pᵀq and
/// β = ρ_new/ρ from here and write the new inner products back, so the host never waits for a
/// scalar inside the loop (Ginkgo's cg step_1/step_2 kernels keep ρ on the device the same way:
/// Anzt et al., "Ginkgo: a modern linear operator algebra framework", ACM TOMS 48 (2022)).
/// The solver reads the block back every few iterations (<c>SolveOptions.CheckEvery</c>): the
/// status word tells whether (and at which iteration) a system stopped, and the history ring
/// holds ‖r‖² of the iterations since the last read-back.
/// </summary>
/// <remarks>
/// A system whose status is not <see cref="Active"/> is frozen: the fused update leaves its x and r
/// alone, so iterations launched after it stopped (at most CheckEvery − 1 of them) are no-ops and
/// the iterate equals the one an every-iteration check would have returned.
/// </remarks>
public static class CgScalars
{
    /// <summary>Slot of the status word (0 = active, else the code that stopped the system).</summary>
    public const int Status = 0;
    /// <summary>Slot of the number of completed iterations when the system stopped.</summary>
    public const int StopIteration = 1;
    /// <summary>Slot of bound², bound = max(rtol·‖b‖, atol): ‖r‖² ≤ bound² stops the system as converged.</summary>
    public const int BoundSquared = 2;
    /// <summary>Slot of pᵀq = pᵀA·p.</summary>
    public const int Curvature = 3;
    /// <summary>Slot of ‖r‖² after the last update.</summary>
    public const int ResidualSquared = 4;
    /// <summary>The two slots ρ alternates between (ρ_k = rₖᵀzₖ in slot RhoA when k is even, RhoB when odd).</summary>
    public const int RhoA = 5, RhoB = 6;
    /// <summary>
    /// Slot of α_k when the x update is deferred (two-pass CG, <see cref="Backend.CgDirectionSpMVDot{T}"/>): the update
    /// x += α_k·p_k is applied by the next pass 1, which reads p_k anyway.
    /// </summary>
    public const int Alpha = 7;
    /// <summary>Slot of the iteration k whose α_k is in <see cref="Alpha"/> (−1 before the first): pass 1 of iteration k + 1 applies it.</summary>
    public const int AlphaIteration = 8;
    /// <summary>First slot of the history ring: ‖r_k‖² goes to slot History + (k − 1) mod (Stride − History).</summary>
    public const int History = 9;

    /// <summary>Elements per system for a history ring of <paramref name="historyLength"/> iterations.</summary>
    public static int Stride(int historyLength) => History + Math.Max(1, historyLength);

    /// <summary>Status: iterating.</summary>
    public const int Active = 0;
    /// <summary>Status: ‖r‖ ≤ bound by the recurrence (the solver then checks the true residual).</summary>
    public const int Converged = 1;
    /// <summary>Status: pᵀAp &lt; 0, A is not positive definite.</summary>
    public const int NegativeCurvature = 2;
    /// <summary>Status: pᵀAp = 0 (breakdown).</summary>
    public const int ZeroCurvature = 3;
    /// <summary>Status: NaN or ±∞ appeared in pᵀAp, ‖r‖² or ρ.</summary>
    public const int NonFinite = 4;
    /// <summary>Status: ρ = rᵀM⁻¹r ≤ 0, M is not positive definite.</summary>
    public const int IndefinitePreconditioner = 5;

    /// <summary>x − x is 0 exactly for finite x (NaN for NaN and ±∞); plain arithmetic, so it compiles in GPU kernels.</summary>
    internal static bool IsFinite<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x - x == T.Zero;

    /// <summary>The status after computing pᵀAp: 0 to go on, else why α = ρ/pᵀAp cannot be taken.</summary>
    internal static int AfterCurvature<T>(T pq) where T : unmanaged, IFloatingPointIeee754<T> =>
        !IsFinite(pq) ? NonFinite : pq < T.Zero ? NegativeCurvature : pq == T.Zero ? ZeroCurvature : Active;

    /// <summary>The status after updating r: converged when ‖r‖² ≤ bound², non-finite when ‖r‖² is NaN/∞.</summary>
    internal static int AfterResidual<T>(T rr, T boundSquared) where T : unmanaged, IFloatingPointIeee754<T> =>
        !IsFinite(rr) ? NonFinite : rr <= boundSquared ? Converged : Active;

    /// <summary>The status after computing ρ = rᵀM⁻¹r: it must be positive and finite.</summary>
    internal static int AfterPreconditioner<T>(T rho) where T : unmanaged, IFloatingPointIeee754<T> =>
        !IsFinite(rho) ? NonFinite : rho > T.Zero ? Active : IndefinitePreconditioner;

    /// <summary>The shape rules of <see cref="Backend.CgDirectionSpMVDot{T}"/> (both twins): a square A over a [B, n] layout, p_old and p_new distinct.</summary>
    internal static void CheckDirectionSpMVDot<T>(Memory.CsrIndices a, VectorBatch layout, Memory.Storage<T> pOld, Memory.Storage<T> pNew) where T : unmanaged
    {
        if (a.Rows != a.Cols || layout.Length != a.Rows)
            throw new ArgumentException($"CgDirectionSpMVDot needs a square matrix matching the vectors: A is {a.Rows}×{a.Cols}, vectors have {layout.Length} entries", nameof(a));
        if (layout.Count > 1 && (!layout.IsUnitStride || layout.SystemStride != layout.Length))
            throw new ArgumentException($"CgDirectionSpMVDot: layout {layout} is not [B, n]", nameof(layout));
        if (ReferenceEquals(pOld, pNew))
            throw new ArgumentException("CgDirectionSpMVDot: p_old and p_new must be different buffers (rows read p_old while p_new is written)", nameof(pNew));
    }
}
