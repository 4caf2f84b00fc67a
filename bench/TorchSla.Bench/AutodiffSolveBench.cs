using System.Diagnostics;
using System.Globalization;
using TorchSla.Autodiff;
using TorchSla.Solvers;

namespace TorchSla.Bench;

/// <summary>
/// Backward vs forward of a solve through the tape: 2D Poisson n×n (default 500², 250K DOF), float64,
/// rtol 1e-8, b = 1, loss = Σ_i x_i (so for CG the adjoint system A·λ = 1 is the forward one and both
/// runs take the same iterations: the ratio measures the rule's overhead, not a different right-hand side).
/// Forward = the recorded solve (for a direct method: analysis + factorization + solve); backward = the
/// adjoint solve (CG with A, which assumes symmetry; for a direct method one transpose solve with the
/// forward's factors, kept by the node) plus the sampled product for ∂L/∂values. Also reports the host
/// memory the graph keeps alive per solve (retained managed bytes after a collection, with recording minus
/// without; device memory is not counted by the collector).
/// Arguments: <c>[n] [--method cg|cholesky|ldlt|lu|…] [--device cpu|cuda]</c>.
/// </summary>
internal static class AutodiffSolveBench
{
    public static int Run(string[] args)
    {
        int n = 500;
        var method = SolveMethod.CG;
        var device = Device.Cpu;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--method") method = SolveMethods.Parse(args[++i]);
            else if (args[i] == "--device") device = Device.Parse(args[++i]);
            else n = int.Parse(args[i], CultureInfo.InvariantCulture);
        }
        var options = new SolveOptions { RelativeTolerance = 1e-8, Method = method };
        // Warm-up on a small grid (JIT, kernel compilation).
        Once(SparseTensor.Poisson2D<double>(32).To(device), options, device);
        var a = SparseTensor.Poisson2D<double>(n).To(device);
        var (fwd, bwd, itF, itB) = Once(a, options, device);
        // Host memory only: on a GPU the node keeps x (held by the caller anyway) and A, and the collector does not see device memory.
        bool measureMemory = device == Device.Cpu;
        long plain = !measureMemory ? 0 : Retained(() =>
        {
            var ag = a.Detach();
            using (GradMode.NoGrad()) return (object)(ag, ag.Solve(Rhs(a.Rows, device), options).Solution);
        });
        long taped = !measureMemory ? 0 : Retained(() =>
        {
            var ag = a.Detach().RequireGrad();
            var x = ag.Solve(Rhs(a.Rows, device), options).Solution;
            return (object)(ag, x);
        });
        string its = IsDirect(method) ? "" : $" ({itF} it)";
        Console.WriteLine("| matrix | method | device | forward | backward | backward/forward | graph memory kept per solve |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        Console.WriteLine($"| 2D Poisson {n}² ({a.Rows:N0} DOF, nnz {a.Nnz:N0}) | {method.Name()} | {device} | {fwd:F3} s{its} | {bwd:F3} s | {bwd / fwd:F2}× | {(measureMemory ? $"{(taped - plain) / 1e6:F1} MB" : "not measured (device)")} |");
        if (!IsDirect(method) && itB > 0) Console.WriteLine($"(backward includes the adjoint {method.Name()}, {itB} iterations)");
        return 0;
    }

    private static bool IsDirect(SolveMethod m) => m is SolveMethod.Cholesky or SolveMethod.Ldlt or SolveMethod.Lu;

    private static Tensor<double> Rhs(int n, Device device) => Tensor<double>.Ones([n], device);

    private static (double Fwd, double Bwd, int ItF, int ItB) Once(SparseTensor<double> a0, SolveOptions options, Device device)
    {
        var a = a0.Detach().RequireGrad();
        var w = Rhs(a.Rows, device);
        // A plain solve outside the tape, for reference.
        var swPlain = Stopwatch.StartNew();
        using (GradMode.NoGrad()) _ = a0.Solve(Rhs(a.Rows, device), options).EnsureConverged();
        double plain = swPlain.Elapsed.TotalSeconds;
        var sw = Stopwatch.StartNew();
        var result = a.Solve(Rhs(a.Rows, device), options);
        result.EnsureConverged();
        double fwd = sw.Elapsed.TotalSeconds;
        var loss = TensorMath.Sum(result.Solution);
        sw.Restart();
        loss.Backward();
        _ = a.ValuesGrad!.ToArray(); // wait for the device
        double bwd = sw.Elapsed.TotalSeconds;
        // The adjoint solve is A·λ = w (CG: Aᵀ = A); count its iterations outside the timed pass.
        int itB = 0;
        if (!IsDirect(options.Method) && device == Device.Cpu) using (GradMode.NoGrad()) itB = a.Solve(w, options).Iterations;
        Console.WriteLine($"n = {a.Rows}: plain solve (no tape) {plain:F3} s, recorded forward {fwd:F3} s, backward {bwd:F3} s");
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
