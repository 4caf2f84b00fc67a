using System.Diagnostics;
using System.Globalization;
using TorchSla.Solvers;

namespace TorchSla.Bench;

/// <summary>
/// `direct-crossover [2d:N | 3d:N | cd2d:N | MATRIX ...] [--reps R]`: where the sparse direct solvers stop beating the
/// iterative choice, for <see cref="AutoSolverChoice"/> and the README's table. Each row times two whole solves through
/// <c>A.Solve(b, options)</c> on the CPU (float64, b = A·1): the iterative method that the table gives without the
/// direct solvers (symmetric with a positive diagonal: CG with the automatic preconditioner, Jacobi or AMG from
/// 10⁵ rows; other symmetric: MINRES; nonsymmetric: GMRES(30) + ILU(0); rtol 1e-8, at most 20 000 iterations) against
/// the direct method of the matrix's kind (Cholesky, LDLᵀ, LU). Best of R (default 3) after a warm-up of both.
/// cd2d:N is a nonsymmetric 2D convection–diffusion operator (5-point Laplacian plus first-order upwind convection of
/// strength 1 per cell in x and y).
/// </summary>
internal static class DirectCrossover
{
    public static int Run(string[] args)
    {
        int reps = 3;
        var specs = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--reps") { reps = int.Parse(args[++i], CultureInfo.InvariantCulture); continue; }
            specs.Add(args[i]);
        }
        using (var w = SparseTensor.Poisson2D<double>(30)) { Time(w, Iterative(w), 1); Time(w, Direct(w), 1); }
        using (var w = ConvectionDiffusion(30)) { Time(w, Iterative(w), 1); Time(w, Direct(w), 1); }
        Console.WriteLine($"threads: {Environment.ProcessorCount}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, best of {reps}");
        Console.WriteLine("| problem | n | nnz | iterative | s (it, relres) | direct | s (relres) | analyse / factor / solve s | direct / iterative |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var spec in specs)
        {
            using var a = Load(spec);
            var it = Iterative(a); var di = Direct(a);
            var (ti, ri) = Time(a, it, reps);
            var (td, rd) = Time(a, di, reps);
            string iterCell = ri.Converged ? string.Create(CultureInfo.InvariantCulture, $"{ti:F3} ({ri.Iterations}, {ri.FinalRelativeResidual:g2})")
                : string.Create(CultureInfo.InvariantCulture, $"no convergence: {ri.Reason} after {ri.Iterations} it, {ti:F3}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {spec} | {a.Rows} | {a.Nnz} | {it.Method.Name()} + {Precond(a, it)} | {iterCell} | {rd.MethodUsed.Name()} | {td:F3} ({rd.FinalRelativeResidual:g2}) | {rd.Direct!.AnalyzeSeconds:F3} / {rd.Direct.FactorSeconds:F3} / {rd.Direct.SolveSeconds:F3} | {td / ti:F2} |"));
        }
        return 0;
    }

    private static string Precond<T>(SparseTensor<T> a, SolveOptions o) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        AutoSolverChoice.Choose(a, o).Preconditioner;

    internal static SparseTensor<double> Load(string spec)
    {
        var p = spec.Split(':');
        return p[0] switch
        {
            "2d" => SparseTensor.Poisson2D<double>(int.Parse(p[1], CultureInfo.InvariantCulture)),
            "3d" => SparseTensor.Poisson3D<double>(int.Parse(p[1], CultureInfo.InvariantCulture)),
            "cd2d" => ConvectionDiffusion(int.Parse(p[1], CultureInfo.InvariantCulture)),
            _ => MatrixCatalog.Load<double>(spec),
        };
    }

    /// <summary>−Δu + u_x + u_y on an m×m grid, 5-point Laplacian, upwind first differences (cell units).</summary>
    internal static SparseTensor<double> ConvectionDiffusion(int m)
    {
        var rows = new List<int>(); var cols = new List<int>(); var vals = new List<double>();
        void Add(int i, int j, double v) { rows.Add(i); cols.Add(j); vals.Add(v); }
        for (int y = 0; y < m; y++)
            for (int x = 0; x < m; x++)
            {
                int i = y * m + x;
                Add(i, i, 6);
                if (x > 0) Add(i, i - 1, -2); if (x < m - 1) Add(i, i + 1, -1);
                if (y > 0) Add(i, i - m, -2); if (y < m - 1) Add(i, i + m, -1);
            }
        return SparseTensor.FromCoo<double>(vals.ToArray(), rows.ToArray(), cols.ToArray(), [m * m, m * m]);
    }

    private static SolveOptions Iterative(SparseTensor<double> a)
    {
        var o = new SolveOptions { RelativeTolerance = 1e-8, MaxIterations = 20_000 };
        var m = !a.IsSymmetric() ? SolveMethod.Gmres : PositiveDiagonal(a) ? SolveMethod.CG : SolveMethod.Minres;
        return o with { Method = m };
    }

    private static SolveOptions Direct(SparseTensor<double> a) =>
        new() { Method = !a.IsSymmetric() ? SolveMethod.Lu : PositiveDiagonal(a) ? SolveMethod.Cholesky : SolveMethod.Ldlt };

    private static bool PositiveDiagonal(SparseTensor<double> a)
    {
        var v = a.GetValues();
        foreach (int d in a.Pattern.DiagonalSlots()) if (d < 0 || !(v[d] > 0)) return false;
        return true;
    }

    private static (double Seconds, SolveResult<double> Last) Time(SparseTensor<double> a, SolveOptions o, int reps)
    {
        using var ones = Tensor<double>.Ones([a.Rows]);
        var b = a * ones;
        double best = double.PositiveInfinity;
        SolveResult<double>? last = null;
        for (int r = 0; r < reps; r++)
        {
            var sw = Stopwatch.StartNew();
            try { last = a.Solve(b, o); }
            catch (Exception e) when (e is NotPositiveDefiniteException)
            {
                // Positive diagonal but not positive definite: the direct kind is LDLᵀ.
                o = o with { Method = SolveMethod.Ldlt };
                last = a.Solve(b, o);
            }
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
            if (r < reps - 1) last.Solution.Dispose();
        }
        return (best, last!);
    }
}
