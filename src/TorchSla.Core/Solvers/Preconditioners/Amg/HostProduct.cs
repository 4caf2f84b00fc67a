using System.Runtime.CompilerServices;
using TorchSla.Kernels.Cpu;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// C = A·B for host CSR arrays (Gustavson, ACM TOMS 4 (1978) 250–269): row i of C accumulates the
/// rows of B named by row i of A in a dense accumulator with a marker array. Two passes over row
/// blocks on the CPU backend's fork/join: the symbolic pass counts each row's distinct columns,
/// a prefix sum sizes C exactly, and the numeric pass writes each row straight into C, then sorts
/// its columns in place (insertion sort for the short rows of 2D problems, introsort beyond 32 entries) and
/// gathers their sums. No per-row allocation, nothing kept. The setup uses it on the CPU, where
/// the library's SpGEMM (built to be replayed on any device through an expansion plan of one
/// entry per scalar product) costs several times more than this direct loop; hierarchies on
/// other devices use the SpGEMM.
/// </summary>
internal static class HostProduct
{
    public static (int[] RowPtr, int[] ColInd, double[] Values) Multiply(
        int rows, int[] ap, int[] ai, double[] av, int cols, int[] bp, int[] bi, double[] bv)
    {
        int blocks = ParallelBlocks.CountFor(ap[rows] + (long)rows, 1 << 16);
        var rp = new int[rows + 1];
        ParallelBlocks.Run(blocks, blk =>
        {
            var marker = new int[cols];
            Array.Fill(marker, -1);
            Count(ParallelBlocks.Start(rows, blocks, blk), ParallelBlocks.Start(rows, blocks, blk + 1), ap, ai, bp, bi, marker, rp);
        });
        for (int i = 0; i < rows; i++) rp[i + 1] = checked(rp[i + 1] + rp[i]);
        var ci = new int[rp[rows]];
        var cv = new double[rp[rows]];
        ParallelBlocks.Run(blocks, blk =>
        {
            var marker = new int[cols];
            Array.Fill(marker, -1);
            var acc = new double[cols];
            Fill(ParallelBlocks.Start(rows, blocks, blk), ParallelBlocks.Start(rows, blocks, blk + 1), ap, ai, av, bp, bi, bv, marker, acc, rp, ci, cv);
        });
        return (rp, ci, cv);
    }

    /// <summary>rp[i + 1] ← number of distinct columns of row i of A·B.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Count(int r0, int r1, int[] ap, int[] ai, int[] bp, int[] bi, int[] marker, int[] rp)
    {
        for (int i = r0; i < r1; i++)
        {
            int c = 0;
            for (int p = ap[i]; p < ap[i + 1]; p++)
            {
                int k = ai[p];
                for (int q = bp[k]; q < bp[k + 1]; q++)
                {
                    int j = bi[q];
                    if (marker[j] != i) { marker[j] = i; c++; }
                }
            }
            rp[i + 1] = c;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Fill(int r0, int r1, int[] ap, int[] ai, double[] av, int[] bp, int[] bi, double[] bv,
        int[] marker, double[] acc, int[] rp, int[] ci, double[] cv)
    {
        for (int i = r0; i < r1; i++)
        {
            int start = rp[i], end = start;
            for (int p = ap[i]; p < ap[i + 1]; p++)
            {
                int k = ai[p];
                double a = av[p];
                for (int q = bp[k]; q < bp[k + 1]; q++)
                {
                    int j = bi[q];
                    if (marker[j] != i) { marker[j] = i; acc[j] = a * bv[q]; ci[end++] = j; }
                    else acc[j] += a * bv[q];
                }
            }
            if (end - start > 32) ci.AsSpan(start, end - start).Sort();
            else for (int s = start + 1; s < end; s++)
            {
                int j = ci[s], t = s - 1;
                while (t >= start && ci[t] > j) { ci[t + 1] = ci[t]; t--; }
                ci[t + 1] = j;
            }
            for (int s = start; s < end; s++) cv[s] = acc[ci[s]];
        }
    }
}
