using ILGPU;
using ILGPU.Algorithms;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// One level of the triangular sweeps of <see cref="Backend.FrontalLuSolve"/>: one group per front of the level. A
/// front's pivot block is solved by substitution, one pivot per step with a barrier between steps (the dependent,
/// sequential part, as long as the front's pivot count); the part beyond the pivots is a dense product whose reads are
/// coalesced where the block's storage allows it (L's block is m×npiv column-major, U11 above its diagonal: consecutive
/// rows of a column; U12 is npiv×(m−npiv) column-major: consecutive pivot rows of a column). Updates of ancestors'
/// entries are atomic because the fronts of a level may share ancestor variables. The arithmetic per front is that of the CPU twin (CpuBackend.FrontalLuSolve).
/// </summary>
internal static class FrontalLuKernels
{
    public const int GroupSize = 128;

    /// <summary>The sum of <paramref name="s"/> over the warp, in lane 0 (shuffle-down tree).</summary>
    private static double WarpSum(double s)
    {
        for (int d = Warp.WarpSize >> 1; d > 0; d >>= 1) s += Warp.ShuffleDown(s, d);
        return s;
    }

    /// <summary>Forward sweep with L (y by row variables): unit-lower substitution in the pivot rows, then each row beyond
    /// them subtracts Σ_j l_ij·y_j from its (ancestor's) entry.</summary>
    public static void ForwardL(ArrayView<int> indexPtr, ArrayView<int> ri, ArrayView<int> ci, ArrayView<int> pivots,
        ArrayView<long> lOff, ArrayView<long> uOff, ArrayView<double> l, ArrayView<double> u, ArrayView<int> nodes,
        ArrayView<double> y, ArrayView<double> z, int first)
    {
        var pivot = SharedMemory.Allocate<double>(1);
        int t = Group.IdxX, g = Group.DimX;
        int f = nodes[first + Grid.IdxX];
        int p0 = indexPtr[f], m = indexPtr[f + 1] - p0, np = pivots[f];
        long off = lOff[f];
        for (int j = 0; j < np; j++)
        {
            if (t == 0) pivot[0] = y[ri[p0 + j]];
            Group.Barrier();
            double v = pivot[0];
            long c = off + (long)j * m;
            for (int i = j + 1 + t; i < np; i += g) y[ri[p0 + i]] -= l[c + i] * v;
            Group.Barrier();
        }
        for (int i = np + t; i < m; i += g)
        {
            double s = 0;
            for (int j = 0; j < np; j++) s += l[off + (long)j * m + i] * y[ri[p0 + j]];
            Atomic.Add(ref y[ri[p0 + i]], -s);
        }
    }

    /// <summary>Backward sweep with U (y by row variables → z by column variables): each pivot row gathers
    /// Σ_c u_pc·z_c over the columns solved in ancestor fronts (U12), then upper substitution from the last pivot up
    /// (U11: column j above the diagonal of L's column j, contiguous).</summary>
    public static void BackwardU(ArrayView<int> indexPtr, ArrayView<int> ri, ArrayView<int> ci, ArrayView<int> pivots,
        ArrayView<long> lOff, ArrayView<long> uOff, ArrayView<double> l, ArrayView<double> u, ArrayView<int> nodes,
        ArrayView<double> y, ArrayView<double> z, int first)
    {
        var pivot = SharedMemory.Allocate<double>(1);
        int t = Group.IdxX, g = Group.DimX;
        int f = nodes[first + Grid.IdxX];
        int p0 = indexPtr[f], m = indexPtr[f + 1] - p0, np = pivots[f];
        long off = uOff[f], lo = lOff[f];
        for (int p = t; p < np; p += g)
        {
            double s = 0;
            for (int c = np; c < m; c++) s += u[off + (long)(c - np) * np + p] * z[ci[p0 + c]];
            y[ri[p0 + p]] -= s;
        }
        Group.Barrier();
        for (int j = np - 1; j >= 0; j--)
        {
            long c = lo + (long)j * m;
            if (t == 0) { double zj = y[ri[p0 + j]] / l[c + j]; z[ci[p0 + j]] = zj; pivot[0] = zj; }
            Group.Barrier();
            double v = pivot[0];
            for (int i = t; i < j; i += g) y[ri[p0 + i]] -= l[c + i] * v;
            Group.Barrier();
        }
    }

    /// <summary>Forward sweep with Uᵀ (y by column variables → z by row variables): lower substitution in the pivot
    /// block (U11ᵀ: row j of U11 is row j of L's block right of the diagonal, stride m), then each column of U12 (one warp
    /// per column, shuffle reduction) subtracts Σ_j u_jc·z_j from its (ancestor's) entry.</summary>
    public static void ForwardUt(ArrayView<int> indexPtr, ArrayView<int> ri, ArrayView<int> ci, ArrayView<int> pivots,
        ArrayView<long> lOff, ArrayView<long> uOff, ArrayView<double> l, ArrayView<double> u, ArrayView<int> nodes,
        ArrayView<double> y, ArrayView<double> z, int first)
    {
        var pivot = SharedMemory.Allocate<double>(1);
        int t = Group.IdxX, g = Group.DimX;
        int lane = Warp.LaneIdx, warps = g / Warp.WarpSize, w = t / Warp.WarpSize;
        int f = nodes[first + Grid.IdxX];
        int p0 = indexPtr[f], m = indexPtr[f + 1] - p0, np = pivots[f];
        long off = uOff[f], lo = lOff[f];
        for (int j = 0; j < np; j++)
        {
            if (t == 0) { double zj = y[ci[p0 + j]] / l[lo + (long)j * m + j]; z[ri[p0 + j]] = zj; pivot[0] = zj; }
            Group.Barrier();
            double v = pivot[0];
            for (int i = j + 1 + t; i < np; i += g) y[ci[p0 + i]] -= l[lo + (long)i * m + j] * v;
            Group.Barrier();
        }
        for (int c = np + w; c < m; c += warps)
        {
            long col = off + (long)(c - np) * np;
            double s = 0;
            for (int j = lane; j < np; j += Warp.WarpSize) s += u[col + j] * z[ri[p0 + j]];
            s = WarpSum(s);
            if (lane == 0) Atomic.Add(ref y[ci[p0 + c]], -s);
        }
    }

    /// <summary>Backward sweep with Lᵀ (z by row variables, in place): each pivot gathers Σ_i l_ij·z_i over the rows
    /// solved in ancestor fronts (one warp per pivot column, shuffle reduction), then unit-upper substitution from the
    /// last pivot up.</summary>
    public static void BackwardLt(ArrayView<int> indexPtr, ArrayView<int> ri, ArrayView<int> ci, ArrayView<int> pivots,
        ArrayView<long> lOff, ArrayView<long> uOff, ArrayView<double> l, ArrayView<double> u, ArrayView<int> nodes,
        ArrayView<double> y, ArrayView<double> z, int first)
    {
        var pivot = SharedMemory.Allocate<double>(1);
        int t = Group.IdxX, g = Group.DimX;
        int lane = Warp.LaneIdx, warps = g / Warp.WarpSize, w = t / Warp.WarpSize;
        int f = nodes[first + Grid.IdxX];
        int p0 = indexPtr[f], m = indexPtr[f + 1] - p0, np = pivots[f];
        long off = lOff[f];
        for (int j = w; j < np; j += warps)
        {
            long c = off + (long)j * m;
            double s = 0;
            for (int i = np + lane; i < m; i += Warp.WarpSize) s += l[c + i] * z[ri[p0 + i]];
            s = WarpSum(s);
            if (lane == 0) z[ri[p0 + j]] -= s;
        }
        Group.Barrier();
        for (int j = np - 1; j >= 0; j--)
        {
            if (t == 0) pivot[0] = z[ri[p0 + j]];
            Group.Barrier();
            double v = pivot[0];
            for (int i = t; i < j; i += g) z[ri[p0 + i]] -= l[off + (long)i * m + j] * v;
            Group.Barrier();
        }
    }
}
