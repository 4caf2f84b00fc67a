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
        var old = LevelStructureDissection.Order(a.Rows, sym.RowPtr, sym.ColInd);
        Console.WriteLine($"  level-structure dissection {sw.Elapsed.TotalSeconds:F3}s"); sw.Restart();
        var so = SupernodalSymbolic.Analyze(a.Pattern, CholeskyOrdering.Natural, old);
        Console.WriteLine($"    nnzL {so.NnzLStored} exact {so.NnzLExact} flops {so.Flops:g4}"); sw.Restart();
        var nd = NestedDissection.Order(a.Rows, sym.RowPtr, sym.ColInd);
        Console.WriteLine($"  nested dissection {sw.Elapsed.TotalSeconds:F3}s"); sw.Restart();
        var sn = SupernodalSymbolic.Analyze(a.Pattern, CholeskyOrdering.Natural, nd);
        Console.WriteLine($"    nnzL {sn.NnzLStored} exact {sn.NnzLExact} flops {sn.Flops:g4}"); sw.Restart();
        if (Environment.GetEnvironmentVariable("PROFILE_IPERM") is { } ipermFile)
        {
            // METIS's ndmetis writes the inverse permutation (line i: new position of vertex i).
            var iperm = File.ReadAllLines(ipermFile).Where(l => l.Length > 0).Select(int.Parse).ToArray();
            var pm = new int[iperm.Length];
            for (int i = 0; i < iperm.Length; i++) pm[iperm[i]] = i;
            var sm = SupernodalSymbolic.Analyze(a.Pattern, CholeskyOrdering.Natural, pm);
            Console.WriteLine($"  METIS ordering from {ipermFile}: nnzL {sm.NnzLStored} exact {sm.NnzLExact} flops {sm.Flops:g4}");
        }
        if (Environment.GetEnvironmentVariable("PROFILE_NO_AMD") == "1") return;
        var amd = ApproximateMinimumDegree.Order(a.Rows, sym.RowPtr, sym.ColInd);
        Console.WriteLine($"  minimum degree {sw.Elapsed.TotalSeconds:F3}s"); sw.Restart();
        var s = SupernodalSymbolic.Analyze(a.Pattern, CholeskyOrdering.Natural, nd);
        Console.WriteLine($"  analysis after the ordering {sw.Elapsed.TotalSeconds:F3}s (nnzL {s.NnzLStored})");
    }
}
