using System.Runtime.CompilerServices;
using TorchSla.Kernels.Cpu;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// The strength-of-connection graph of smoothed aggregation (Vaněk, Mandel &amp; Brezina,
/// "Algebraic multigrid by smoothed aggregation for second and fourth order elliptic
/// problems", Computing 56 (1996) 179–196, §3): j is strongly connected to i when
/// |a_ij| ≥ θ·√|a_ii·a_jj|. The test is symmetric, so the graph is undirected for a symmetric
/// A. Weak connections (e.g. the small coupling of an anisotropic problem) are left out, so
/// aggregates follow the direction of strong coupling. O(nnz) on the host, two passes over row
/// blocks in parallel (count, then fill after a prefix sum).
/// </summary>
internal static class StrengthOfConnection
{
    /// <summary>The strong graph in CSR form (no diagonal entries; stored zeros are never strong), given A's diagonal.</summary>
    public static (int[] RowPtr, int[] ColInd) Build(int n, int[] rowPtr, int[] colInd, double[] values, double[] diag, double theta)
    {
        double theta2 = theta * theta;
        var sp = new int[n + 1];
        int blocks = ParallelBlocks.CountFor(rowPtr[n]);
        ParallelBlocks.Run(blocks, b => Pass(ParallelBlocks.Start(n, blocks, b), ParallelBlocks.Start(n, blocks, b + 1), rowPtr, colInd, values, diag, theta2, sp, null));
        for (int i = 0; i < n; i++) sp[i + 1] += sp[i];
        var sc = new int[sp[n]];
        ParallelBlocks.Run(blocks, b => Pass(ParallelBlocks.Start(n, blocks, b), ParallelBlocks.Start(n, blocks, b + 1), rowPtr, colInd, values, diag, theta2, sp, sc));
        return (sp, sc);
    }

    /// <summary>Without <paramref name="sc"/>: sp[i + 1] ← strong count of row i; with it: the strong columns of row i from sp[i] on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass(int r0, int r1, int[] rowPtr, int[] colInd, double[] values, double[] diag, double theta2, int[] sp, int[]? sc)
    {
        for (int i = r0; i < r1; i++)
        {
            int c = sc is null ? 0 : sp[i];
            double di = theta2 * Math.Abs(diag[i]);
            for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++)
            {
                // Squared form of |a_ij| ≥ θ·√|a_ii·a_jj|: no square root per entry.
                int j = colInd[k];
                double v = values[k];
                if (j == i || v == 0 || v * v < di * Math.Abs(diag[j])) continue;
                if (sc is not null) sc[c] = j;
                c++;
            }
            if (sc is null) sp[i + 1] = c;
        }
    }
}
