using System.Diagnostics;
using System.Globalization;

namespace TorchSla.Solvers.Direct;

/// <summary>
/// Wall-clock stages of a direct factorization (analysis sub-stages, the numeric factorization's phases, the solve),
/// for finding where the time goes. Off unless the environment variable <c>TORCHSLA_DIRECT_PROFILE</c> is 1: then
/// <see cref="Mark"/> charges the wall time since the previous mark to a stage (with the minor page faults in between, as MB of 4 KiB pages, and the growth of the resident set, pages of every size) and <see cref="Add"/> sums the time a
/// phase takes inside the parallel traversal over all threads (so those sums may exceed the wall time); each is written
/// to standard error as it happens. When off, every call is a branch on a static readonly field, which the JIT folds.
/// </summary>
internal static class DirectProfile
{
    /// <summary>Whether profiling is on (TORCHSLA_DIRECT_PROFILE=1).</summary>
    public static readonly bool On = Environment.GetEnvironmentVariable("TORCHSLA_DIRECT_PROFILE") == "1";

    private static readonly Stopwatch Watch = Stopwatch.StartNew();
    private static double _last;
    private static long _lastFaults, _lastRss;
    private static readonly Dictionary<string, long> Sums = [];

    /// <summary>Restarts the stage clock (the next <see cref="Mark"/> is timed from here).</summary>
    public static void Start()
    {
        if (!On) return;
        lock (Sums) { _last = Watch.Elapsed.TotalMilliseconds; _lastFaults = MinorFaults(); _lastRss = ResidentKb(); }
    }

    /// <summary>Minor page faults of this process so far (field 10 of /proc/self/stat; 0 where there is none).</summary>
    private static long MinorFaults()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[7], CultureInfo.InvariantCulture);
        }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
    }

    /// <summary>Resident set of this process in KiB (VmRSS of /proc/self/status: pages of every size; 0 where there is none).</summary>
    private static long ResidentKb()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 0;
    }

    /// <summary>Charges the wall time since the previous mark (or <see cref="Start"/>) to <paramref name="stage"/>.</summary>
    public static void Mark(string stage)
    {
        if (!On) return;
        lock (Sums)
        {
            double now = Watch.Elapsed.TotalMilliseconds;
            long faults = MinorFaults(), rss = ResidentKb();
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"direct-profile  {stage,-48} {now - _last,9:F1} ms  {(faults - _lastFaults) * 4096.0 / (1 << 20),8:F1} MB faulted  {(rss - _lastRss) / 1024.0,8:F1} MB resident (now {rss / 1024.0:F0})"));
            _last = now; _lastFaults = faults; _lastRss = rss;
        }
    }

    /// <summary>A timestamp for <see cref="Add"/> (0 when off).</summary>
    public static long Now() => On ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Adds the time since <paramref name="since"/> to the thread-summed phase <paramref name="phase"/>; returns the new timestamp.</summary>
    public static long Add(string phase, long since)
    {
        if (!On) return 0;
        long t = Stopwatch.GetTimestamp();
        lock (Sums) Sums[phase] = Sums.GetValueOrDefault(phase) + (t - since);
        return t;
    }

    /// <summary>Writes one line for a subtree of the parallel traversal: its root, flops, supernodes, thread, and when it ran (ms since the clock's start).</summary>
    public static void Subtree(int root, double flops, int nodes, long since)
    {
        if (!On) return;
        double f = Stopwatch.Frequency / 1000.0, origin = Watch.Elapsed.TotalMilliseconds - (Stopwatch.GetTimestamp() - since) / f;
        lock (Sums)
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"direct-profile      subtree {root,8} {flops,10:E2} flops {nodes,7} nodes  thread {Environment.CurrentManagedThreadId,3}  {origin,9:F1} → {Watch.Elapsed.TotalMilliseconds,9:F1} ms"));
    }

    /// <summary>Writes the thread-summed phases under <paramref name="title"/> and clears them.</summary>
    public static void ReportSums(string title)
    {
        if (!On) return;
        lock (Sums)
        {
            foreach (var (k, v) in Sums.OrderByDescending(p => p.Value))
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"direct-profile    {title} {k,-36} {v * 1000.0 / Stopwatch.Frequency,9:F1} ms (all threads)"));
            Sums.Clear();
        }
    }
}
