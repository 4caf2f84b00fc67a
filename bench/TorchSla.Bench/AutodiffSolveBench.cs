using System.Diagnostics;
using TorchSla.Autodiff;
using TorchSla.Solvers;

namespace TorchSla.Bench;

/// <summary>
/// Backward vs forward of a CG solve through the tape: 2D Poisson n×n (default 500², 250K DOF),
/// float64, rtol 1e-8, b = 1, loss = Σ_i x_i (so the adjoint system A·λ = 1 is the forward one and both
/// CG runs take the same iterations: the ratio measures the rule's overhead, not a different right-hand side). Forward = the recorded solve; backward = the adjoint
/// solve with A (CG assumes symmetry) plus the sampled product for ∂L/∂values. Also reports the
/// memory the graph keeps alive per solve (retained bytes after a collection, matrix copy + solution
/// with recording minus the same without).
/// </summary>
internal static class AutodiffSolveBench
{
    public static int Run(string[] args)
    {
        int n = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 500;
        var options = new SolveOptions { RelativeTolerance = 1e-8 };
        // Warm-up on a small grid (JIT).
        Once(SparseTensor.Poisson2D<double>(32), options);
        var a = SparseTensor.Poisson2D<double>(n);
        var (fwd, bwd, itF, itB) = Once(a, options);
        long plain = Retained(() =>
        {
            var ag = a.Detach();
            using (GradMode.NoGrad()) return (object)(ag, ag.Solve(Rhs(a.Rows), options).Solution);
        });
        long taped = Retained(() =>
        {
            var ag = a.Detach().RequireGrad();
            var x = ag.Solve(Rhs(a.Rows), options).Solution;
            return (object)(ag, x);
        });
        Console.WriteLine($"| 2D Poisson {n}² ({a.Rows:N0} DOF, nnz {a.Nnz:N0}) | {fwd:F3} s ({itF} it) | {bwd:F3} s | {bwd / fwd:F2}× | {(taped - plain) / 1e6:F1} MB |");
        Console.WriteLine($"(backward includes the adjoint CG, {itB} iterations)");
        return 0;
    }

    private static Tensor<double> Rhs(int n) => Tensor<double>.Ones([n]);

    private static (double Fwd, double Bwd, int ItF, int ItB) Once(SparseTensor<double> a0, SolveOptions options)
    {
        var a = a0.Detach().RequireGrad();
        var w = Tensor<double>.Ones([a.Rows]);
        // A plain solve outside the tape, for reference.
        var swPlain = Stopwatch.StartNew();
        using (GradMode.NoGrad()) _ = a0.Solve(Rhs(a.Rows), options);
        double plain = swPlain.Elapsed.TotalSeconds;
        var sw = Stopwatch.StartNew();
        var result = a.Solve(Rhs(a.Rows), options);
        double fwd = sw.Elapsed.TotalSeconds;
        var loss = TensorMath.Sum(result.Solution);
        sw.Restart();
        loss.Backward();
        double bwd = sw.Elapsed.TotalSeconds;
        // The adjoint solve is A·λ = w (CG: Aᵀ = A); count its iterations outside the timed pass.
        int itB;
        using (GradMode.NoGrad()) itB = a.Solve(w, options).Iterations;
        Console.WriteLine($"plain solve (no tape) {plain:F3} s");
        return (fwd, bwd, result.Iterations, itB);
    }

    private static long Retained(Func<object> make)
    {
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        long before = GC.GetTotalMemory(true);
        var keep = make();
        long after = GC.GetTotalMemory(true);
        GC.KeepAlive(keep);
        return after - before;
    }
}
