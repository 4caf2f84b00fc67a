using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TorchSla.Solvers.Direct;

/// <summary>
/// Large arrays of the direct solvers (the factors: hundreds of MB for a 2-D problem of 10⁶ unknowns; the analysis'
/// index arrays: tens of MB) with their pages mapped up front in one system call. Fresh memory is mapped by the kernel
/// one 4 KiB page per fault when first written; on the Firecracker VM of the benchmarks each fault is expensive:
/// writing one byte per page of a fresh 710 MB mapping took 2.0 s on one core, and `madvise(MADV_POPULATE_WRITE)`
/// (Linux ≥ 5.14: maps the range writable, contents untouched) mapped the same 710 MB in 0.14–0.16 s; transparent huge
/// pages (`MADV_HUGEPAGE`, then touching or populating) took 0.8–4 s, no better (C, /tmp, bench/RESULTS.md session
/// direct5). So a large array is allocated pinned (its address range never moves, so it can be advised) and
/// populated before use. Where madvise is missing or fails (another OS, an old kernel) the array is an ordinary one
/// and its pages are faulted by whoever writes them first, as before.
/// </summary>
internal static class FactorMemory
{
    private const int MadvPopulateWrite = 23;

    /// <summary>Arrays of at least this many bytes are populated up front (below, a few faults cost less than the pinning).</summary>
    private const long MinPopulateBytes = 1 << 20;

    [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static extern int Madvise(nint address, nuint length, int advice);

    /// <summary>Whether arrays are populated (on unless TORCHSLA_FACTOR_POPULATE=0, for measuring; Linux only).</summary>
    private static readonly bool PopulateOn = OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("TORCHSLA_FACTOR_POPULATE") != "0";

    private static volatile bool _populateFailed;

    /// <summary>
    /// An uninitialized array of <paramref name="length"/> elements; when it is large (and on Linux ≥ 5.14), pinned and
    /// with every page already mapped, so that writing it costs no page faults.
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
            if (Madvise((nint)lo, (nuint)(hi - lo), MadvPopulateWrite) != 0) _populateFailed = true; // kernel < 5.14: stop asking
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { _populateFailed = true; }
        return a;
    }

    /// <summary>A zeroed array of <paramref name="length"/> elements, populated as <see cref="Allocate"/> does when large (then zeroing it writes mapped pages).</summary>
    public static T[] Zeroed<T>(int length) where T : unmanaged
    {
        var a = Allocate<T>(length);
        Array.Clear(a);
        return a;
    }
}
