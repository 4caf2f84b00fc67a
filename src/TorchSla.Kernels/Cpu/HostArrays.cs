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
/// <item>a scratch array (<see cref="Backend.AllocateScratch{T}"/>) goes back, on Dispose, to a small pool keyed by element
/// type and length, and the next zeroed allocation of that length takes it (warm pages, no fault). The pool holds at most
/// 64 MB per element type, each array for at most 2 s.</item>
/// </list>
/// </summary>
internal static class HostArrays
{
    /// <summary>Arrays from this many bytes are cleared in parallel (below, one memset is cheaper than a fork/join).</summary>
    private const int ParallelClearBytes = 1 << 19;

    /// <summary>A zeroed array of <paramref name="length"/> elements: a pooled scratch array of that length if one is held, else a new one.</summary>
    public static T[] Zeroed<T>(int length) where T : unmanaged
    {
        if (length == 0) return [];
        var a = Pool<T>.Take(length) ?? GC.AllocateUninitializedArray<T>(length);
        Clear(a);
        return a;
    }

    /// <summary>
    /// An array of at least <paramref name="minLength"/> elements, not cleared, for a temporary its caller hands back
    /// (<see cref="Return{T}"/>): the smallest held array that is long enough, else a new one of that length. A longer array
    /// costs nothing but address space: only the pages a caller writes are touched.
    /// </summary>
    public static T[] Rent<T>(int minLength) where T : unmanaged =>
        (minLength > 0 ? Pool<T>.TakeAtLeast(minLength) : null) ?? GC.AllocateUninitializedArray<T>(minLength);

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

    /// <summary>
    /// Returned arrays of one element type, held for at most <see cref="MaxAgeMs"/> and <see cref="MaxBytes"/> in all: when full,
    /// the smallest goes first (an AMG setup returns a few vectors per level, the finest level's first, and those are the ones
    /// its solve wants). The references are strong — weak ones did not survive the collections an AMG setup's own large
    /// arrays trigger — and old entries are dropped at every take and give and by a timer that runs while anything is held,
    /// so an idle process lets go of them within about three seconds.
    /// </summary>
    private static class Pool<T> where T : unmanaged
    {
        private const long MaxBytes = 64L << 20;
        private static readonly List<(T[] Array, long Time)> Entries = [];
        private static long _bytes;
        private static Timer? _trim; // runs while anything is held, so that an idle process lets go within ~3 s

        public static T[]? Take(int length)
        {
            lock (Entries)
            {
                DropOld();
                for (int i = Entries.Count - 1; i >= 0; i--)
                {
                    var a = Entries[i].Array;
                    if (a.Length != length) continue;
                    Entries.RemoveAt(i);
                    _bytes -= Bytes(a);
                    return a;
                }
            }
            return null;
        }

        public static T[]? TakeAtLeast(int length)
        {
            lock (Entries)
            {
                DropOld();
                int best = -1;
                for (int i = 0; i < Entries.Count; i++)
                    if (Entries[i].Array.Length >= length && (best < 0 || Entries[i].Array.Length < Entries[best].Array.Length)) best = i;
                if (best < 0) return null;
                var a = Entries[best].Array;
                Entries.RemoveAt(best);
                _bytes -= Bytes(a);
                return a;
            }
        }

        public static void Give(T[] array)
        {
            long bytes = Bytes(array);
            if (bytes > MaxBytes) return;
            lock (Entries)
            {
                DropOld();
                while (_bytes + bytes > MaxBytes)
                {
                    int smallest = 0;
                    for (int i = 1; i < Entries.Count; i++)
                        if (Entries[i].Array.Length < Entries[smallest].Array.Length) smallest = i;
                    if (Entries[smallest].Array.Length > array.Length) return; // everything held is larger: keep that
                    _bytes -= Bytes(Entries[smallest].Array);
                    Entries.RemoveAt(smallest);
                }
                Entries.Add((array, Environment.TickCount64));
                _bytes += bytes;
                _trim ??= new Timer(_ => Trim(), null, MaxAgeMs / 2, MaxAgeMs / 2);
            }
        }

        private static void Trim()
        {
            lock (Entries)
            {
                DropOld();
                if (Entries.Count > 0) return;
                _trim?.Dispose();
                _trim = null;
            }
        }

        private static void DropOld()
        {
            long now = Environment.TickCount64;
            for (int i = Entries.Count - 1; i >= 0; i--)
                if (now - Entries[i].Time > MaxAgeMs) { _bytes -= Bytes(Entries[i].Array); Entries.RemoveAt(i); }
        }

        private static long Bytes(T[] a) => a.Length * (long)System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
    }

    /// <summary>How long a returned array is held (2 s: a setup hands its vectors to the solve that follows within that).</summary>
    private const long MaxAgeMs = 2000;
}
