using System.Diagnostics;
using TorchSla.Solvers.Direct;

namespace TorchSla.Bench.Direct;

/// <summary>Times the phases of the symbolic analysis separately (ordering, etree, column counts, whole analysis).</summary>
internal static class AnalysisProfile
{
    public static void Run(SparseTensor<double> a)
    {
        var sw = Stopwatch.StartNew();
        var sym = a.Pattern.SymmetryPlan().Pattern;
        Console.WriteLine($"  symmetric pattern {sw.Elapsed.TotalSeconds:F3}s"); sw.Restart();
        var nd = NestedDissection.Order(a.Rows, sym.RowPtr, sym.ColInd);
        Console.WriteLine($"  nested dissection {sw.Elapsed.TotalSeconds:F3}s"); sw.Restart();
        var amd = ApproximateMinimumDegree.Order(a.Rows, sym.RowPtr, sym.ColInd);
        Console.WriteLine($"  minimum degree {sw.Elapsed.TotalSeconds:F3}s"); sw.Restart();
        var s = SupernodalSymbolic.Analyze(a.Pattern, CholeskyOrdering.Natural, nd);
        Console.WriteLine($"  analysis after the ordering {sw.Elapsed.TotalSeconds:F3}s (nnzL {s.NnzLStored})");
    }
}
