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
    private readonly List<(int Level, string Stage, double Ms, long PeakBytes, double CpuMs, long Allocated)> _marks = [];
    private double _last;
    private double _lastCpu = On ? CpuMilliseconds() : 0;
    private long _lastAllocated = On ? GC.GetTotalAllocatedBytes(precise: true) : 0;

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
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        _marks.Add((level, stage, now - _last, gpu?.TakeStagePeakLiveBytes() ?? -1, cpu - _lastCpu, allocated - _lastAllocated));
        _last = now; _lastCpu = cpu; _lastAllocated = allocated;
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
        // managed bytes allocated (fresh memory is what costs on a VM with slow first-touch page faults).
        foreach (var (l, s, ms, b, cpu, bytes) in _marks.Where(m => m.Stage != "cycle start"))
            w.WriteLine(string.Create(inv, $"amg-profile  L{l} {s,-14} {ms,9:F2} ms  cpu {cpu,8:F1} ms  alloc {bytes / 1e6,7:F1} MB{Peak(b)}"));
        foreach (var g in _marks.Where(m => m.Stage != "cycle start").GroupBy(m => m.Stage).OrderByDescending(g => g.Sum(m => m.Ms)))
            w.WriteLine(string.Create(inv, $"amg-profile  total {g.Key,-14} {g.Sum(m => m.Ms),9:F2} ms  cpu {g.Sum(m => m.CpuMs),8:F1} ms  alloc {g.Sum(m => m.Allocated) / 1e6,7:F1} MB{Peak(g.Max(m => m.PeakBytes))}"));
        w.WriteLine(string.Create(inv, $"amg-profile  all stages cpu {_marks.Sum(m => m.CpuMs):F1} ms, allocated {_marks.Sum(m => m.Allocated) / 1e6:F1} MB"));
        if (_backend is Kernels.Cuda.IlgpuBackend g2)
            w.WriteLine(string.Create(inv, $"amg-profile  device bytes live {g2.LiveBytes} ({(double)g2.LiveBytes / rows:F0} B/row), peak {g2.PeakLiveBytes} ({(double)g2.PeakLiveBytes / rows:F0} B/row)"));
    }
}
