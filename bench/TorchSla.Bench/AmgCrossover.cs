using System.Diagnostics;
using System.Globalization;
using TorchSla.Solvers;

namespace TorchSla.Bench;

/// <summary>
/// `amg-crossover [2d:N | 3d:N ...] [--reps R] [--cholesky-max ROWS]`: where AMG-PCG starts to beat Jacobi-PCG and the sparse
/// Cholesky, for AutoSolverChoice and the README's table. Every row is a whole solve through the front door,
/// <c>A.Solve(b, options)</c>, on the CPU, float64, b = 1, rtol 1e-8; the best of R repetitions (default 3)
/// after one warm-up solve of each kind, so that JIT and first-touch page faults stay out. Cholesky only up to
/// --cholesky-max rows (default 300 000; 3D fill makes it hopeless beyond).
/// </summary>
internal static class AmgCrossover
{
    public static int Run(string[] args)
    {
        int reps = 3, choleskyMax = 300_000;
        var problems = new List<(int Dim, int N)>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--reps") { reps = int.Parse(args[++i], CultureInfo.InvariantCulture); continue; }
            if (args[i] == "--cholesky-max") { choleskyMax = int.Parse(args[++i], CultureInfo.InvariantCulture); continue; }
            var parts = args[i].Split(':');
            problems.Add((parts[0] == "3d" ? 3 : 2, int.Parse(parts[1], CultureInfo.InvariantCulture)));
        }
        if (problems.Count == 0) problems = [(2, 100), (2, 200), (2, 400), (2, 700), (2, 1000)];
        var kinds = new (string Name, SolveOptions Options)[]
        {
            ("CG + amg", new SolveOptions { Method = SolveMethod.CG, Preconditioner = "amg", RelativeTolerance = 1e-8 }),
            ("CG + jacobi", new SolveOptions { Method = SolveMethod.CG, Preconditioner = "jacobi", RelativeTolerance = 1e-8, MaxIterations = 100_000 }),
            ("cholesky", new SolveOptions { Method = SolveMethod.Cholesky }),
        };
        using (var w = SparseTensor.Poisson2D<double>(40))
            foreach (var k in kinds) w.Solve(Tensor<double>.Ones([w.Rows]), k.Options).Solution.Dispose();
        using (var w = SparseTensor.Poisson3D<double>(12))
            foreach (var k in kinds) w.Solve(Tensor<double>.Ones([w.Rows]), k.Options).Solution.Dispose();
        Console.WriteLine($"threads: {Environment.ProcessorCount}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, best of {reps}");
        Console.WriteLine("| problem | n | " + string.Join(" | ", kinds.Select(k => k.Name + " s (it)")) + " | fastest |");
        Console.WriteLine("|---|---|" + string.Concat(kinds.Select(_ => "---|")) + "---|");
        foreach (var (dim, n) in problems)
        {
            using var a = dim == 2 ? SparseTensor.Poisson2D<double>(n) : SparseTensor.Poisson3D<double>(n);
            using var b = Tensor<double>.Ones([a.Rows]);
            var cells = new List<string>();
            var best = new List<double>();
            foreach (var (_, options) in kinds)
            {
                if (options.Method == SolveMethod.Cholesky && a.Rows > choleskyMax) { cells.Add("—"); best.Add(double.PositiveInfinity); continue; }
                double t = double.PositiveInfinity;
                int it = 0;
                for (int r = 0; r < reps; r++)
                {
                    var sw = Stopwatch.StartNew();
                    var res = a.Solve(b, options);
                    t = Math.Min(t, sw.Elapsed.TotalSeconds);
                    it = res.Iterations;
                    if (!res.Converged) throw new InvalidOperationException($"{options.Method}/{options.Preconditioner} did not converge: {res.Reason}");
                    res.Solution.Dispose();
                }
                cells.Add(string.Create(CultureInfo.InvariantCulture, $"{t:F3} ({it})"));
                best.Add(t);
            }
            string name = dim == 2 ? $"2D Poisson {n}²" : $"3D Poisson {n}³";
            Console.WriteLine($"| {name} | {a.Rows} | {string.Join(" | ", cells)} | {kinds[best.IndexOf(best.Min())].Name} |");
        }
        return 0;
    }
}
