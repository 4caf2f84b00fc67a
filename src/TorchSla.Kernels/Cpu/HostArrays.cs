namespace TorchSla.Kernels.Cpu;

/// <summary>
/// Where the CPU backend's zeroed arrays come from (<see cref="Memory.CpuStorage{T}"/>). Two measured costs of fresh memory
/// on the benchmark VM (bench/RESULTS.md, "Lead, session 10"), where the host takes back pages the guest frees: the first
/// touch of a page cost 3.6 ms per MB on one thread and 2.2 ms per MB with two threads touching halves, and an AMG-PCG solve
/// of 3D Poisson 50³ spent ~20 ms of its setup zeroing the five fresh Lanczos vectors of ρ(D⁻¹A) and ~20 ms of its solve
/// zeroing five fresh CG vectors of the same length. So:
/// <list type="bullet">
/// <item>a large array is cleared by all cores, each a contiguous share (<see cref="Clear{T}"/>), which also spreads its
/// page faults;</item>
/// <item>a scratch array (<see cref="Backend.AllocateScratch{T}"/>) goes back, on Dispose, to a small pool of weak
/// references keyed by element type and length, and the next zeroed allocation of that length takes it (warm pages, no
/// fault). The references are weak, so the pool holds no memory the GC wants: a collection in between only loses the
/// reuse.</item>
/// </list>
/// </summary>
internal static class HostArrays
{
    /// <summary>Arrays from this many bytes are cleared in parallel (below, one memset is cheaper than a fork/join).</summary>
    private const int ParallelClearBytes = 1 << 19;

    /// <summary>A zeroed array of <paramref name="length"/> elements: a pooled scratch array of that length if one is alive, else a new one.</summary>
    public static T[] Zeroed<T>(int length) where T : unmanaged
    {
        if (length == 0) return [];
        var a = Pool<T>.Take(length) ?? GC.AllocateUninitializedArray<T>(length);
        Clear(a);
        return a;
    }

    /// <summary>Hands a scratch array back (its owner keeps no reference to it).</summary>
    public static void Return<T>(T[] array) where T : unmanaged
    {
        if (array.Length * (long)System.Runtime.CompilerServices.Unsafe.SizeOf<T>() >= ParallelClearBytes) Pool<T>.Give(array);
    }

    /// <summary>Zeroes <paramref name="array"/>, large ones on every core in contiguous shares.</summary>
    public static void Clear<T>(T[] array) where T : unmanaged
    {
        long bytes = array.Length * (long)System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (bytes < ParallelClearBytes || CpuBackend.Threads == 1) { Array.Clear(array); return; }
        int blocks = (int)Math.Min(CpuBackend.Threads, bytes / (ParallelClearBytes / 2));
        ParallelBlocks.Run(blocks, b =>
        {
            int from = ParallelBlocks.Start(array.Length, blocks, b), to = ParallelBlocks.Start(array.Length, blocks, b + 1);
            Array.Clear(array, from, to - from);
        });
    }

    /// <summary>Weak references to returned arrays of one element type, at most <see cref="Capacity"/>, the oldest dropped first.</summary>
    private static class Pool<T> where T : unmanaged
    {
        private const int Capacity = 16;
        private static readonly List<WeakReference<T[]>> Entries = [];

        public static T[]? Take(int length)
        {
            lock (Entries)
            {
                for (int i = Entries.Count - 1; i >= 0; i--)
                {
                    if (!Entries[i].TryGetTarget(out var a)) { Entries.RemoveAt(i); continue; }
                    if (a.Length != length) continue;
                    Entries.RemoveAt(i);
                    return a;
                }
            }
            return null;
        }

        public static void Give(T[] array)
        {
            lock (Entries)
            {
                if (Entries.Count == Capacity) Entries.RemoveAt(0);
                Entries.Add(new WeakReference<T[]>(array));
            }
        }
    }
}
