using System.Diagnostics;

namespace TorchSla.Bench;

/// <summary>
/// STREAM-style copy (c = a) and triad (a = b + s·c) over 128 MiB arrays, with one thread and
/// with all threads, median of 10 passes. Bytes counted as STREAM does (reads + writes, no
/// write-allocate traffic), so these are the ceiling a streaming kernel like SpMV can reach.
/// </summary>
internal static class MemoryBandwidth
{
    public static int Run()
    {
        const int n = 1 << 24;
        var a = new double[n]; var b = new double[n]; var c = new double[n];
        Parallel.For(0, 16, p => { int s = p * (n / 16); for (int i = s; i < s + n / 16; i++) { a[i] = 1; b[i] = 2; c[i] = 0.5; } });
        Console.WriteLine($"| threads | copy GB/s | triad GB/s |");
        Console.WriteLine($"|---|---|---|");
        foreach (int threads in new[] { 1, Environment.ProcessorCount })
        {
            double copy = Measure(threads, n, (s, e) => a.AsSpan(s, e - s).CopyTo(c.AsSpan(s, e - s)), 16.0 * n);
            double triad = Measure(threads, n, (s, e) =>
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(c.AsSpan(s, e - s), 3.0, b.AsSpan(s, e - s), a.AsSpan(s, e - s)), 24.0 * n);
            Console.WriteLine($"| {threads} | {copy:F1} | {triad:F1} |");
        }
        return 0;
    }

    private static double Measure(int threads, int n, Action<int, int> body, double bytes)
    {
        var gbs = new List<double>();
        var opts = new ParallelOptions { MaxDegreeOfParallelism = threads };
        for (int rep = 0; rep < 11; rep++)
        {
            var sw = Stopwatch.StartNew();
            Parallel.For(0, threads, opts, t => body((int)((long)n * t / threads), (int)((long)n * (t + 1) / threads)));
            double s = sw.Elapsed.TotalSeconds;
            if (rep > 0) gbs.Add(bytes / s / 1e9);
        }
        return Timing.Median(gbs);
    }
}
