using System.Diagnostics;
using TorchSla.IO;
using TorchSla.Solvers.Direct;

namespace TorchSla.Bench.Direct;

/// <summary>
/// Fill-reducing orderings side by side: <c>ordering poisson2d N | poisson3d N | file.mtx [--iperm FILE] [--no-amd] [--level-only] [--reps R]</c>
/// (<c>--level-only</c>: the level-structure dissection alone).
/// For the multilevel nested dissection, the single-level (level-structure) one, the automatic choice between them, AMD, and optionally an ordering read from
/// METIS's <c>ndmetis</c> output (FILE.iperm), prints the ordering seconds (best of R; wall clock and the process's CPU time, which is what METIS's own timer reports), nnz(L) (exact, and as stored with
/// the relaxed supernodes' zeros) and the factorization flops, on the pattern of A + Aᵀ.
/// </summary>
internal static class OrderingBench
{
    public static int Run(string[] args)
    {
        if (args.Length < 1) { Console.Error.WriteLine("usage: ordering poisson2d N | poisson3d N | file.mtx [--iperm FILE] [--no-amd] [--reps R]"); return 2; }
        var a = ReadProblem(args, out int at);
        string? iperm = null; bool amd = true, levelOnly = false; int reps = 1;
        for (; at < args.Length; at++)
        {
            if (args[at] == "--iperm") iperm = args[++at];
            else if (args[at] == "--no-amd") amd = false;
            else if (args[at] == "--level-only") levelOnly = true;
            else if (args[at] == "--reps") reps = int.Parse(args[++at]);
        }
        var sym = a.Pattern.SymmetryPlan().Pattern;
        int rows = a.Rows;
        Console.WriteLine($"n={rows} nnz(A+A^T)={sym.RowPtr[rows]}");
        if (levelOnly)
        {
            Report("level-structure dissection", a, reps, () => LevelStructureDissection.Order(rows, sym.RowPtr, sym.ColInd));
            return 0;
        }
        Report("nested dissection (multilevel)", a, reps, () => NestedDissection.Order(rows, sym.RowPtr, sym.ColInd));
        Report("level-structure dissection", a, reps, () => LevelStructureDissection.Order(rows, sym.RowPtr, sym.ColInd));
        Report("automatic (large-matrix rule)", a, reps, () => NestedDissection.OrderAutomatic(rows, sym.RowPtr, sym.ColInd));
        if (amd) Report("approximate minimum degree", a, reps, () => ApproximateMinimumDegree.Order(rows, sym.RowPtr, sym.ColInd));
        if (iperm is not null)
        {
            // ndmetis writes the inverse permutation: line i holds the new position of vertex i.
            var inv = File.ReadAllLines(iperm).Where(l => l.Length > 0).Select(int.Parse).ToArray();
            var p = new int[inv.Length];
            for (int i = 0; i < inv.Length; i++) p[inv[i]] = i;
            Report($"METIS ({Path.GetFileName(iperm)})", a, 0, () => p);
        }
        return 0;
    }

    /// <summary>The matrix named by <c>poisson2d N | poisson3d N | file.mtx</c> at the start of args; next = the first argument after it.</summary>
    internal static SparseTensor<double> ReadProblem(string[] args, out int next)
    {
        if (args[0] is "poisson2d" or "poisson3d")
        {
            int n = int.Parse(args[1]);
            next = 2;
            return args[0] == "poisson2d" ? SparseTensor.Poisson2D<double>(n) : SparseTensor.Poisson3D<double>(n);
        }
        next = 1;
        return MatrixMarket.Read<double>(args[0]);
    }

    private static void Report(string name, SparseTensor<double> a, int reps, Func<int[]> order)
    {
        int[] p = order();   // the first call also JIT-compiles
        double best = double.MaxValue, bestCpu = double.MaxValue;
        var proc = Process.GetCurrentProcess();
        for (int r = 0; r < reps; r++)
        {
            proc.Refresh();
            var cpu0 = proc.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            p = order();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
            proc.Refresh();
            bestCpu = Math.Min(bestCpu, (proc.TotalProcessorTime - cpu0).TotalSeconds);
        }
        var s = SupernodalSymbolic.Analyze(a.Pattern, CholeskyOrdering.Natural, p);
        string time = reps > 0 ? $"{best,7:F3}s (cpu {bestCpu,6:F3}s)" : "      -                ";
        Console.WriteLine($"  {name,-34} order {time}  nnzL exact {s.NnzLExact,11:N0}  stored {s.NnzLStored,11:N0}  flops {s.Flops:E3}");
    }
}
