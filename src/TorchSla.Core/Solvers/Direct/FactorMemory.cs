using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TorchSla.Solvers.Direct;

/// <summary>
/// Large arrays of the direct solvers (the factors: hundreds of MB for a 2-D problem of 10⁶ unknowns; the analysis'
/// index arrays: tens of MB), prepared so that their first touch costs less. Fresh memory is mapped one 4 KiB page per
/// fault when first written, and on the VM of the benchmarks (a PVM guest: the host shadows the guest's page tables)
/// each first touch is expensive twice: the guest's fault, and the host's work on the first write to the page. Measured
/// in C on 710 MB (bench/RESULTS.md, session direct5): writing it fresh 2.1–2.2 s; `madvise(MADV_POPULATE_WRITE)`
/// (Linux ≥ 5.14: maps the range writable in one call, contents untouched) 0.2 s, but the first write after it still
/// 1.4 s; with transparent huge pages (`MADV_HUGEPAGE`) the populate call does all of it, 1.0–1.9 s in all, and the write
/// after it 0.02 s. So large arrays are allocated pinned (their address range never moves and can be advised) and
/// populated — the factors' value arrays with huge pages (<see cref="AllocateFactor"/>), the others with 4 KiB pages
/// (<see cref="Allocate"/>), which at least saves the guest's faults (the process's system time: 2.4 → 1.3 s for the LU
/// of 2D Poisson 1M). Where madvise is missing or fails (another OS, an old kernel) the arrays are ordinary ones and
/// their pages are faulted by whoever writes them first, as before.
/// </summary>
internal static class FactorMemory
{
    private const int MadvPopulateWrite = 23;

    /// <summary>Arrays of at least this many bytes are populated up front (below, a few faults cost less than the pinning).</summary>
    private const long MinPopulateBytes = 1 << 20;

    private static int Madvise(nint address, nuint length, int advice) => Kernels.Cpu.HugePages.Madvise(address, length, advice);

    /// <summary>Whether arrays are populated (on unless TORCHSLA_FACTOR_POPULATE=0, for measuring; Linux only).</summary>
    private static readonly bool PopulateOn = OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("TORCHSLA_FACTOR_POPULATE") != "0";

    private static volatile bool _populateFailed;

    /// <summary>Whether <see cref="Allocate"/> advises huge pages for large arrays (unless TORCHSLA_ALLOC_PAGES=4k).</summary>
    private static readonly bool HugeAllocate = Environment.GetEnvironmentVariable("TORCHSLA_ALLOC_PAGES") != "4k";

    /// <summary>
    /// An uninitialized array of <paramref name="length"/> elements; when it is large (and on Linux ≥ 5.14), pinned and
    /// with every page already mapped, so that writing it costs no guest page faults. From 4 MiB on, its 2 MiB-aligned
    /// interior is advised to use transparent huge pages first (off with TORCHSLA_ALLOC_PAGES=4k, for measuring): on the
    /// benchmark VM a 4 KiB page costs 3.0–3.8 ms per MB to map however recently the memory was used, a 2 MiB page
    /// 2 ms per MB when the host must back it afresh and 0.2–0.35 ms per MB when it was freed moments ago (C, 512 MB,
    /// `touch` in bench/RESULTS.md, session 7); the LU of 2D Poisson 1M then takes 100–105 thousand minor faults
    /// instead of 147–153 thousand.
    /// </summary>
    public static T[] Allocate<T>(int length) where T : unmanaged
    {
        long bytes = (long)length * Unsafe.SizeOf<T>();
        if (!PopulateOn || _populateFailed || bytes < MinPopulateBytes) return GC.AllocateUninitializedArray<T>(length);
        var a = GC.AllocateUninitializedArray<T>(length, pinned: true);
        const long page = 4096;
        long p = Marshal.UnsafeAddrOfPinnedArrayElement(a, 0);
        long lo = p & ~(page - 1), hi = (p + bytes + page - 1) & ~(page - 1);
        // The first and last page may hold neighbouring objects: populating never changes contents, so that is harmless.
        try
        {
            if (HugeAllocate && bytes >= 2 * HugePage)
            {
                var (hlo, hhi) = HugeInterior(p, bytes);
                if (hhi > hlo) Madvise((nint)hlo, (nuint)(hhi - hlo), MadvHugePage);
            }
            if (Madvise((nint)lo, (nuint)(hi - lo), MadvPopulateWrite) != 0) _populateFailed = true; // kernel < 5.14: stop asking
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { _populateFailed = true; }
        return a;
    }

    private const int MadvHugePage = 14;
    private const long HugePage = 2 << 20;

    /// <summary>
    /// How the factors' value arrays are prepared: TORCHSLA_FACTOR_MEMORY = plain (an ordinary array) | populate (as
    /// <see cref="Allocate"/>) | huge (huge-page advice only) | huge-populate (advice, then populated before the
    /// factorization) | huge-prefault (the default: advice, then populated by a background thread while the
    /// factorization runs).
    /// </summary>
    private static readonly string FactorMode = Environment.GetEnvironmentVariable("TORCHSLA_FACTOR_MEMORY") ?? "huge-prefault";

    /// <summary>
    /// An uninitialized array for a factor's values (hundreds of MB on large problems): pinned, its 2 MiB-aligned
    /// interior advised to use transparent huge pages (<c>MADV_HUGEPAGE</c>; this VM's THP policy is <c>madvise</c>), and
    /// populated from the end backwards by a thread-pool thread while the factorization writes it from the start (the
    /// fronts near the root, at the end, come last). On the benchmark VM the populate call then carries the first-touch
    /// cost of the pages it reaches first, in parallel with the factorization's work (C, 710 MB, first write after the
    /// preparation included: 2.1–2.2 s plain, 1.6 s populated with 4 KiB pages, 1.0–1.9 s huge pages populated; LU of
    /// 2D Poisson 1M, factor seconds, runs 6 s apart: populated before the factorization 2.33–2.37, in the background
    /// 2.02–2.11; bench/RESULTS.md, session direct5). Small arrays, other systems and a failed advice get
    /// <see cref="Allocate"/>'s treatment.
    /// </summary>
    public static double[] AllocateFactor(int length)
    {
        long bytes = (long)length * sizeof(double);
        if (FactorMode == "plain") return GC.AllocateUninitializedArray<double>(length);
        if (!OperatingSystem.IsLinux() || FactorMode == "populate" || bytes < 16 * HugePage || _populateFailed) return Allocate<double>(length);
        var a = GC.AllocateUninitializedArray<double>(length, pinned: true);
        var (lo, hi) = HugeInterior(Marshal.UnsafeAddrOfPinnedArrayElement(a, 0), bytes);
        try
        {
            if (Madvise((nint)lo, (nuint)(hi - lo), MadvHugePage) != 0) return a;
            if (FactorMode == "huge-populate") Madvise((nint)lo, (nuint)(hi - lo), MadvPopulateWrite);   // a failure leaves the pages to be faulted on first write
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { _populateFailed = true; return a; }
        if (FactorMode == "huge-prefault")
            _ = Task.Run(() =>
            {
                // From the end (the fronts near the root, written last) backwards, while the factorization writes from the
                // start: populating never changes contents, so both may touch the same pages. LU's L and U each get a
                // thread of their own (one thread taking both in turn was not faster: LU of 2D Poisson 1M 3.45–4.01 s
                // against 3.41–3.45 s, bench/RESULTS.md, session direct6).
                for (long end = hi; end > lo; end -= 8 * HugePage)
                {
                    long from = Math.Max(lo, end - 8 * HugePage);
                    if (Madvise((nint)from, (nuint)(end - from), MadvPopulateWrite) != 0) break;
                }
                GC.KeepAlive(a);
            });
        return a;
    }

    /// <summary>The 2 MiB-aligned range inside [<paramref name="address"/>, address + <paramref name="bytes"/>) (empty: lo ≥ hi).</summary>
    private static (long Lo, long Hi) HugeInterior(long address, long bytes) =>
        ((address + HugePage - 1) & ~(HugePage - 1), (address + bytes) & ~(HugePage - 1));

    /// <summary>A zeroed array of <paramref name="length"/> elements, populated as <see cref="Allocate"/> does when large (then zeroing it writes mapped pages).</summary>
    public static T[] Zeroed<T>(int length) where T : unmanaged
    {
        var a = Allocate<T>(length);
        Array.Clear(a);
        return a;
    }
}
