using System.Numerics;
using TorchSla.Kernels;
using TorchSla.Kernels.Memory;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// λ_max(D⁻¹A) for a symmetric A and a positive diagonal D, the number behind the damping of
/// Jacobi-type smoothers, the prolongator smoothing weight ω = 4/(3ρ) and the Chebyshev
/// interval. D⁻¹A is similar to the symmetric D^{-1/2}·A·D^{-1/2}, whose largest eigenvalue a
/// few Lanczos steps estimate well from below (<see cref="LanczosExtremes"/>); the Ritz value is
/// returned as it is, and callers that need an upper bound widen it. Everything runs on A's device,
/// with the scaling applied to the Lanczos vectors (no scaled copy of A: on a VM where fresh memory costs
/// ~1.7 ms per MB to touch, the copy of a 7M-entry matrix alone cost more than the Lanczos steps).
/// </summary>
internal static class SpectralRadius
{
    /// <summary>The largest Ritz value of D^{-1/2}·A·D^{-1/2} after <paramref name="steps"/> Lanczos steps, computed on A's device.</summary>
    public static double OfDiagonallyScaled<T>(SparseTensor<T> a, Storage<T> diagonal, int steps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = a.Rows;
        if (n == 0) return 0;
        var be = a.Backend;
        using var s = be.AllocateScratch<T>(n);
        be.Pointwise(PointwiseOp.Sqrt, T.Zero, diagonal, 0, s, 0, n);
        be.Pointwise(PointwiseOp.DivideScalarBy, T.One, s, 0, s, 0, n);
        // The start vector is made on the device too (a host one would be n random draws and an upload).
        using var start = be.AllocateScratch<T>(n);
        be.AmgPseudoRandom(start, n, seed: 12345);
        var (_, max, _) = LanczosExtremes.Estimate(be, a.Indices, a.Values, 0, steps, seed: 12345, startVector: start, scaling: s, overwriteStart: true);
        return max;
    }
}
