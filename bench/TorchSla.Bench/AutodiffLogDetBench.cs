using System.Diagnostics;
using System.Globalization;
using TorchSla.Solvers;

namespace TorchSla.Bench;

/// <summary>
/// log|det A| and its gradient through the tape on 2D Poisson n×n (float64): forward = factorization + log|det|,
/// backward = the selected inverse of the factors on A's pattern (no dense inverse). Arguments: <c>[n] [--method cholesky|lu]</c>.
/// </summary>
internal static class AutodiffLogDetBench
{
    public static int Run(string[] args)
    {
        int n = 200;
        var method = SolveMethod.Cholesky;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--method") method = SolveMethods.Parse(args[++i]);
            else n = int.Parse(args[i], CultureInfo.InvariantCulture);
        }
        Once(16, method); // JIT
        var (fwd, bwd, nnzL) = Once(n, method);
        Console.WriteLine("| matrix | factorization | nnz(factor) | forward (factor + log det) | backward (selected inverse) | backward/forward |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Console.WriteLine($"| 2D Poisson {n}² ({n * n:N0} DOF) | {method.Name()} | {nnzL:N0} | {fwd:F3} s | {bwd:F3} s | {bwd / fwd:F2}× |");
        return 0;
    }

    private static (double Fwd, double Bwd, long NnzL) Once(int n, SolveMethod method)
    {
        var a = SparseTensor.Poisson2D<double>(n).RequireGrad();
        var sw = Stopwatch.StartNew();
        var ld = a.LogDet(method);
        double fwd = sw.Elapsed.TotalSeconds;
        sw.Restart();
        ld.Backward();
        double bwd = sw.Elapsed.TotalSeconds;
        long nnzL;
        using (var f = method == SolveMethod.Lu ? (Solvers.Direct.SparseFactorization<double>)a.Lu() : a.Cholesky()) nnzL = f.NnzFactor;
        // Check: Σ_s a_s·∂log det/∂a_s = tr(A⁻¹A) = N.
        var g = a.ValuesGrad!.ToArray(); var v = a.GetValues();
        double trace = 0;
        for (int s = 0; s < v.Length; s++) trace += g[s] * v[s];
        if (Math.Abs(trace - a.Rows) > 1e-6 * a.Rows) throw new InvalidOperationException($"Σ a·∂logdet/∂a = {trace}, expected {a.Rows}");
        return (fwd, bwd, nnzL);
    }
}
