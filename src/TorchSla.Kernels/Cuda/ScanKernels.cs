using ILGPU;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// Inclusive prefix sums of 64-bit counts (row lengths, table sizes) on the device, the classic
/// scan-then-propagate scheme (Blelloch 1990, "Prefix sums and their applications", §1.4;
/// Harris, Sengupta &amp; Owens, GPU Gems 3 ch. 39): each group scans a chunk of
/// <see cref="Chunk"/> elements (8 sequential per thread, then a Hillis–Steele scan of the 256
/// thread totals in shared memory), the chunk totals are scanned the same way (recursively), and
/// each chunk adds the total of the chunks before it. Integer addition: the result is exact and
/// independent of the schedule.
/// </summary>
internal static class ScanKernels
{
    public const int GroupSize = 256;
    public const int PerThread = 8;
    public const int Chunk = GroupSize * PerThread;

    /// <summary>data[e] ← Σ data[t] over t ≤ e within e's chunk (in place); chunkTotals[g] ← chunk g's sum.</summary>
    public static void ScanChunks(ArrayView<long> data, ArrayView<long> chunkTotals, int n)
    {
        var shared = SharedMemory.Allocate<long>(GroupSize);
        int t = Group.IdxX;
        long start = (long)Grid.IdxX * Chunk + (long)t * PerThread;
        long local = 0;
        for (int q = 0; q < PerThread; q++)
        {
            long e = start + q;
            if (e < n) local += data[e];
        }
        shared[t] = local;
        Group.Barrier();
        for (int d = 1; d < GroupSize; d <<= 1)
        {
            long v = t >= d ? shared[t - d] : 0;
            Group.Barrier();
            shared[t] += v;
            Group.Barrier();
        }
        long run = t > 0 ? shared[t - 1] : 0;
        for (int q = 0; q < PerThread; q++)
        {
            long e = start + q;
            if (e < n) { run += data[e]; data[e] = run; }
        }
        if (t == GroupSize - 1) chunkTotals[Grid.IdxX] = shared[t];
    }

    /// <summary>data[e] += (inclusive scan of the chunk totals)[chunk(e) − 1] for every chunk but the first.</summary>
    public static void AddChunkOffsets(ArrayView<long> data, ArrayView<long> scannedTotals, int n)
    {
        int e = Grid.GlobalIndex.X;
        if (e >= n) return;
        int g = e / Chunk;
        if (g > 0) data[e] += scannedTotals[g - 1];
    }
}
