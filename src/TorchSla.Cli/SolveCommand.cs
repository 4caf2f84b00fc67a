using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using TorchSla.Solvers;

namespace TorchSla.Cli;

/// <summary>
/// <c>torchsla solve MATRIX [...]</c>: loads or generates A, builds b, solves, recomputes the
/// true relative residual ‖b − Ax‖/‖b‖ independently of the solver, and prints a summary or
/// one JSON object <c>{"n","nnz","device","dtype","method","preconditioner","iterations",
/// "converged","relres","seconds":{"setup","solve","total"}}</c> (plus "matrix" and "reason"; with AMG as
/// solver or preconditioner also "levels", "operator_complexity" and "grid_complexity", and the hierarchy's
/// setup counted in "seconds.setup").
/// </summary>
internal static class SolveCommand
{
    private static readonly HashSet<string> Valued = ["rhs", "seed", "method", "ordering", "precond", "rtol", "atol", "maxiter", "restart", "device", "dtype"];
    private static readonly HashSet<string> Flags = ["json", "progress"];

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, bool stderrIsTerminal)
    {
        var o = CliOptions.Parse("solve", args, Valued, Flags);
        if (o.Positionals.Count == 0) throw new CliUsageException($"solve needs a MATRIX ({MatrixSource.Forms} or a file)");
        if (o.Positionals.Count > 1) throw new CliUsageException($"solve takes one MATRIX, got also '{o.Positionals[1]}'");
        var options = new SolveOptions
        {
            Method = CliApp.ParseMethod(o.Text("method")),
            Preconditioner = o.Text("precond") ?? "auto",
            RelativeTolerance = o.Text("rtol") is null ? null : o.Double("rtol", 0),
            AbsoluteTolerance = o.Double("atol", 0),
            MaxIterations = o.Int("maxiter"),
            Restart = o.Int("restart"),
            Ordering = ParseOrdering(o.Text("ordering")),
        };
        if (options.Restart is 0) throw new CliUsageException("--restart: must be ≥ 1, got 0");
        if (!string.Equals(options.Preconditioner.Trim(), "auto", StringComparison.OrdinalIgnoreCase)
            && !TorchSla.Solvers.Preconditioners.PreconditionerRegistry.Contains(options.Preconditioner))
            throw new CliUsageException(
                $"--precond: unknown preconditioner '{options.Preconditioner}' (auto, {string.Join(", ", TorchSla.Solvers.Preconditioners.PreconditionerRegistry.Names)})");
        var device = CliApp.ParseDevice(o.Text("device"));
        var dtype = CliApp.ParseDType(o.Text("dtype"));
        var job = new Job(o.Positionals[0], o.Text("rhs") ?? "ones", o.Int("seed") ?? 0, device, options,
            o.Flag("json"), o.Flag("progress") || stderrIsTerminal);
        return dtype == DType.Float64 ? Solve<double>(job, stdout, stderr) : Solve<float>(job, stdout, stderr);
    }

    private sealed record Job(string Matrix, string Rhs, int Seed, Device Device, SolveOptions Options, bool Json, bool Progress);

    private static int Solve<T>(Job job, TextWriter stdout, TextWriter stderr) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var total = Stopwatch.StartNew();
        using var a = MatrixSource.Load<T>(job.Matrix, job.Device);
        if (!a.IsSquare) throw new CliUsageException($"{job.Matrix}: solve needs a square matrix, this one is {a.Rows}×{a.Cols}");
        if (a.IsBatched) throw new CliUsageException($"{job.Matrix}: a batch of {a.BatchSize} matrices; the CLI solves one matrix");
        using var b = MatrixSource.Rhs<T>(job.Rhs, a.Rows, job.Seed, job.Device);
        // Method resolution (a symmetry check) happens inside Solve, after the NaN/∞ check, so
        // that a matrix with NaN is reported as such whatever its symmetry.
        var options = job.Options with { Progress = job.Progress ? new ProgressLines(stderr) : null };
        double setup = total.Elapsed.TotalSeconds;

        var solveClock = Stopwatch.StartNew();
        var result = a.Solve(b, options);
        double solve = solveClock.Elapsed.TotalSeconds;
        if (result.Amg is { } hierarchy)
        {
            // The multigrid hierarchy is built inside Solve; report it as setup, not as solve time.
            setup += hierarchy.SetupSeconds;
            solve = Math.Max(0, solve - hierarchy.SetupSeconds);
        }

        double relres = TrueRelativeResidual(a, b, result.Solution);
        double totalSeconds = total.Elapsed.TotalSeconds;
        result.Solution.Dispose();

        var dtype = DTypes.Of<T>().Name();
        if (job.Json)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms))
            {
                w.WriteStartObject();
                w.WriteString("matrix", job.Matrix);
                w.WriteNumber("n", a.Rows);
                w.WriteNumber("nnz", a.Nnz);
                w.WriteString("device", a.Device.ToString());
                w.WriteString("dtype", dtype);
                w.WriteString("method", result.MethodUsed.Name());
                w.WriteString("preconditioner", result.Preconditioner);
                w.WriteNumber("iterations", result.Iterations);
                w.WriteBoolean("converged", result.Converged);
                w.WriteString("reason", result.Reason.Name());
                WriteNumberOrNull(w, "relres", relres);
                if (result.Direct is { } direct) w.WriteNumber("nnz_factor", direct.NnzFactor);
                if (result.Amg is { } amg)
                {
                    w.WriteNumber("levels", amg.Levels);
                    w.WriteNumber("operator_complexity", Math.Round(amg.OperatorComplexity, 6));
                    w.WriteNumber("grid_complexity", Math.Round(amg.GridComplexity, 6));
                }
                w.WriteStartObject("seconds");
                if (result.Direct is { } d)
                {
                    w.WriteNumber("analyse", Math.Round(d.AnalyzeSeconds, 6));
                    w.WriteNumber("factor", Math.Round(d.FactorSeconds, 6));
                    w.WriteNumber("triangular_solve", Math.Round(d.SolveSeconds, 6));
                }
                w.WriteNumber("setup", Math.Round(setup, 6));
                w.WriteNumber("solve", Math.Round(solve, 6));
                w.WriteNumber("total", Math.Round(totalSeconds, 6));
                w.WriteEndObject();
                w.WriteEndObject();
            }
            stdout.WriteLine(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
        }
        else
        {
            var ci = CultureInfo.InvariantCulture;
            stdout.WriteLine($"matrix    {job.Matrix}: {a.Rows:N0} × {a.Cols:N0}, {a.Nnz:N0} stored, {dtype}, {a.Device}");
            stdout.WriteLine($"rhs       {job.Rhs}{(job.Rhs == "random" ? $" (seed {job.Seed})" : "")}");
            stdout.WriteLine($"method    {result.MethodUsed.Name()}, preconditioner {result.Preconditioner}");
            stdout.WriteLine(string.Create(ci, $"result    {(result.Converged ? "converged" : "NOT converged")} ({result.Reason.Name()}) after {result.Iterations} iterations; rtol {options.RelativeToleranceFor<T>():G3}, atol {options.AbsoluteTolerance:G3}"));
            stdout.WriteLine(string.Create(ci, $"relres    ‖b − Ax‖/‖b‖ = {relres.ToString("0.000e+00", ci)} (recomputed from x)"));
            if (result.Direct is { } d)
                stdout.WriteLine(string.Create(ci, $"factor    nnz {d.NnzFactor:N0}, {d.Flops:G3} flops; analyse {d.AnalyzeSeconds:F3} s, factor {d.FactorSeconds:F3} s, triangular solve {d.SolveSeconds:F3} s"));
            if (result.Amg is { } amg)
                stdout.WriteLine(string.Create(ci, $"amg       {amg.Levels} levels, operator complexity {amg.OperatorComplexity:F3}, grid complexity {amg.GridComplexity:F3}, coarse solve {amg.CoarseSolver}, setup {amg.SetupSeconds:F3} s"));
            stdout.WriteLine(string.Create(ci, $"seconds   setup {setup:F3}, solve {solve:F3}, total {totalSeconds:F3}"));
        }
        return result.Converged ? CliApp.Ok : CliApp.NotConverged;
    }

    /// <summary>Parses <c>--ordering amd|nd|rcm|natural|auto</c> (default auto).</summary>
    internal static Solvers.Direct.CholeskyOrdering ParseOrdering(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "auto" => Solvers.Direct.CholeskyOrdering.Automatic,
        "amd" => Solvers.Direct.CholeskyOrdering.ApproximateMinimumDegree,
        "nd" => Solvers.Direct.CholeskyOrdering.NestedDissection,
        "rcm" => Solvers.Direct.CholeskyOrdering.ReverseCuthillMcKee,
        "natural" => Solvers.Direct.CholeskyOrdering.Natural,
        _ => throw new CliUsageException($"--ordering: unknown ordering '{text}' (amd, nd, rcm, natural or auto)"),
    };

    /// <summary>‖b − Ax‖₂/‖b‖₂ from a fresh product A·x, accumulated in double on the host (0 when b = 0).</summary>
    internal static double TrueRelativeResidual<T>(SparseTensor<T> a, Tensor<T> b, Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var ax = a.Matmul(x);
        var axh = ax.ToArray(); var bh = b.ToArray();
        double rr = 0, bb = 0;
        for (int i = 0; i < bh.Length; i++)
        {
            double bi = double.CreateTruncating(bh[i]), ri = bi - double.CreateTruncating(axh[i]);
            rr += ri * ri; bb += bi * bi;
        }
        return bb == 0 ? Math.Sqrt(rr) : Math.Sqrt(rr / bb);
    }

    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v); else w.WriteNull(name);
    }

    /// <summary>Iteration/residual lines on stderr: every iteration up to 10, then 10, 20, …, 100, 200, … (a log-spaced trace).</summary>
    private sealed class ProgressLines(TextWriter stderr) : IProgress<IterationReport>
    {
        public void Report(IterationReport value)
        {
            int k = value.Iteration;
            int step = 1;
            while (step * 10 <= k) step *= 10;
            if (k % step == 0)
                stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  iter {k,7}  ‖r‖/‖b‖ = {value.RelativeResidual.ToString("0.000e+00", CultureInfo.InvariantCulture)}"));
        }
    }
}
