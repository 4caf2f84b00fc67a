using System.Diagnostics;
using TorchSla.Kernels.Cpu;
using TorchSla.Solvers.Preconditioners;

namespace TorchSla.Bench;

/// <summary>
/// `amg-parts N [REPS]`: the CPU AMG setup's expensive parts on 3D Poisson N³ (symmetric Gauss–Seidel hierarchy), per level,
/// the fastest of REPS alternating runs: A·P and R·(A·P) through a plan (SpGemmSymbolic then SpGemmNumeric, the path before
/// session 4) against the one-sweep Backend.SpGemm, the pattern transposition, the tensor transposition and ρ's 10 Lanczos
/// steps. Alternating and taking minima is what makes an A/B readable on a shared machine; each timed product starts after a
/// full collection, so that the garbage of the previous one is not charged to it.
/// </summary>
internal static class AmgSetupParts
{
    public static int Run(string[] args)
    {
        int n = int.Parse(args[0]); int reps = args.Length > 1 ? int.Parse(args[1]) : 5;
        using var a = SparseTensor.Poisson3D<double>(n);
        using var amg = new AmgPreconditioner<double>(a, new AmgOptions { Smoother = AmgSmoother.SymmetricGaussSeidel });
        var be = CpuBackend.Instance;
        foreach (var l in amg.Levels)
        {
            if (l.P is null) break;
            var A = l.A; var P = l.P; var R = l.R!;
            using var ap = A * P;
            double oldAp = 1e9, newAp = 1e9, oldRap = 1e9, newRap = 1e9, tr = 1e9;
            for (int r = 0; r < reps; r++)
            {
                GC.Collect();
                var sw = Stopwatch.StartNew();
                using (var plan = be.SpGemmSymbolic(A.Indices, P.Indices)) { var v = be.Allocate<double>(plan.Product.Nnz); be.SpGemmNumeric(plan, A.Values, 0, P.Values, 0, v, 0); }
                oldAp = Math.Min(oldAp, sw.Elapsed.TotalMilliseconds); GC.Collect(); sw.Restart();
                _ = be.SpGemm(A.Indices, A.Values, P.Indices, P.Values);
                newAp = Math.Min(newAp, sw.Elapsed.TotalMilliseconds); GC.Collect(); sw.Restart();
                using (var plan = be.SpGemmSymbolic(R.Indices, ap.Indices)) { var v = be.Allocate<double>(plan.Product.Nnz); be.SpGemmNumeric(plan, R.Values, 0, ap.Values, 0, v, 0); }
                oldRap = Math.Min(oldRap, sw.Elapsed.TotalMilliseconds); GC.Collect(); sw.Restart();
                _ = be.SpGemm(R.Indices, R.Values, ap.Indices, ap.Values);
                newRap = Math.Min(newRap, sw.Elapsed.TotalMilliseconds); GC.Collect(); sw.Restart();
                _ = be.Transpose(P.Indices);
                tr = Math.Min(tr, sw.Elapsed.TotalMilliseconds);
            }
            double tt = 1e9, rho = 1e9;
            for (int r = 0; r < reps; r++)
            {
                using var pc = SparseTensor.FromCsr<double>(P.RowPointers, P.ColumnIndices, P.GetValues(), [P.Rows, P.Cols]);
                var sw = Stopwatch.StartNew();
                using var rt = pc.Transpose();
                tt = Math.Min(tt, sw.Elapsed.TotalMilliseconds);
                using var diag = be.Allocate<double>(A.Rows);
                be.AmgDiagonal(A.Indices, A.Values, diag);
                sw.Restart();
                _ = SpectralRadius.OfDiagonallyScaled(A, diag, 10);
                rho = Math.Min(rho, sw.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine($"  tensor transpose {tt:F1} ms, rho(10 steps) {rho:F1} ms");
            Console.WriteLine($"rows {A.Rows} nnzA {A.Nnz} nnzP {P.Nnz} nnzAP {ap.Nnz}: A*P old {oldAp:F1} new {newAp:F1} ms; R*AP old {oldRap:F1} new {newRap:F1} ms; transpose(P) {tr:F1} ms");
        }
        return 0;
    }
}
