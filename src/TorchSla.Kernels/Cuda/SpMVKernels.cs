using System.Numerics;
using ILGPU;

namespace TorchSla.Kernels.Cuda;

/// <summary>Scalars of one CSR product launch, packed so the kernels stay under ILGPU's parameter limit.</summary>
internal struct CsrLaunch
{
    /// <summary>Rows this launch covers per matrix (the bin's length, or all rows).</summary>
    public int ListLength;
    /// <summary>1 when rows are taken from a row list (a bin), 0 when item i is row i.</summary>
    public int UseList;
    /// <summary>Rows of each matrix (the stride of y between batch members).</summary>
    public int Rows;
    /// <summary>Stored entries of each matrix (the stride of the values between batch members).</summary>
    public int Nnz;
    /// <summary>Stride of x between batch members (0: one x broadcast to every matrix).</summary>
    public int XStride;
    /// <summary>Number of matrices.</summary>
    public int Batch;
    /// <summary>log2 of the threads that share one row (0: thread per row, 5: warp per row).</summary>
    public int LogS;
    /// <summary>1 when β = 0, so y is written without being read (NaN in y must not leak).</summary>
    public int BetaZero;
    /// <summary>Partial sums per matrix of the CSR-stream kernel's long-row chunks.</summary>
    public int Slots;
}

/// <summary>
/// CSR sparse matrix–vector and matrix–matrix products. One kernel serves thread-per-row
/// (S = 1) and the "CSR-vector" family (S = 2…32 lanes share a row, lanes read consecutive
/// entries so loads coalesce, partial sums meet through a warp-shuffle tree) of Bell &amp;
/// Garland, "Implementing sparse matrix-vector multiplication on throughput-oriented
/// processors" (SC 2009), with S picked from the mean row length. Skewed patterns (power-law
/// graphs) are binned by row length and each bin launched with its own S, plus a
/// block-per-row kernel for the longest rows: the binning scheme of Ashari et al., "Fast
/// sparse matrix-vector multiplication on GPUs for graph applications" (SC 2014, ACSR).
/// Every kernel sums a row in a fixed order, so results are the same bits on every run.
/// </summary>
internal static class SpMVKernels
{
    /// <summary>Threads per group of the block-per-row kernel (power of two).</summary>
    public const int BlockRowThreads = 256;

    /// <summary>
    /// y[b, r] = α·Σ_k A_b[r, k]·x_b[k] + β·y[b, r] for S lanes per row over the rows of the launch.
    /// Every lane stays alive to the end (no early return) because the shuffles need the whole warp.
    /// </summary>
    public static void SubWarp<T>(ArrayView<int> rowPtr, ArrayView<int> colInd, ArrayView<T> vals,
        ArrayView<T> x, ArrayView<T> y, ArrayView<int> rowList, CsrLaunch p, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int gid = Grid.GlobalIndex.X;
        int s = 1 << p.LogS;
        int lane = gid & (s - 1);
        int item = gid >> p.LogS;
        int total = p.Batch * p.ListLength;
        bool valid = item < total;
        int b = 0, i = item;
        if (p.Batch > 1) { b = item / p.ListLength; i = item - b * p.ListLength; }
        int r = 0, start = 0, end = 0;
        if (valid)
        {
            r = p.UseList != 0 ? rowList[i] : i;
            start = rowPtr[r];
            end = rowPtr[r + 1];
        }
        int vOff = b * p.Nnz, xOff = b * p.XStride;
        T acc = T.Zero;
        for (int k = start + lane; k < end; k += s)
            acc += vals[vOff + k] * x[xOff + colInd[k]];
        for (int off = s >> 1; off > 0; off >>= 1)
            acc += Warp.ShuffleDown(acc, off, s);
        if (valid && lane == 0)
        {
            int yi = b * p.Rows + r;
            y[yi] = p.BetaZero != 0 ? alpha * acc : alpha * acc + beta * y[yi];
        }
    }

    /// <summary>
    /// One group of <see cref="BlockRowThreads"/> threads per (listed) row, for rows too long for
    /// one warp: strided partial sums, then a fixed shared-memory tree (deterministic).
    /// </summary>
    public static void BlockRow<T>(ArrayView<int> rowPtr, ArrayView<int> colInd, ArrayView<T> vals,
        ArrayView<T> x, ArrayView<T> y, ArrayView<int> rowList, CsrLaunch p, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shared = SharedMemory.Allocate<T>(BlockRowThreads);
        int item = Grid.IdxX;
        int t = Group.IdxX;
        int b = 0, i = item;
        if (p.Batch > 1) { b = item / p.ListLength; i = item - b * p.ListLength; }
        int r = p.UseList != 0 ? rowList[i] : i;
        int start = rowPtr[r], end = rowPtr[r + 1];
        int vOff = b * p.Nnz, xOff = b * p.XStride;
        T acc = T.Zero;
        for (int k = start + t; k < end; k += BlockRowThreads)
            acc += vals[vOff + k] * x[xOff + colInd[k]];
        shared[t] = acc;
        Group.Barrier();
        for (int half = BlockRowThreads / 2; half > 0; half >>= 1)
        {
            if (t < half) shared[t] = shared[t] + shared[t + half];
            Group.Barrier();
        }
        if (t == 0)
        {
            int yi = b * p.Rows + r;
            y[yi] = p.BetaZero != 0 ? alpha * shared[0] : alpha * shared[0] + beta * y[yi];
        }
    }

    /// <summary>
    /// Y = α·A·X + β·Y with X [cols, k] and Y [rows, k] row-major: one thread per output element,
    /// consecutive threads on consecutive columns of one row, so reads of X rows coalesce and the
    /// row's entries are broadcast across them.
    /// </summary>
    public static void SpMM<T>(ArrayView<int> rowPtr, ArrayView<int> colInd, ArrayView<T> vals,
        ArrayView<T> x, ArrayView<T> y, int rows, int k, int betaZero, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int g = Grid.GlobalIndex.X;
        if (g >= rows * k) return;
        int r = g / k, j = g - r * k;
        T acc = T.Zero;
        int end = rowPtr[r + 1];
        for (int q = rowPtr[r]; q < end; q++)
            acc += vals[q] * x[colInd[q] * k + j];
        y[g] = betaZero != 0 ? alpha * acc : alpha * acc + beta * y[g];
    }
}
