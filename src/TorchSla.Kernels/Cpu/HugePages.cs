using System.Globalization;
using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// Transparent huge pages for the managed heap on Linux: <c>madvise(MADV_HUGEPAGE)</c> over the mapping that holds the
/// GC's large-object memory, so that fresh memory there is faulted in 2 MB at a time instead of 4 KB (the JVM's
/// <c>-XX:+UseTransparentHugePages</c> does the same for its heap). Where the kernel's THP mode is <c>madvise</c> (the
/// default of many distributions, and of the VM this library is benchmarked on) nothing else gets huge pages: there, a
/// first touch cost 1.7 ms per MB quiet and 7 ms per MB under load with 4 KB pages, against 0.13 ms per MB with 2 MB pages
/// (bench/RESULTS.md, AMG session 5), and an AMG setup writes hundreds of MB of fresh arrays.
/// <para>The GC gives memory back by mapping it anew, which drops the advice, so callers that are about to allocate a lot
/// (an AMG setup) call <see cref="Advise"/> each time; it reads /proc/self/maps (well under a millisecond). Off with the
/// environment variable <c>TORCHSLA_HUGE_PAGES=0</c> or <see cref="Enabled"/> = false; a no-op on other systems, and a
/// failed call changes nothing but the speed.</para>
/// <para>The advice only takes where a whole aligned 2 MB block is committed when it is first touched. The GC commits its
/// large-object memory as allocations reach it, a few pages past each array, so a burst of arrays of a few hundred KB to a
/// few MB (an AMG setup at 10⁵ rows) was mostly faulted in 4 KB pages even with the advice (3D Poisson 50³: 24 of ~60 MB in
/// huge pages). <see cref="ReserveForBurst"/> commits the burst's memory in one range first, through the GC's own no-GC
/// region (<see cref="GC.TryStartNoGCRegion(long, long, bool)"/>, which commits the requested large-object space up front),
/// so that the advised range is committed before it is touched.</para>
/// </summary>
public static class HugePages
{
    /// <summary>Whether <see cref="Advise"/> does anything (default: on Linux, unless TORCHSLA_HUGE_PAGES=0).</summary>
    public static bool Enabled { get; set; } = OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("TORCHSLA_HUGE_PAGES") != "0";

    /// <summary>
    /// Whether the CPU AMG setup reserves its burst with <see cref="ReserveForBurst"/> (default off; TORCHSLA_RESERVE_BURSTS=1
    /// turns it on). Measured on the 2-core benchmark VM (bench/RESULTS.md, "AMG, session 8"): it took 27–40 % off the processor
    /// time of a process's first 3D Poisson 50³ setup under load (none on the quiet VM, where its huge pages are cold), but a later 2D Poisson 1M setup of the same process (above
    /// <see cref="MaxReservedBurst"/>, so not reserved itself) was 2–3.4× slower with tiered compilation off (where the
    /// rounds agree within 10 %), so it suits one-shot processes only. A blocking collection right after the region removed
    /// most of that in three rounds (not adopted: measured too briefly).
    /// </summary>
    public static bool ReserveBursts { get; set; } = Environment.GetEnvironmentVariable("TORCHSLA_RESERVE_BURSTS") == "1";

    private const int MadvHugePage = 14;

    /// <summary>Linux madvise(2), the library's one binding of it (also used by the direct solvers' factor memory).</summary>
    [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
    internal static extern int Madvise(nint address, nuint length, int advice);

    /// <summary>
    /// Advises huge pages for the run of anonymous mappings around the large-object heap (the GC reserves its regions as one
    /// range; the advice covers what is committed there and what will be). Returns the bytes advised (0: nothing done).
    /// </summary>
    public static long Advise()
    {
        if (!Enabled) return 0;
        try
        {
            // A large-object array tells where the GC's large objects live.
            var probe = GC.AllocateUninitializedArray<byte>(100_000);
            ulong at = (ulong)AddressOf(probe);
            GC.KeepAlive(probe);
            var maps = ReadMappings();
            int k = maps.FindIndex(m => m.Start <= at && at < m.End);
            if (k < 0) return 0;
            int first = k, last = k;
            while (first > 0 && maps[first - 1].Anonymous && maps[first - 1].End == maps[first].Start) first--;
            while (last + 1 < maps.Count && maps[last + 1].Anonymous && maps[last + 1].Start == maps[last].End) last++;
            ulong start = maps[first].Start, end = maps[last].End;
            return Madvise((nint)start, (nuint)(end - start), MadvHugePage) == 0 ? (long)(end - start) : 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Prepares the managed heap for a burst of about <paramref name="bytes"/> of fresh large arrays (an AMG setup): advises
    /// huge pages (<see cref="Advise"/>), then starts a no-GC region of that much large-object space (plus 16 MB of small
    /// objects), which makes the GC commit it in one range, so that first touches there fault 2 MB pages. Dispose ends the
    /// region; the unused part stays committed, free for later arrays (the solve's vectors). Returns null, having changed
    /// nothing, where huge pages are off, the burst is larger than <see cref="MaxReservedBurst"/>, the process is already in a no-GC region, or the GC refuses the size without a
    /// full blocking collection, or the heap is more than 8 times the burst (starting a region collects the whole heap
    /// first, a few ms for a small heap). If the burst (or another thread) allocates more than asked, the GC ends the
    /// region by collecting, as it would have anyway; nothing else changes. No collection can run inside the region, so
    /// this is for short, allocation-heavy sections only; the region is process-wide, so the caller must dispose it on
    /// every path (a <c>using</c>).
    /// </summary>
    public static IDisposable? ReserveForBurst(long bytes)
    {
        if (!Enabled || bytes < 4 << 20 || bytes > MaxReservedBurst || GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) return null;
        Advise();
        var info = GC.GetGCMemoryInfo();
        // Starting the region collects the whole heap first: worth it only where the heap is small against the burst.
        if (info.HeapSizeBytes > 8 * bytes) return null;
        const long smallObjects = 16 << 20;
        // The GC will not commit more than it may hand out: keep the request well inside what the process may hold.
        long cap = info.TotalAvailableMemoryBytes / 4;
        bytes = Math.Min(bytes, cap - smallObjects);
        if (bytes < 4 << 20) return null;
        try
        {
            return GC.TryStartNoGCRegion(bytes + smallObjects, bytes, disallowFullBlockingGC: true) ? new NoGCRegion() : null;
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or InvalidOperationException)
        {
            return null; // larger than the GC's limit for a region, or another thread started one meanwhile
        }
    }

    /// <summary>
    /// The largest burst <see cref="ReserveForBurst"/> reserves (256 MB): above it the call changes nothing. Measured on the
    /// 2-core benchmark VM (bench/RESULTS.md, "Lead's quiet CPU re-run, session 7"), same-script rounds: the reservation
    /// made the first 3D Poisson 50³ AMG setup 2× faster (84 MB reserved: 0.077 s against 0.147–0.215 s), but the 3D 100³
    /// and 2D 1M setups (660 and 480 MB) 1.3–2× slower than faulting the memory as it is written — committing and zeroing
    /// hundreds of MB of huge pages up front costs more there than the 4 KB faults it saves.
    /// </summary>
    public const long MaxReservedBurst = 256L << 20;

    /// <summary>Ends the no-GC region of <see cref="ReserveForBurst"/> if it is still on (an overrun ends it earlier).</summary>
    private sealed class NoGCRegion : IDisposable
    {
        private bool _ended;

        public void Dispose()
        {
            if (_ended) return;
            _ended = true;
            if (GCSettings.LatencyMode != GCLatencyMode.NoGCRegion) return;
            try { GC.EndNoGCRegion(); }
            catch (InvalidOperationException) { } // a collection was induced or the budget was exceeded: the region is over
        }
    }

    private static unsafe nint AddressOf(byte[] a) => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(a));

    private readonly record struct Mapping(ulong Start, ulong End, bool Anonymous);

    /// <summary>The process's mappings from /proc/self/maps ("start-end perms offset dev inode [path]").</summary>
    private static List<Mapping> ReadMappings()
    {
        var list = new List<Mapping>();
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 5) continue;
            int dash = f[0].IndexOf('-');
            ulong s = ulong.Parse(f[0].AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong e = ulong.Parse(f[0].AsSpan(dash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            bool anonymous = f[4] == "0" && (f.Length < 6 || string.IsNullOrWhiteSpace(f[5]));
            list.Add(new Mapping(s, e, anonymous));
        }
        return list;
    }
}
