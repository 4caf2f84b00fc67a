using System.Diagnostics;
using System.Globalization;
using TorchSla.Solvers;
using TorchSla.Solvers.Preconditioners;

namespace TorchSla.Bench;

/// <summary>
/// `amg-compare [2d:N | 3d:N ...] [--hypre PATH] [--amg-only] [--levels] [--mis2] [--coarse N] [--smoother S] ...` (--levels: the hierarchy's level table on stderr): AMG-PCG vs Jacobi-PCG (ours) vs hypre BoomerAMG-PCG
/// on the same Poisson problems in one run, float64, b = 1, x₀ = 0, rtol 1e-8, whole solve
/// including setup; markdown rows on stdout. TORCHSLA_BENCH_WINDOW=1 writes each AMG setup's and solve's monotonic clock window
/// (seconds) to standard error, for <c>perf record -k CLOCK_MONOTONIC</c> then <c>perf report --time FROM,TO</c>. The PCG is the library's <c>Cg.Solve</c> with the preconditioner.
/// </summary>
internal static class AmgCompare
{
    public static int Run(string[] args)
    {
        string hypre = "/tmp/hypre_amg_bench";
        var problems = new List<(int Dim, int N)>();
        bool amgOnly = false, printLevels = false;
        var baseOptions = new AmgOptions();
        // The CPU's default smoother (AmgSmoother.Auto: symmetric Gauss–Seidel) first, so that the first AMG solve of the
        // process is the one a user gets from the defaults (A.Solve, torchsla solve --precond amg); Chebyshev (the GPU's) second.
        var smoothers = new[] { AmgSmoother.SymmetricGaussSeidel, AmgSmoother.Chebyshev };
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--hypre") { hypre = args[++i]; continue; }
            if (args[i] == "--amg-only") { amgOnly = true; continue; }
            if (args[i] == "--levels") { printLevels = true; continue; }
            if (args[i] == "--theta") { baseOptions = baseOptions with { StrengthThreshold = double.Parse(args[++i], CultureInfo.InvariantCulture) }; continue; }
            if (args[i] == "--decay") { baseOptions = baseOptions with { StrengthThresholdDecay = double.Parse(args[++i], CultureInfo.InvariantCulture) }; continue; }
            if (args[i] == "--rho-steps") { baseOptions = baseOptions with { SpectralRadiusSteps = int.Parse(args[++i], CultureInfo.InvariantCulture) }; continue; }
            if (args[i] == "--degree") { baseOptions = baseOptions with { ChebyshevDegree = int.Parse(args[++i], CultureInfo.InvariantCulture) }; continue; }
            if (args[i] == "--coarse") { baseOptions = baseOptions with { CoarseSize = int.Parse(args[++i], CultureInfo.InvariantCulture) }; continue; }
            if (args[i] == "--mis2") { baseOptions = baseOptions with { Aggregation = AmgAggregation.Mis2 }; continue; }
            if (args[i] == "--smoother") { smoothers = [Enum.Parse<AmgSmoother>(args[++i], ignoreCase: true)]; continue; }
            var parts = args[i].Split(':');
            problems.Add((parts[0] == "3d" ? 3 : 2, int.Parse(parts[1], CultureInfo.InvariantCulture)));
        }
        if (problems.Count == 0) problems = [(2, 1000), (3, 50), (3, 100)];
        Console.WriteLine($"threads: {Environment.ProcessorCount}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine("| problem | n | solver | setup s | solve s | total s | iterations | rel. residual | levels | op. complexity |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (dim, n) in problems)
        {
            var a = dim == 2 ? SparseTensor.Poisson2D<double>(n) : SparseTensor.Poisson3D<double>(n);
            string name = dim == 2 ? $"2D Poisson {n}²" : $"3D Poisson {n}³";
            var b = Tensor<double>.Ones([a.Rows]);
            _ = Pcg(a, new JacobiOperator(a), b, 1e-8, 1); // warm-up: JIT, thread pool
            foreach (var smoother in smoothers)
            {
                // Warm-up of the setup and cycle code paths (JIT) on a small problem of the same kind.
                using var small = dim == 2 ? SparseTensor.Poisson2D<double>(64) : SparseTensor.Poisson3D<double>(16);
                using var warm = new AmgPreconditioner<double>(small, baseOptions with { Smoother = smoother });
                _ = Pcg(small, warm, Tensor<double>.Ones([small.Rows]), 1e-8, 1000);
            }
            foreach (var smoother in smoothers)
            {
                var gc0 = (G0: GC.CollectionCount(0), G1: GC.CollectionCount(1), G2: GC.CollectionCount(2), Pause: GC.GetTotalPauseDuration());
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                using var amg = new AmgPreconditioner<double>(a, baseOptions with { Smoother = smoother });
                double setup = sw.Elapsed.TotalSeconds;
                long tEnd = Stopwatch.GetTimestamp();
                // Collections, GC pause and process CPU of the setup, to standard error (the reservation study, RESULTS "Lead, session 8").
                Console.Error.WriteLine($"amg-compare gc: {name} {smoother} setup {setup * 1e3:F0} ms wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds:F0} ms CPU, " +
                    $"GCs {GC.CollectionCount(0) - gc0.G0}/{GC.CollectionCount(1) - gc0.G1}/{GC.CollectionCount(2) - gc0.G2}, pause {(GC.GetTotalPauseDuration() - gc0.Pause).TotalMilliseconds:F0} ms, latency mode {System.Runtime.GCSettings.LatencyMode}");
                var (it, res) = Pcg(a, amg, b, 1e-8, 1000);
                double total = sw.Elapsed.TotalSeconds;
                if (Environment.GetEnvironmentVariable("TORCHSLA_BENCH_WINDOW") == "1")
                    Console.Error.WriteLine($"amg-compare window: {name} {smoother} setup {(double)tEnd / Stopwatch.Frequency - setup:F6}..{(double)tEnd / Stopwatch.Frequency:F6} solve ..{(double)Stopwatch.GetTimestamp() / Stopwatch.Frequency:F6}");
                var s = amg.Statistics;
                Console.WriteLine($"| {name} | {a.Rows} | ours AMG-PCG ({smoother}) | {setup:F3} | {total - setup:F3} | {total:F3} | {it} | {res:E1} | {s.Levels} | {s.OperatorComplexity:F3} |");
                if (printLevels) Console.Error.Write(s.ToString());
            }
            if (amgOnly) continue;
            {
                var sw = Stopwatch.StartNew();
                var jac = new JacobiOperator(a);
                double setup = sw.Elapsed.TotalSeconds;
                var (it, res) = Pcg(a, jac, b, 1e-8, 100_000);
                double total = sw.Elapsed.TotalSeconds;
                Console.WriteLine($"| {name} | {a.Rows} | ours Jacobi-PCG | {setup:F3} | {total - setup:F3} | {total:F3} | {it} | {res:E1} | | |");
            }
            foreach (int ranks in new[] { 1, 2 })
                Console.WriteLine($"| {name} | {a.Rows} | hypre BoomerAMG-PCG, {ranks} rank(s) | {RunHypre(hypre, dim, n, ranks)} |");
        }
        return 0;
    }

    private static string RunHypre(string exe, int dim, int n, int ranks)
    {
        if (!File.Exists(exe)) return $"not built ({exe})";
        var psi = new ProcessStartInfo("mpiexec.openmpi", $"-n {ranks} {exe} {dim} {n}") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        psi.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        // dim=2 n=... ranks=1 iterations=22 relres=... setup=0.72s solve=...s total=...s
        var kv = output.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(t => t.Split('=')).Where(t => t.Length == 2).ToDictionary(t => t[0], t => t[1].TrimEnd('s'));
        return kv.TryGetValue("total", out var total)
            ? $"{kv["setup"]} | {kv["solve"]} | {total} | {kv["iterations"]} | {kv["relres"]} | |"
            : $"failed: {output.Trim()}";
    }

    private static (int Iterations, double Residual) Pcg(SparseTensor<double> a, ILinearOperator<double> m, Tensor<double> b, double rtol, int maxIter)
    {
        var r = TorchSla.Solvers.Krylov.Cg.Solve(a, b, options: new SolveOptions { RelativeTolerance = rtol, MaxIterations = maxIter }, preconditioner: m);
        return (r.Iterations, r.FinalRelativeResidual);
    }

    /// <summary>z = D⁻¹r as an SpMV with the diagonal matrix.</summary>
    private sealed class JacobiOperator(SparseTensor<double> a) : ILinearOperator<double>
    {
        private readonly SparseTensor<double> _dinv = InverseDiagonal(a);
        public int Rows => a.Rows;
        public int Cols => a.Cols;
        public Device Device => a.Device;
        public void Apply(Tensor<double> x, Tensor<double> y) => _dinv.Apply(x, y);

        private static SparseTensor<double> InverseDiagonal(SparseTensor<double> a)
        {
            var d = a.Diagonal().ToArray();
            var idx = Enumerable.Range(0, d.Length).ToArray();
            return SparseTensor.FromCsr<double>([.. Enumerable.Range(0, d.Length + 1)], idx, d.Select(v => 1 / v).ToArray(), [d.Length, d.Length]);
        }
    }
}
