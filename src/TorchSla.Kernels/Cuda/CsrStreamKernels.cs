using System.Numerics;
using ILGPU;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// Load-balanced CSR SpMV after CSR-Adaptive (Greathouse &amp; Daga, "Efficient sparse
/// matrix-vector multiplication on GPUs using the CSR storage format", SC 2014): the host cuts the
/// rows into blocks of at most <see cref="Capacity"/> stored entries (and at most
/// <see cref="Threads"/> rows). A group streams its block's products v_k·x[col_k] into shared
/// memory with fully coalesced loads, then reduces each row from shared memory with
/// min(32, 256 / rows) lanes per row. A row longer than the capacity is cut into chunks of
/// <see cref="LongChunk"/> entries, each chunk's group writes one partial sum, and
/// <see cref="FinishLongRows{T}"/> adds a row's partials in chunk order: no atomics, so the
/// result is the same bits on every run.
/// </summary>
internal static class CsrStreamKernels
{
    /// <summary>Threads per group.</summary>
    public const int Threads = 256;
    /// <summary>Stored entries a group holds in shared memory (4 per thread).</summary>
    public const int Capacity = 1024;
    /// <summary>Entries per chunk of a long row.</summary>
    public const int LongChunk = 4096;

    /// <summary>
    /// One group per block descriptor (row0, row1, kStart, slot): slot &lt; 0 is a block of whole
    /// rows [row0, row1); slot ≥ 0 is the chunk of row0 starting at kStart, whose partial goes to
    /// partial[b·slots + slot].
    /// </summary>
    public static void Stream<T>(ArrayView<int> rowPtr, ArrayView<int> colInd, ArrayView<T> vals,
        ArrayView<T> x, ArrayView<T> y, ArrayView<int> blocks, ArrayView<T> partial, CsrLaunch p, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var prod = SharedMemory.Allocate<T>(Capacity);
        int t = Group.IdxX;
        int item = Grid.IdxX;
        int b = 0, blk = item;
        if (p.Batch > 1) { b = item / p.ListLength; blk = item - b * p.ListLength; }
        int row0 = blocks[4 * blk], row1 = blocks[4 * blk + 1], slot = blocks[4 * blk + 3];
        int vOff = b * p.Nnz, xOff = b * p.XStride;
        if (slot < 0)
        {
            int k0 = rowPtr[row0], k1 = rowPtr[row1];
            // Four independent coalesced loads per thread before any use.
            int ka = k0 + t, kb = ka + Threads, kc = kb + Threads, kd = kc + Threads;
            if (ka < k1) prod[t] = vals[vOff + ka] * x[xOff + colInd[ka]];
            if (kb < k1) prod[t + Threads] = vals[vOff + kb] * x[xOff + colInd[kb]];
            if (kc < k1) prod[t + 2 * Threads] = vals[vOff + kc] * x[xOff + colInd[kc]];
            if (kd < k1) prod[t + 3 * Threads] = vals[vOff + kd] * x[xOff + colInd[kd]];
            Group.Barrier();
            int nr = row1 - row0;
            int logL = 0;
            while (logL < 5 && (nr << (logL + 1)) <= Threads) logL++;
            int lanes = 1 << logL;
            int g = t >> logL, lane = t & (lanes - 1);
            bool active = g < nr;
            int s = 0, e = 0;
            if (active) { s = rowPtr[row0 + g] - k0; e = rowPtr[row0 + g + 1] - k0; }
            T acc = T.Zero;
            for (int q = s + lane; q < e; q += lanes) acc += prod[q];
            for (int off = lanes >> 1; off > 0; off >>= 1) acc += Warp.ShuffleDown(acc, off, lanes);
            if (active && lane == 0)
            {
                int yi = b * p.Rows + row0 + g;
                y[yi] = p.BetaZero != 0 ? alpha * acc : alpha * acc + beta * y[yi];
            }
        }
        else
        {
            int kStart = blocks[4 * blk + 2];
            int kEnd = rowPtr[row0 + 1];
            if (kEnd > kStart + LongChunk) kEnd = kStart + LongChunk;
            // Four independent loads in flight per thread and iteration (the chunk is 16 per thread);
            // the partial products are added in a fixed order.
            T acc = T.Zero;
            for (int ka = kStart + t; ka < kEnd; ka += 4 * Threads)
            {
                int kb = ka + Threads, kc = kb + Threads, kd = kc + Threads;
                T pa = vals[vOff + ka] * x[xOff + colInd[ka]];
                T pb = kb < kEnd ? vals[vOff + kb] * x[xOff + colInd[kb]] : T.Zero;
                T pc = kc < kEnd ? vals[vOff + kc] * x[xOff + colInd[kc]] : T.Zero;
                T pd = kd < kEnd ? vals[vOff + kd] * x[xOff + colInd[kd]] : T.Zero;
                acc += pa; acc += pb; acc += pc; acc += pd;
            }
            prod[t] = acc;
            Group.Barrier();
            for (int half = Threads / 2; half > 0; half >>= 1)
            {
                if (t < half) prod[t] = prod[t] + prod[t + half];
                Group.Barrier();
            }
            if (t == 0) partial[b * p.Slots + slot] = prod[0];
        }
    }

    /// <summary>
    /// y[row] = α·Σ partials of the row in chunk order + β·y[row], one thread per (matrix, long
    /// row); longRows holds (row, firstSlot, slotCount) triples.
    /// </summary>
    public static void FinishLongRows<T>(ArrayView<T> y, ArrayView<int> longRows, ArrayView<T> partial,
        int count, int slots, int rows, int batch, int betaZero, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = Grid.GlobalIndex.X;
        if (i >= count * batch) return;
        int b = i / count, j = i - b * count;
        int row = longRows[3 * j], first = longRows[3 * j + 1], n = longRows[3 * j + 2];
        T acc = T.Zero;
        for (int c = 0; c < n; c++) acc += partial[b * slots + first + c];
        int yi = b * rows + row;
        y[yi] = betaZero != 0 ? alpha * acc : alpha * acc + beta * y[yi];
    }
}
