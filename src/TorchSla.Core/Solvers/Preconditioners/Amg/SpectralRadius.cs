using System.Numerics;
using TorchSla.Kernels.Cpu;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// λ_max(D⁻¹A) for a symmetric A and a positive diagonal D, the number behind the damping of
/// Jacobi-type smoothers, the prolongator smoothing weight ω = 4/(3ρ) and the Chebyshev
/// interval. D⁻¹A is similar to the symmetric D^{-1/2}·A·D^{-1/2}, whose largest eigenvalue a
/// few Lanczos steps estimate well from below (<see cref="LanczosExtremes"/>); the Ritz value is
/// returned as it is, and callers that need an upper bound widen it.
/// </summary>
internal static class SpectralRadius
{
    /// <summary>The largest Ritz value of D^{-1/2}·A·D^{-1/2} after <paramref name="steps"/> Lanczos steps, computed on A's device.</summary>
    public static double OfDiagonallyScaled<T>(SparseTensor<T> a, double[] hostValues, double[] diagonal, int steps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = a.Rows;
        if (n == 0) return 0;
        var rp = a.Pattern.RowPtr; var ci = a.Pattern.ColInd;
        var inv = new double[n];
        for (int i = 0; i < n; i++) inv[i] = 1 / Math.Sqrt(diagonal[i]);
        var scaled = new T[hostValues.Length];
        int blocks = ParallelBlocks.CountFor(hostValues.Length);
        ParallelBlocks.Run(blocks, b =>
        {
            for (int i = ParallelBlocks.Start(n, blocks, b), end = ParallelBlocks.Start(n, blocks, b + 1); i < end; i++)
                for (int k = rp[i]; k < rp[i + 1]; k++) scaled[k] = T.CreateTruncating(hostValues[k] * inv[i] * inv[ci[k]]);
        });
        using var s = a.WithValues(scaled);
        var (_, max, _) = LanczosExtremes.Estimate(s.Backend, s.Indices, s.Values, 0, steps, seed: 12345);
        return max;
    }
}
