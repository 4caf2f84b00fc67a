using System.Diagnostics;
using System.Globalization;
using TorchSla.Kernels;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Per-stage, per-level wall times of an AMG setup, for finding where the setup goes. Off unless the
/// environment variable <c>TORCHSLA_AMG_PROFILE</c> is 1: then every mark waits for the device (so each
/// stage is charged with its own kernels, at the price of a synchronisation per stage) and the table is
/// written to standard error when the setup ends. On a GPU each stage also gets the peak of the device bytes held by
/// live storages while it ran (<see cref="Kernels.Cuda.IlgpuBackend.TakeStagePeakLiveBytes"/>), per row of the finest
/// level, so that the stage that sets the setup's peak is named.
/// </summary>
internal sealed class AmgSetupProfile
{
    private static readonly bool On = Environment.GetEnvironmentVariable("TORCHSLA_AMG_PROFILE") == "1";

    /// <summary>Whether profiling is on (TORCHSLA_AMG_PROFILE=1).</summary>
    public bool Enabled => On;
    private readonly Backend _backend;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly List<(int Level, string Stage, double Ms, long PeakBytes, double CpuMs, long Allocated, double JitMs, long Faults)> _marks = [];
    private double _last;
    private double _lastCpu = On ? CpuMilliseconds() : 0;
    private long _lastAllocated = On ? GC.GetTotalAllocatedBytes(precise: true) : 0;
    private double _lastJit = On ? JitMilliseconds() : 0;
    private long _lastFaults = On ? MinorFaults() : 0;

    /// <summary>Time the JIT spent compiling, all threads (the tier-1 background compiler included), ms.</summary>
    private static double JitMilliseconds() => System.Runtime.JitInfo.GetCompilationTime(currentThread: false).TotalMilliseconds;

    /// <summary>Minor page faults of the process (field 10 of /proc/self/stat: first touches of fresh memory); 0 without procfs.</summary>
    private static long MinorFaults()
    {
        try
        {
            string stat = File.ReadAllText("/proc/self/stat");
            return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    /// <summary>Processor time of the whole process (all threads, user + kernel: page faults included), ms.</summary>
    private static double CpuMilliseconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;

    public AmgSetupProfile(Backend backend)
    {
        _backend = backend;
        if (On) (backend as Kernels.Cuda.IlgpuBackend)?.TakeStagePeakLiveBytes();
    }

    /// <summary>Charges the time since the previous mark to <paramref name="stage"/> of <paramref name="level"/>.</summary>
    public void Mark(int level, string stage)
    {
        if (!On) return;
        var gpu = _backend as Kernels.Cuda.IlgpuBackend;
        gpu?.Synchronize();
        double now = _watch.Elapsed.TotalMilliseconds, cpu = CpuMilliseconds();
        long allocated = GC.GetTotalAllocatedBytes(precise: true), faults = MinorFaults();
        double jit = JitMilliseconds();
        _marks.Add((level, stage, now - _last, gpu?.TakeStagePeakLiveBytes() ?? -1, cpu - _lastCpu, allocated - _lastAllocated, jit - _lastJit, faults - _lastFaults));
        _last = now; _lastCpu = cpu; _lastAllocated = allocated; _lastJit = jit; _lastFaults = faults;
    }

    /// <summary>Writes one line per level and stage, then the totals per stage.</summary>
    public void Report(int rows)
    {
        if (!On) return;
        var inv = CultureInfo.InvariantCulture;
        var w = Console.Error;
        w.WriteLine(string.Create(inv, $"amg-profile: setup of {rows} rows, {_last:F1} ms"));
        string Peak(long bytes) => bytes < 0 ? "" : string.Create(inv, $"  peak {(double)bytes / rows,6:F0} B/row");
        // Wall time, processor time of all threads (less sensitive than wall time to other processes on a shared machine) and
        // managed bytes allocated and minor page faults as MB of 4 KB pages (fresh memory is what costs on a VM with slow
        // first-touch page faults), and the JIT's compilation time (a first setup in a process runs code still being compiled).
        foreach (var (l, s, ms, b, cpu, bytes, jit, faults) in _marks.Where(m => m.Stage != "cycle start"))
            w.WriteLine(string.Create(inv, $"amg-profile  L{l} {s,-14} {ms,9:F2} ms  cpu {cpu,8:F1} ms  alloc {bytes / 1e6,7:F1} MB  faults {faults * 4096 / 1e6,6:F1} MB  jit {jit,6:F1} ms{Peak(b)}"));
        foreach (var g in _marks.Where(m => m.Stage != "cycle start").GroupBy(m => m.Stage).OrderByDescending(g => g.Sum(m => m.Ms)))
            w.WriteLine(string.Create(inv, $"amg-profile  total {g.Key,-14} {g.Sum(m => m.Ms),9:F2} ms  cpu {g.Sum(m => m.CpuMs),8:F1} ms  alloc {g.Sum(m => m.Allocated) / 1e6,7:F1} MB  faults {g.Sum(m => m.Faults) * 4096 / 1e6,6:F1} MB  jit {g.Sum(m => m.JitMs),6:F1} ms{Peak(g.Max(m => m.PeakBytes))}"));
        w.WriteLine(string.Create(inv, $"amg-profile  all stages cpu {_marks.Sum(m => m.CpuMs):F1} ms, allocated {_marks.Sum(m => m.Allocated) / 1e6:F1} MB, faults {_marks.Sum(m => m.Faults) * 4096 / 1e6:F1} MB, jit {_marks.Sum(m => m.JitMs):F1} ms"));
        if (_backend is Kernels.Cuda.IlgpuBackend g2)
            w.WriteLine(string.Create(inv, $"amg-profile  device bytes live {g2.LiveBytes} ({(double)g2.LiveBytes / rows:F0} B/row), peak {g2.PeakLiveBytes} ({(double)g2.PeakLiveBytes / rows:F0} B/row)"));
    }
}
