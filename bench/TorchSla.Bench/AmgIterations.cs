using System.Globalization;
using TorchSla.Solvers;
using TorchSla.Solvers.Preconditioners;

namespace TorchSla.Bench;

/// <summary>
/// `amg-iterations [--coarse N] [--rho-steps N] [--theta X] [--large]`: AMG-PCG iteration counts (float64, rtol 1e-8, seeded
/// random b) on the problems of AmgTests — 2D Poisson 64² / 256², 3D Poisson 12³ / 24³ / 32³, anisotropic diffusion (ε = 10⁻³)
/// and a 10⁴ checkerboard of jumping coefficients on 96² — with both smoothers (symmetric Gauss–Seidel, the CPU's; Chebyshev,
/// the GPU's), and with --large 3D 50³, 100³ and 2D 1000². The before/after table that any change of ρ or of the coarsening
/// must show (levels, rows of the coarsest level, operator complexity, setup s).
/// </summary>
internal static class AmgIterations
{
    public static int Run(string[] args)
    {
        var options = new AmgOptions();
        bool large = false;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--coarse") { options = options with { CoarseSize = int.Parse(args[++i], CultureInfo.InvariantCulture) }; continue; }
            if (args[i] == "--rho-steps") { options = options with { SpectralRadiusSteps = int.Parse(args[++i], CultureInfo.InvariantCulture) }; continue; }
            if (args[i] == "--theta") { options = options with { StrengthThreshold = double.Parse(args[++i], CultureInfo.InvariantCulture) }; continue; }
            if (args[i] == "--large") { large = true; continue; }
            throw new ArgumentException($"amg-iterations: unknown argument {args[i]}");
        }
        var problems = new List<(string Name, Func<SparseTensor<double>> Make)>
        {
            ("2D Poisson 64²", () => SparseTensor.Poisson2D<double>(64)),
            ("2D Poisson 256²", () => SparseTensor.Poisson2D<double>(256)),
            ("3D Poisson 12³", () => SparseTensor.Poisson3D<double>(12)),
            ("3D Poisson 24³", () => SparseTensor.Poisson3D<double>(24)),
            ("3D Poisson 32³", () => SparseTensor.Poisson3D<double>(32)),
            ("anisotropic 96² (ε 1e-3)", () => DiffusionProblem.Diffusion2D(96, (_, _) => (1.0, 1e-3))),
            ("jumping 96² (1 / 1e4, 12² blocks)", () => DiffusionProblem.Diffusion2D(96, (i, j) => ((i / 12 + j / 12) % 2 == 0 ? 1.0 : 1e4) is var c ? (c, c) : default)),
        };
        if (large)
        {
            problems.Add(("3D Poisson 50³", () => SparseTensor.Poisson3D<double>(50)));
            problems.Add(("3D Poisson 100³", () => SparseTensor.Poisson3D<double>(100)));
            problems.Add(("2D Poisson 1000²", () => SparseTensor.Poisson2D<double>(1000)));
        }
        Console.WriteLine($"coarse size {options.CoarseSizeOn(Device.Cpu)}, ρ steps {options.SpectralRadiusStepsFor(AmgSmoother.SymmetricGaussSeidel)} (Gauss–Seidel) / {options.SpectralRadiusStepsFor(AmgSmoother.Chebyshev)} (Chebyshev), θ {options.StrengthThreshold}");
        Console.WriteLine("| problem | smoother | iterations | rel. residual | levels | coarsest rows | op. complexity | setup s |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var (name, make) in problems)
        {
            var a = make();
            var rng = new Random(7);
            var b = Tensor<double>.FromArray(Enumerable.Range(0, a.Rows).Select(_ => rng.NextDouble() - 0.5).ToArray(), a.Rows);
            foreach (var smoother in new[] { AmgSmoother.SymmetricGaussSeidel, AmgSmoother.Chebyshev })
            {
                using var amg = new AmgPreconditioner<double>(a, options with { Smoother = smoother });
                var r = TorchSla.Solvers.Krylov.Cg.Solve(a, b, options: new SolveOptions { RelativeTolerance = 1e-8, MaxIterations = 500 }, preconditioner: amg);
                double res = (b - a * r.Solution).Norm() / b.Norm();
                var s = amg.Statistics;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {smoother} | {r.Iterations} | {res:E1} | {s.Levels} | {s.LevelStatistics[^1].Rows} | {s.OperatorComplexity:F3} | {s.SetupSeconds:F3} |"));
            }
        }
        return 0;
    }
}
