using System.Diagnostics;

namespace TorchSla.Bench;

/// <summary>Median-of-samples timing, the same protocol as Python's timeit.repeat in scipy_spmv.py.</summary>
internal static class Timing
{
    /// <summary>Calls per sample such that one sample lasts about <paramref name="targetSeconds"/>.</summary>
    public static int Calibrate(Action op, double targetSeconds = 0.02)
    {
        op();
        int number = 1;
        while (true)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < number; i++) op();
            double t = sw.Elapsed.TotalSeconds;
            if (t >= targetSeconds / 4 || number >= 1 << 24)
                return Math.Max(1, (int)Math.Ceiling(number * targetSeconds / Math.Max(t, 1e-9)));
            number *= 4;
        }
    }

    /// <summary>Seconds per call of each of <paramref name="repeat"/> samples of <paramref name="number"/> calls.</summary>
    public static List<double> Samples(Action op, int number, int repeat)
    {
        var res = new List<double>(repeat);
        for (int r = 0; r < repeat; r++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < number; i++) op();
            res.Add(sw.Elapsed.TotalSeconds / number);
        }
        return res;
    }

    public static double Median(IEnumerable<double> xs)
    {
        var a = xs.OrderBy(v => v).ToArray();
        return a.Length % 2 == 1 ? a[a.Length / 2] : 0.5 * (a[a.Length / 2 - 1] + a[a.Length / 2]);
    }
}
