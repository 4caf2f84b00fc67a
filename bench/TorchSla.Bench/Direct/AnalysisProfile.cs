using System.Diagnostics;
using TorchSla.Solvers.Direct;

namespace TorchSla.Bench.Direct;

/// <summary>
/// Times the stages of the direct solvers' analysis separately, each after a warm-up call on the same input:
/// the A + Aᵀ pattern, the orderings (level-structure ND, multilevel ND, AMD, what Automatic runs), the postordered
/// elimination tree, the column counts, the whole analysis after a given ordering, and what LU's analysis adds.
/// </summary>
internal static class AnalysisProfile
{
    public static void Run(SparseTensor<double> a)
    {
        int n = a.Rows;
        var sym = a.Pattern.SymmetryPlan().Pattern;
        var srp = sym.RowPtr; var sci = sym.ColInd;
        T Time<T>(string what, Func<T> f)
        {
            f(); // warm-up (JIT, first touch)
            var sw = Stopwatch.StartNew();
            var r = f();
            Console.WriteLine($"  {what,-44} {sw.Elapsed.TotalSeconds:F3}s");
            return r;
        }
        Time("A + Aᵀ pattern (union with the transpose)", () => a.Pattern.Transpose());
        var auto = Time("ordering: Automatic (ND.OrderAutomatic)", () => NestedDissection.OrderAutomatic(n, srp, sci));
        int sep = 0;
        Time("ordering: level-structure ND alone", () => LevelStructureDissection.Order(n, srp, sci, out sep));
        Console.WriteLine($"  level-structure top separator {sep} (planar bound 2√(2n) = {NestedDissection.PlanarSeparatorBound(n):F0})");
        if (n <= 300_000) Time("ordering: multilevel ND", () => NestedDissection.Order(n, srp, sci));
        var amd = Time("ordering: approximate minimum degree", () => ApproximateMinimumDegree.Order(n, srp, sci));
        var (perm, pinv, parent) = Time("postordered elimination tree", () => SupernodalSymbolic.PostorderedTree(n, srp, sci, auto));
        Time("column counts (Gilbert-Ng-Peyton)", () => ColumnCounts.GilbertNgPeyton(n, srp, sci, perm, pinv, parent));
        var s = Time("analysis after the ordering (all of it)", () => SupernodalSymbolic.Analyze(a.Pattern, CholeskyOrdering.Natural, auto));
        var sa = SupernodalSymbolic.Analyze(a.Pattern, CholeskyOrdering.Natural, amd);
        Console.WriteLine($"  nnz(L) / flops: auto {s.NnzLStored:N0} / {s.Flops:g3}, AMD {sa.NnzLStored:N0} / {sa.Flops:g3}");
        Time("LU plan after the ordering (all of it)", () => MultifrontalLu.Plan.Analyze(a.Pattern, CholeskyOrdering.Natural, auto));
    }
}
