using System.Diagnostics;
using System.Globalization;
using TorchSla.Kernels;
using TorchSla.Kernels.Cuda;
using TorchSla.Solvers;
using TorchSla.Solvers.Krylov;

namespace TorchSla.Bench;

/// <summary>
/// <c>gmres [2d:N | cd2d:N | MATRIX ...] [--device cpu|cuda] [--precond P] [--method gmres|fgmres|both] [--restart M]
/// [--maxiter K] [--check C ...] [--reps R] [--cg]</c>: whole GMRES(m)/FGMRES(m) solves through the solver API (float64,
/// b = 1, rtol 1e-8, default m = 30, preconditioner none), best of R (default 3) after a warm-up, one markdown row each:
/// iterations, seconds, ms per iteration, the true relative residual, the reason, and the scalar read-backs per
/// iteration (<c>ScalarReadBacks</c>, looked up by reflection so that this file also builds against a tree without
/// it: "n/a" there). <c>--maxiter</c> caps every solve (a fixed amount of work for a per-iteration comparison);
/// <c>--check</c> sets SolveOptions.CheckEvery (default: the device's); <c>--cg</c> adds Jacobi-PCG on the same matrix
/// as a reference for the cost of an iteration. Matrices as in direct-crossover (2d:N Poisson, cd2d:N convection–diffusion).
/// </summary>
internal static class GmresBench
{
    public static int Run(string[] args)
    {
        var specs = new List<string>();
        var checks = new List<int?>();
        string device = "cpu", precond = "none", methods = "gmres";
        int restart = 30, reps = 3;
        int? maxiter = null;
        bool cg = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--device": device = args[++i]; break;
                case "--precond": precond = args[++i]; break;
                case "--method": methods = args[++i]; break;
                case "--restart": restart = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--maxiter": maxiter = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--check": checks.Add(int.Parse(args[++i], CultureInfo.InvariantCulture)); break;
                case "--reps": reps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--cg": cg = true; break;
                default: specs.Add(args[i]); break;
            }
        }
        if (specs.Count == 0) specs = ["2d:500", "cd2d:500"];
        if (checks.Count == 0) checks = [null];
        var dev = device == "cpu" ? Device.Cpu : Device.Cuda(0);
        var backend = BackendRegistry.Get(dev);
        Console.WriteLine(backend.Description);
        var solveMethods = methods == "both" ? new[] { SolveMethod.Gmres, SolveMethod.Fgmres }
            : [methods == "fgmres" ? SolveMethod.Fgmres : SolveMethod.Gmres];

        // Warm-up: JIT of every kernel of the solves on a small problem (not timed).
        {
            var wa = DirectCrossover.Load("cd2d:40").To(dev);
            var wb = Tensor<double>.Ones([wa.Rows], dev);
            foreach (var m in solveMethods) _ = wa.Solve(wb, Options(m, precond, restart, 200, null));
            if (cg) _ = wa.Solve(wb, new SolveOptions { Method = SolveMethod.CG, Preconditioner = "jacobi", RelativeTolerance = 1e-8, MaxIterations = 50 });
        }
        Console.WriteLine("| matrix | n | method | precond | check | iterations | s | ms/it | true relres | reason | read-backs/it |");
        Console.WriteLine("|---|---:|---|---|---:|---:|---:|---:|---:|---|---:|");
        foreach (var spec in specs)
        {
            using var host = DirectCrossover.Load(spec);
            var a = host.To(dev);
            var b = Tensor<double>.Ones([a.Rows], dev);
            foreach (var m in solveMethods)
                foreach (var check in checks)
                    Row(spec, a, b, Options(m, precond, restart, maxiter, check), reps);
            if (cg)
                Row(spec, a, b, new SolveOptions { Method = SolveMethod.CG, Preconditioner = "jacobi", RelativeTolerance = 1e-8, MaxIterations = maxiter }, reps);
        }
        return 0;
    }

    private static SolveOptions Options(SolveMethod m, string precond, int restart, int? maxiter, int? check) =>
        new() { Method = m, Preconditioner = precond, RelativeTolerance = 1e-8, Restart = restart, MaxIterations = maxiter, CheckEvery = check };

    private static void Row(string spec, SparseTensor<double> a, Tensor<double> b, SolveOptions o, int reps)
    {
        double best = double.PositiveInfinity;
        SolveResult<double>? result = null;
        long reads = 0;
        for (int r = 0; r < reps; r++)
        {
            long before = ReadBacks();
            var sw = Stopwatch.StartNew();
            var res = a.Solve(b, o);
            double t = sw.Elapsed.TotalSeconds; // the result's true residual is a read-back: the device has finished
            reads = ReadBacks() - before;
            if (t < best) best = t;
            result = res;
        }
        int it = Math.Max(1, result!.Iterations);
        string rb = ReadBacksAvailable ? (reads / (double)it).ToString("F2", CultureInfo.InvariantCulture) : "n/a";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {spec} | {a.Rows} | {result.MethodUsed.Name()} | {result.Preconditioner} | {o.CheckEvery?.ToString(CultureInfo.InvariantCulture) ?? "default"} | {result.Iterations} | {best:F3} | {1e3 * best / it:F3} | {result.FinalRelativeResidual:E2} | {result.Reason} | {rb} |"));
    }

    private static readonly System.Reflection.PropertyInfo? Counter =
        typeof(Backend).Assembly.GetType("TorchSla.Kernels.ScalarReadBacks")?.GetProperty("OnThisThread");

    private static bool ReadBacksAvailable => Counter is not null;

    private static long ReadBacks() => Counter is null ? 0 : (long)Counter.GetValue(null)!;
}
