using System.Diagnostics;
using TorchSla.Kernels;
using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Memory;

namespace TorchSla.Bench;

/// <summary>
/// `cg-bytes [M ...] [--reps R]`: the bytes and the achieved bandwidth of each pass of one three-pass Jacobi-PCG
/// iteration on poisson2d:M (float64; default 500 and 1000), with the plain CSR and with the compressed CSR
/// (<see cref="PackedCsr{T}"/>: row templates or delta/index compression), against a STREAM triad a = b + s·c on as many threads, all in one run.
/// Bytes are counted as STREAM counts them (each array read or written once, no write-allocate traffic):
/// SpMVDot reads the matrix (row offsets, columns, values, or the compressed streams) and p, writes q;
/// CgUpdate reads x, p, r, q, D and writes x, r (56 B/row); CgDirection reads r, D, p and writes p (32 B/row).
/// The passes run in the solve's order, 20·R iterations, each call timed, medians; the scalar block is reset before
/// every call so that no system stops.
/// </summary>
internal static class CgBytesBench
{
    public static int Run(string[] args)
    {
        int reps = 9;
        var sizes = new List<int>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--reps" && i + 1 < args.Length) reps = int.Parse(args[++i]);
            else if (args[i].StartsWith("--", StringComparison.Ordinal)) continue;
            else sizes.Add(int.Parse(args[i]));
        }
        if (sizes.Count == 0) sizes = [500, 1000];
        var be = CpuBackend.Instance;
        if (args.Contains("--ab")) return AlternatingSpMVDot(sizes, reps);
        if (args.Contains("--solve")) return Solves(sizes);
        Console.WriteLine($"{be.Description}; load average before: {File.ReadAllText("/proc/loadavg").Trim()}");
        double triad = Triad(reps);
        Console.WriteLine($"STREAM triad, {CpuBackend.Threads} threads, 3 × 128 MiB: {triad:F1} GB/s");
        Console.WriteLine();
        Console.WriteLine("| n | storage | pass | bytes/iteration | ms | GB/s | % of triad |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (int m in sizes)
        {
            var a = SparseTensor.Poisson2D<double>(m);
            int n = a.Rows, nnz = a.Nnz;
            var layout = VectorBatch.Single(n);
            Storage<double> V(double v) { var s = be.Allocate<double>(n); be.Fill(s, 0, n, v); return s; }
            var x = V(0); var r = V(1); var p = V(0.5); var q = V(0); var d = V(0.25);
            int stride = CgScalars.Stride(8);
            var scalars = be.Allocate<double>(stride);
            var host = new double[stride];
            host[CgScalars.RhoA] = host[CgScalars.RhoB] = 1; host[CgScalars.Curvature] = 1e30; host[CgScalars.AlphaIteration] = -1;
            foreach (bool packed in new[] { false, true })
            {
                CsrCompression.Forget(a.Values);
                long matrixBytes = 4L * (n + 1) + 12L * nnz;
                string storage = "plain CSR";
                if (packed)
                {
                    var sw0 = Stopwatch.StartNew();
                    CsrCompression.Prepare(a.Indices, a.Values, 0, now: true);
                    double build = sw0.Elapsed.TotalMilliseconds;
                    var c = CsrCompression.Find(a.Indices, a.Values, 0) ?? throw new InvalidOperationException("compression declined");
                    matrixBytes = c.Bytes;
                    storage = $"{c.Description}; built in {build:F1} ms";
                }
                long spmvBytes = matrixBytes + 16L * n, updateBytes = 56L * n, directionBytes = 32L * n;
                // The three passes in the solve's order, each call timed: every pass finds the caches as the previous
                // pass left them, as in a solve (a pass repeated alone would find its own vectors in the L3).
                var ts = new List<double>(); var tu = new List<double>(); var td = new List<double>();
                for (int it = 0; it < 20 * reps + 3; it++)
                {
                    scalars.CopyFrom(host);
                    var sw = Stopwatch.StartNew();
                    be.SpMVDot(a.Indices, a.Values, 0, p, q, layout, scalars, stride, CgScalars.Curvature);
                    double s1 = sw.Elapsed.TotalSeconds;
                    scalars.CopyFrom(host);
                    sw.Restart();
                    be.CgUpdate(x, p, r, q, d, layout, scalars, stride, CgScalars.RhoA, CgScalars.RhoB, 1);
                    double s2 = sw.Elapsed.TotalSeconds;
                    scalars.CopyFrom(host);
                    sw.Restart();
                    be.CgDirection(r, d, p, layout, scalars, stride, CgScalars.RhoB, CgScalars.RhoA, 1);
                    double s3 = sw.Elapsed.TotalSeconds;
                    if (it < 3) continue; // warm-up
                    ts.Add(s1); tu.Add(s2); td.Add(s3);
                }
                double tS = Timing.Median(ts), tU = Timing.Median(tu), tD = Timing.Median(td);
                void Row(string pass, long bytes, double s) =>
                    Console.WriteLine($"| {n:N0} | {storage} | {pass} | {bytes / 1e6:F1} MB | {s * 1e3:F3} | {bytes / s / 1e9:F1} | {bytes / s / 1e9 / triad * 100:F0}% |");
                Row("SpMVDot (q = A·p, pᵀq)", spmvBytes, tS);
                Row("CgUpdate (x, r, ‖r‖², rᵀDr)", updateBytes, tU);
                Row("CgDirection (p = D·r + β·p)", directionBytes, tD);
                Row("**iteration**", spmvBytes + updateBytes + directionBytes, tS + tU + tD);
            }
            CsrCompression.Forget(a.Values);
        }
        Console.WriteLine();
        Console.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    /// <summary>`--solve`: whole Jacobi-PCG solves (rtol 1e-8, three passes), compressed (fresh build inside, then reused), plain, compressed again.</summary>
    private static int Solves(List<int> sizes)
    {
        Console.WriteLine($"{CpuBackend.Instance.Description}; load average before: {File.ReadAllText("/proc/loadavg").Trim()}");
        var options = new Solvers.SolveOptions { Method = Solvers.SolveMethod.CG, Preconditioner = "jacobi", RelativeTolerance = 1e-8 };
        foreach (int m in sizes)
        {
            var a = SparseTensor.Poisson2D<double>(m);
            var b = Tensor<double>.Ones([a.Rows]);
            Solvers.Krylov.Cg.TwoPass = false;
            try
            {
                foreach (var (label, on, forget) in new[] { ("compressed, built inside", true, true), ("plain", false, false), ("compressed, reused", true, false), ("plain", false, false) })
                {
                    if (forget) CsrCompression.Forget(a.Values);
                    CsrCompression.Enabled = on;
                    var sw = Stopwatch.StartNew();
                    var res = a.Solve(b, options);
                    double t = sw.Elapsed.TotalSeconds;
                    CsrCompression.Enabled = true;
                    var c = CsrCompression.Find(a.Indices, a.Values, 0);
                    Console.WriteLine($"poisson2d:{m} {label}: {res.Iterations} it, {t:F3} s, {t / res.Iterations * 1e3:F3} ms/it; encoding: {(on ? c?.Description ?? "none" : "off")}{(forget ? $", built in {CsrCompression.LastBuildMilliseconds:F1} ms" : "")}");
                }
            }
            finally { Solvers.Krylov.Cg.TwoPass = null; CsrCompression.Enabled = true; }
        }
        Console.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    /// <summary>`--ab`: SpMVDot with the plain and the compressed matrix alternating call by call (load drift cancels), medians.</summary>
    private static int AlternatingSpMVDot(List<int> sizes, int reps)
    {
        var be = CpuBackend.Instance;
        Console.WriteLine($"{be.Description}; load average before: {File.ReadAllText("/proc/loadavg").Trim()}");
        foreach (int m in sizes)
        {
            var a = SparseTensor.Poisson2D<double>(m);
            int n = a.Rows;
            var plainValues = be.Upload<double>(a.GetValues()); // another storage: never prepared, so plain
            CsrCompression.Prepare(a.Indices, a.Values, 0, now: true);
            var layout = VectorBatch.Single(n);
            var p = be.Allocate<double>(n); be.Fill(p, 0, n, 0.5);
            var q = be.Allocate<double>(n);
            int stride = CgScalars.Stride(8);
            var scalars = be.Allocate<double>(stride);
            var tp = new List<double>(); var tc = new List<double>();
            for (int i = 0; i < 40 * reps; i++)
            {
                var sw = Stopwatch.StartNew();
                be.SpMVDot(a.Indices, plainValues, 0, p, q, layout, scalars, stride, CgScalars.Curvature);
                tp.Add(sw.Elapsed.TotalMilliseconds); sw.Restart();
                be.SpMVDot(a.Indices, a.Values, 0, p, q, layout, scalars, stride, CgScalars.Curvature);
                tc.Add(sw.Elapsed.TotalMilliseconds);
            }
            double mp = Timing.Median(tp), mc = Timing.Median(tc);
            Console.WriteLine($"poisson2d:{m} SpMVDot: plain {mp:F3} ms, compressed {mc:F3} ms, plain/compressed {mp / mc:F2}×");
        }
        Console.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    /// <summary>a = b + 3·c over 3 × 2^24 doubles on all threads (the kernels' thread count), median GB/s.</summary>
    private static double Triad(int reps)
    {
        const int N = 1 << 24;
        var a = new double[N]; var b = new double[N]; var c = new double[N];
        int threads = CpuBackend.Threads;
        Parallel.For(0, threads, t => { for (int i = N / threads * t; i < N / threads * (t + 1); i++) { a[i] = 1; b[i] = 2; c[i] = 0.5; } });
        var gbs = new List<double>();
        for (int rep = 0; rep <= reps; rep++)
        {
            var sw = Stopwatch.StartNew();
            Parallel.For(0, threads, t =>
            {
                int s = (int)((long)N * t / threads), e = (int)((long)N * (t + 1) / threads);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(c.AsSpan(s, e - s), 3.0, b.AsSpan(s, e - s), a.AsSpan(s, e - s));
            });
            if (rep > 0) gbs.Add(24.0 * N / sw.Elapsed.TotalSeconds / 1e9);
        }
        return Timing.Median(gbs);
    }
}
