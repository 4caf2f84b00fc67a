using System.Diagnostics;
using TorchSla.Kernels;
using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Memory;

namespace TorchSla.Bench;

/// <summary>
/// `cg-passes [M] [--reps R]`: the CPU primitives of one Jacobi-PCG iteration on poisson2d:M (default 1000), timed
/// back to back: the three-pass iteration (SpMVDot, CgUpdate, CgDirection) against the two-pass one
/// (CgDirectionSpMVDot, CgUpdate with x deferred), alternating, fastest of R rounds of 20 iterations each. The scalar
/// block is reset so every system stays active (α, β are those of a real first iteration; the values do not matter
/// for the time, only that nothing freezes).
/// </summary>
internal static class CgPassesBench
{
    public static int Run(string[] args)
    {
        int m = 1000, reps = 5;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--reps" && i + 1 < args.Length) reps = int.Parse(args[++i]);
            else m = int.Parse(args[i]);
        }
        var be = CpuBackend.Instance;
        var a = SparseTensor.Poisson2D<double>(m);
        int n = a.Rows;
        var layout = VectorBatch.Single(n);
        Storage<double> V(double v) { var s = be.Allocate<double>(n); be.Fill(s, 0, n, v); return s; }
        var x = V(0); var r = V(1); var p = V(0.5); var p2 = V(0); var q = V(0); var d = V(0.25);
        int stride = CgScalars.Stride(8);
        var scalars = be.Allocate<double>(stride);
        var host = new double[stride];
        void Reset()
        {
            Array.Clear(host);
            host[CgScalars.RhoA] = host[CgScalars.RhoB] = 1; host[CgScalars.Curvature] = 1e30; host[CgScalars.BoundSquared] = 0;
            host[CgScalars.AlphaIteration] = -1;
            scalars.CopyFrom(host);
        }
        const int Iterations = 20;
        double Three()
        {
            Reset();
            var sw = Stopwatch.StartNew();
            for (int k = 1; k <= Iterations; k++)
            {
                be.SpMVDot(a.Indices, a.Values, 0, p, q, layout, scalars, stride, CgScalars.Curvature);
                if (Environment.GetEnvironmentVariable("CGP_RESET") != "0") scalars.CopyFrom(host); // keep α, β fixed and every system active (a host write, as cheap as a read)
                be.CgUpdate(x, p, r, q, d, layout, scalars, stride, CgScalars.RhoA, CgScalars.RhoB, k);
                be.CgDirection(r, d, p, layout, scalars, stride, CgScalars.RhoB, CgScalars.RhoA, k);
            }
            return sw.Elapsed.TotalMilliseconds / Iterations;
        }
        double Two()
        {
            Reset();
            var sw = Stopwatch.StartNew();
            for (int k = 1; k <= Iterations; k++)
            {
                be.CgDirectionSpMVDot(a.Indices, a.Values, 0, false, r, d, k % 2 == 1 ? p : p2, k % 2 == 1 ? p2 : p, x, q,
                    layout, scalars, stride, CgScalars.RhoA, CgScalars.RhoB, k);
                if (Environment.GetEnvironmentVariable("CGP_RESET") != "0") scalars.CopyFrom(host);
                be.CgUpdate(null, null, r, q, d, layout, scalars, stride, CgScalars.RhoA, CgScalars.RhoB, k);
            }
            return sw.Elapsed.TotalMilliseconds / Iterations;
        }
        // Check that pass 1 did the work: q = A·p_new with p_new = D·r + β·p_old.
        Reset();
        be.Fill(p, 0, n, 0.5); be.Fill(p2, 0, n, 0);
        be.CgDirectionSpMVDot(a.Indices, a.Values, 0, false, r, d, p, p2, x, q, layout, scalars, stride, CgScalars.RhoA, CgScalars.RhoB, 1);
        var check = be.Allocate<double>(n);
        be.SpMV(a.Indices, a.Values, 0, p2, 0, check, 0, 1.0, 0.0);
        var qa = new double[n]; var ca = new double[n]; var pa = new double[n];
        q.CopyTo(qa); check.CopyTo(ca); p2.CopyTo(pa);
        double err = 0; for (int i = 0; i < n; i++) err = Math.Max(err, Math.Abs(qa[i] - ca[i]));
        Console.WriteLine($"check: p_new[0] = {pa[0]} (expect 0.75), max |q − A·p_new| = {err}, q[0] = {qa[0]}");
        double best3 = double.PositiveInfinity, best2 = double.PositiveInfinity;
        Three(); Two(); // JIT
        {
            var t = new double[5];
            for (int rep = 0; rep < 10; rep++)
            {
                var sw = Stopwatch.StartNew();
                be.SpMVDot(a.Indices, a.Values, 0, p, q, layout, scalars, stride, CgScalars.Curvature); t[0] += sw.Elapsed.TotalMilliseconds; sw.Restart();
                be.CgUpdate(x, p, r, q, d, layout, scalars, stride, CgScalars.RhoA, CgScalars.RhoB, 1); t[1] += sw.Elapsed.TotalMilliseconds; sw.Restart();
                be.CgDirection(r, d, p, layout, scalars, stride, CgScalars.RhoB, CgScalars.RhoA, 1); t[2] += sw.Elapsed.TotalMilliseconds; sw.Restart();
                be.CgDirectionSpMVDot(a.Indices, a.Values, 0, false, r, d, p, p2, x, q, layout, scalars, stride, CgScalars.RhoA, CgScalars.RhoB, 2); t[3] += sw.Elapsed.TotalMilliseconds; sw.Restart();
                be.CgUpdate(null, null, r, q, d, layout, scalars, stride, CgScalars.RhoA, CgScalars.RhoB, 2); t[4] += sw.Elapsed.TotalMilliseconds;
                var hh = new double[stride]; scalars.CopyTo(hh);
                if (rep == 9) Console.WriteLine("status " + hh[0] + " pq " + hh[3]);
            }
            Console.WriteLine($"ms: SpMVDot {t[0] / 10:F3}, Update {t[1] / 10:F3}, Direction {t[2] / 10:F3} | pass 1 {t[3] / 10:F3}, pass 2 {t[4] / 10:F3}");
        }
        foreach (var (name, v) in new[] { ("x", x), ("r", r), ("p", p), ("p2", p2), ("q", q) })
        {
            var h = new double[n]; v.CopyTo(h);
            int sub = h.Count(double.IsSubnormal), nf = h.Count(t => !double.IsFinite(t));
            Console.WriteLine($"{name}: subnormal {sub}, non-finite {nf}, max {h.Max(Math.Abs)}");
        }
        var sh = new double[stride]; scalars.CopyTo(sh); Console.WriteLine("scalars: " + string.Join(", ", sh));
        for (int i = 0; i < reps; i++) { best3 = Math.Min(best3, Three()); best2 = Math.Min(best2, Two()); }
        // Whole solves, 200 iterations, both modes alternating.
        var ones = Tensor<double>.Ones([n]);
        var so = new Solvers.SolveOptions { Method = Solvers.SolveMethod.CG, Preconditioner = "jacobi", MaxIterations = 200, RelativeTolerance = 1e-30 };
        double s3 = double.PositiveInfinity, s2 = double.PositiveInfinity;
        for (int i = 0; i < 3; i++)
        {
            Solvers.Krylov.Cg.TwoPass = false;
            var sw = Stopwatch.StartNew(); a.Solve(ones, so); s3 = Math.Min(s3, sw.Elapsed.TotalMilliseconds / 200);
            Solvers.Krylov.Cg.TwoPass = true;
            sw.Restart(); a.Solve(ones, so); s2 = Math.Min(s2, sw.Elapsed.TotalMilliseconds / 200);
        }
        Console.WriteLine($"solves: three passes {s3:F3} ms/iteration, two passes {s2:F3} ms/iteration");
        foreach (var (pc, ce) in new[] { ("jacobi", 8), ("none", 1), ("none", 8) })
        {
            s3 = s2 = double.PositiveInfinity;
            var o2 = so with { Preconditioner = pc, CheckEvery = ce };
            for (int i = 0; i < 3; i++)
            {
                Solvers.Krylov.Cg.TwoPass = false;
                var sw = Stopwatch.StartNew(); a.Solve(ones, o2); s3 = Math.Min(s3, sw.Elapsed.TotalMilliseconds / 200);
                Solvers.Krylov.Cg.TwoPass = true;
                sw.Restart(); a.Solve(ones, o2); s2 = Math.Min(s2, sw.Elapsed.TotalMilliseconds / 200);
            }
            Console.WriteLine($"solves {pc} check {ce}: three passes {s3:F3} ms/iteration, two passes {s2:F3} ms/iteration");
        }
        Console.WriteLine($"poisson2d:{m} n={n:N0} {be.Description}; load {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"three passes: {best3:F3} ms/iteration; two passes: {best2:F3} ms/iteration; ratio {best3 / best2:F2}");
        return 0;
    }
}
