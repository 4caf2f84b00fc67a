using Xunit;
using TorchSla.Solvers.Direct;
using TorchSla.Tests.Graphs;

namespace TorchSla.Tests.Solvers.Direct;

public class MultilevelNestedDissectionTests
{
    private static void AssertPermutation(int n, int[] p) => Assert.Equal(Enumerable.Range(0, n), p.OrderBy(x => x));

    private static long NnzL(SparseTensor<double> a, int[] perm) => SupernodalSymbolic.Analyze(a.Pattern, CholeskyOrdering.Natural, perm).NnzLExact;

    [Fact]
    public void GridFillIsBelowGeorgesBound()
    {
        // George (1973): nested dissection of a k×k mesh gives nnz(L) ≤ (31/4)·k²·log₂k + O(k²) (for the 9-point
        // mesh; the 5-point grid's graph is a subgraph, so the bound holds for it as well).
        int k = 64;
        var a = SparseTensor.Poisson2D<double>(k);
        var p = NestedDissection.Order(a.Rows, a.RowPointers, a.ColumnIndices);
        AssertPermutation(a.Rows, p);
        long nnz = NnzL(a, p);
        Assert.True(nnz <= 31.0 / 4 * k * k * Math.Log2(k), $"nnz(L) = {nnz}");
        // And well below the banded (natural) ordering's fill, k per column: k³.
        Assert.True(nnz < 0.5 * Math.Pow(k, 3), $"nnz(L) = {nnz}");
    }

    [Fact]
    public void OrderingIsDeterministicIncludingTheParallelRecursion()
    {
        var a = SparseTensor.Poisson2D<double>(200);   // 40 000 vertices: the top pieces are dissected in parallel
        var p1 = NestedDissection.Order(a.Rows, a.RowPointers, a.ColumnIndices);
        var p2 = NestedDissection.Order(a.Rows, a.RowPointers, a.ColumnIndices);
        AssertPermutation(a.Rows, p1);
        Assert.Equal(p1, p2);
    }

    [Fact]
    public void DisconnectedGraphsAndIsolatedVerticesAreOrdered()
    {
        var (n, rp, ci) = TestGraphs.Disjoint(TestGraphs.Grid2D(25), 3);
        // Append 7 isolated vertices.
        var rp2 = rp.Concat(Enumerable.Repeat(rp[^1], 7)).ToArray();
        var p = NestedDissection.Order(n + 7, rp2, ci);
        AssertPermutation(n + 7, p);
    }

    [Fact]
    public void CliqueFallsBackToMinimumDegree()
    {
        // A complete graph has no separator that leaves two non-empty sides unless one side is tiny; the ordering must
        // still be a permutation.
        int n = 150;
        var rp = new int[n + 1]; var ci = new List<int>();
        for (int i = 0; i < n; i++) { for (int j = 0; j < n; j++) if (j != i) ci.Add(j); rp[i + 1] = ci.Count; }
        AssertPermutation(n, NestedDissection.Order(n, rp, ci.ToArray()));
    }

    [Theory]
    [InlineData("494_bus.mtx")]
    [InlineData("bp_1200.mtx")]
    [InlineData("cryg2500.mtx")]
    public void SharedMatricesAreOrderedAndSolved(string file)
    {
        var a = TorchSla.IO.MatrixMarket.Read<double>(TestPaths.Matrix(file));
        var sym = a.Pattern.SymmetryPlan().Pattern;
        AssertPermutation(a.Rows, NestedDissection.Order(a.Rows, sym.RowPtr, sym.ColInd));
        using var lu = a.Lu(CholeskyOrdering.NestedDissection);
        var b = DirectTestHelpers.RandomVector(a.Rows, 5);
        Assert.True(DirectTestHelpers.BackwardError(a, lu.Solve(b), b) < 1e-13);
    }

    [Fact]
    public void AutomaticKeepsLevelStructuresOnAGridAndGoesMultilevelWhereTheyAreWorse()
    {
        // On a regular grid the level-structure ordering's top separator (a diagonal BFS level) is as small as a
        // multilevel one, so the automatic choice returns it unchanged.
        var a = SparseTensor.Poisson3D<double>(20);
        var auto = NestedDissection.OrderAutomatic(a.Rows, a.RowPointers, a.ColumnIndices);
        Assert.Equal(LevelStructureDissection.Order(a.Rows, a.RowPointers, a.ColumnIndices), auto);
        // A 2-D grid's BFS level (80 vertices) is under the planar separator bound 2√(2n) ≈ 226: taken without a
        // multilevel comparison, and it is the same ordering.
        var g2 = SparseTensor.Poisson2D<double>(80);
        LevelStructureDissection.Order(g2.Rows, g2.RowPointers, g2.ColumnIndices, out int sep2);
        Assert.True(sep2 <= NestedDissection.PlanarSeparatorBound(g2.Rows), $"separator {sep2}");
        Assert.Equal(LevelStructureDissection.Order(g2.Rows, g2.RowPointers, g2.ColumnIndices), NestedDissection.OrderAutomatic(g2.Rows, g2.RowPointers, g2.ColumnIndices));

        // hangGlider_2 (optimal control) has long-range couplings that BFS levels cut badly: the automatic choice must
        // not fill more than the better of the two orderings by more than a little.
        var h = TorchSla.IO.MatrixMarket.Read<double>(TestPaths.Matrix("hangGlider_2.mtx"));
        var sym = h.Pattern.SymmetryPlan().Pattern;
        var ph = NestedDissection.OrderAutomatic(h.Rows, sym.RowPtr, sym.ColInd);
        AssertPermutation(h.Rows, ph);
        long level = NnzL(h, LevelStructureDissection.Order(h.Rows, sym.RowPtr, sym.ColInd));
        long multi = NnzL(h, NestedDissection.Order(h.Rows, sym.RowPtr, sym.ColInd));
        long chosen = NnzL(h, ph);
        Assert.True(chosen <= 1.1 * Math.Min(level, multi), $"automatic {chosen}, level-structure {level}, multilevel {multi}");
    }

    [Fact]
    public void LevelStructureOrderingIsTheSameOnOneOrTwoThreads()
    {
        // Below the first separator the pieces are dissected by two workers; each piece's ordering depends on the piece
        // alone, so the permutation must equal the one-thread result exactly.
        var a = SparseTensor.Poisson2D<double>(90);
        var rp = a.RowPointers; var ci = a.ColumnIndices;
        int saved = LevelStructureDissection.ParallelPieces;
        try
        {
            LevelStructureDissection.ParallelPieces = int.MaxValue;
            var one = LevelStructureDissection.Order(a.Rows, rp, ci, out int sep1);
            LevelStructureDissection.ParallelPieces = 1000;
            var two = LevelStructureDissection.Order(a.Rows, rp, ci, out int sep2);
            AssertPermutation(a.Rows, two);
            Assert.Equal(one, two);
            Assert.Equal(sep1, sep2);
        }
        finally { LevelStructureDissection.ParallelPieces = saved; }
    }
}
