using System.Diagnostics;
using TorchSla;
using TorchSla.IO;
using TorchSla.Solvers.Direct;

namespace TorchSla.Bench.Direct;

/// <summary>
/// Direct-solver benchmark in the format of the CHOLMOD anchor (shared/tools/anchors/cholmod_bench.c):
/// <c>direct cholesky|ldlt|lu|lu-multifrontal|lu-leftlooking poisson2d N | poisson3d N | file.mtx [amd|nd|rcm|natural|auto]</c>.
/// Prints analyse/factor/solve seconds, nnz of the factor, the relative residual of one solve (b = A·1) and the
/// process CPU seconds of the whole direct solve (all threads: on a loaded shared machine the work done, where wall
/// time mostly measures the queue).
/// </summary>
internal static class DirectBench
{
    public static int Run(string[] args)
    {
        if (args.Length < 2) { Console.Error.WriteLine("usage: direct cholesky|ldlt|lu|lu-multifrontal|lu-leftlooking poisson2d N | poisson3d N | file.mtx [amd|nd|rcm|natural|auto]"); return 2; }
        string method = args[0];
        if (method == "dense") { DenseKernelBench.Run(int.Parse(args[1]), int.Parse(args[2]), args.Length < 4 || args[3] != "1"); return 0; }
        int at = 1;
        SparseTensor<double> a;
        if (args[at] is "poisson2d" or "poisson3d")
        {
            int n = int.Parse(args[at + 1]);
            a = args[at] == "poisson2d" ? SparseTensor.Poisson2D<double>(n) : SparseTensor.Poisson3D<double>(n);
            at += 2;
        }
        else { a = MatrixMarket.Read<double>(args[at]); at++; }
        var ordering = at < args.Length ? args[at] switch
        {
            "rcm" => CholeskyOrdering.ReverseCuthillMcKee,
            "natural" => CholeskyOrdering.Natural,
            "nd" => CholeskyOrdering.NestedDissection,
            "auto" => CholeskyOrdering.Automatic,
            _ => CholeskyOrdering.ApproximateMinimumDegree,
        } : CholeskyOrdering.ApproximateMinimumDegree;
        if (method == "profile") { AnalysisProfile.Run(a); return 0; }
        if (method == "analyze")
        {
            var t0 = Stopwatch.StartNew();
            var s = SupernodalSymbolic.Analyze(a.Pattern, ordering);
            double secs = t0.Elapsed.TotalSeconds;
            // Σ k² over supernodes (k columns): the pivot blocks (the multifrontal LU stores them once, U11 in L's block; U holds
            // Σ k·m − Σ k² entries).
            long pivotBlocks = 0;
            for (int sn = 0; sn < s.SuperCount; sn++) { long k = s.SuperStart[sn + 1] - s.SuperStart[sn]; pivotBlocks += k * k; }
            Console.WriteLine($"analyze {ordering}: n={a.Rows} nnzL={s.NnzLStored} exact={s.NnzLExact} flops={s.Flops:g3} supernodes={s.SuperCount} maxfront={s.MaxFrontRows} blocks={s.ValueOffset[s.SuperCount]} pivotblocks={pivotBlocks} seconds={secs:F3}");
            return 0;
        }
        var ones = Tensor<double>.Ones([a.Rows]);
        var b = (a * ones).ToArray();
        var proc = Process.GetCurrentProcess();
        var cpu0 = proc.TotalProcessorTime;
        var total = Stopwatch.StartNew();
        SparseFactorization<double> f = method switch
        {
            "cholesky" => a.Cholesky(ordering),
            "ldlt" => a.Ldlt(ordering),
            "lu" => a.Lu(ordering),
            "lu-multifrontal" => a.Lu(ordering, algorithm: LuAlgorithm.Multifrontal),
            "lu-leftlooking" => a.Lu(ordering, algorithm: LuAlgorithm.LeftLooking),
            _ => throw new ArgumentException($"unknown method {method}"),
        };
        var sw = Stopwatch.StartNew();
        var x = f.Solve(b);
        double solve = sw.Elapsed.TotalSeconds;
        double tot = total.Elapsed.TotalSeconds;
        proc.Refresh();
        double cpu = (proc.TotalProcessorTime - cpu0).TotalSeconds;
        var r = (a * Tensor<double>.FromArray(x)).ToArray();
        double rn = 0, bn = 0;
        for (int i = 0; i < r.Length; i++) { rn += (r[i] - b[i]) * (r[i] - b[i]); bn += b[i] * b[i]; }
        Console.WriteLine($"torchsla {method}: n={a.Rows} nnzA={a.Nnz} nnzFactor={f.NnzFactor} flops={f.Flops:g3} analyse={f.AnalyzeSeconds:F3}s factor={f.FactorSeconds:F3}s solve={solve:F3}s total={tot:F3}s relres={Math.Sqrt(rn / bn):g2} threads={Environment.ProcessorCount} cpu={cpu:F3}s");
        if (f is LuFactorization<double> lu)
            Console.WriteLine($"  lu: algorithm={lu.Algorithm} pattern symmetry={lu.PatternSymmetry:F3}");
        if (f is LdltFactorization<double> ld)
            Console.WriteLine($"  ldlt pivoting: 2x2={ld.TwoByTwoPivots()} delayed={ld.DelayedPivots()} negative={ld.NegativeEigenvalues()} backward error={ld.LastBackwardError:g2}");
        // TORCHSLA_BENCH_REFACTOR=K: K refactorizations of the same values after the solve, each with its wall and process
        // CPU seconds — the numeric factorization alone, on memory the process has used before (for A/B comparisons of the
        // factor's work on a loaded machine, where CPU seconds vary less than wall time).
        if (int.TryParse(Environment.GetEnvironmentVariable("TORCHSLA_BENCH_REFACTOR"), out int refactors))
            for (int k = 0; k < refactors; k++)
            {
                proc.Refresh();
                var c0 = proc.TotalProcessorTime;
                var w = Stopwatch.StartNew();
                f.Refactor(a);
                double wall = w.Elapsed.TotalSeconds;
                proc.Refresh();
                Console.WriteLine($"  refactor {k + 1}: {wall:F3}s cpu={(proc.TotalProcessorTime - c0).TotalSeconds:F3}s");
            }
        f.Dispose();
        return 0;
    }
}
