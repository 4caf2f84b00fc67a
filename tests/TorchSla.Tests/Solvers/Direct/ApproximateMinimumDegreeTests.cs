using Xunit;
using TorchSla.IO;
using TorchSla.Solvers.Direct;
using TorchSla.Tests.Graphs;
using static TorchSla.Tests.Solvers.Direct.DirectTestHelpers;

namespace TorchSla.Tests.Solvers.Direct;

public class ApproximateMinimumDegreeTests
{
    private static void AssertPermutation(int n, int[] p) => Assert.Equal(Enumerable.Range(0, n), p.OrderBy(x => x));

    private static int[] Amd((int N, int[] RowPtr, int[] ColInd) g) => ApproximateMinimumDegree.Order(g.N, g.RowPtr, g.ColInd);

    /// <summary>nnz(L) (diagonal included) of eliminating the graph in the order p, by playing the elimination game.</summary>
    private static long EliminationGameNnzL((int N, int[] RowPtr, int[] ColInd) g, int[] p)
    {
        var adj = Adjacency(g);
        var eliminated = new bool[g.N];
        long nnz = 0;
        foreach (int v in p)
        {
            nnz += 1 + Eliminate(adj, eliminated, v);
        }
        return nnz;
    }

    /// <summary>
    /// The exact minimum degree ordering by brute force (Tinney–Walker scheme 2 / Rose's elimination game): eliminate a
    /// vertex of least current degree (the smallest index among ties), join its neighbours into a clique, repeat.
    /// Returns nnz(L) with the diagonal.
    /// </summary>
    private static long ExactMinimumDegreeNnzL((int N, int[] RowPtr, int[] ColInd) g)
    {
        var adj = Adjacency(g);
        var eliminated = new bool[g.N];
        long nnz = 0;
        for (int k = 0; k < g.N; k++)
        {
            int best = -1;
            for (int v = 0; v < g.N; v++)
                if (!eliminated[v] && (best < 0 || adj[v].Count < adj[best].Count)) best = v;
            nnz += 1 + Eliminate(adj, eliminated, best);
        }
        return nnz;
    }

    private static HashSet<int>[] Adjacency((int N, int[] RowPtr, int[] ColInd) g)
    {
        var adj = new HashSet<int>[g.N];
        for (int i = 0; i < g.N; i++) adj[i] = [];
        for (int i = 0; i < g.N; i++)
            for (int q = g.RowPtr[i]; q < g.RowPtr[i + 1]; q++)
                if (g.ColInd[q] != i) { adj[i].Add(g.ColInd[q]); adj[g.ColInd[q]].Add(i); }
        return adj;
    }

    /// <summary>Eliminates v: its neighbours become a clique; returns their number (the off-diagonal count of L's column).</summary>
    private static int Eliminate(HashSet<int>[] adj, bool[] eliminated, int v)
    {
        var nb = adj[v].ToArray();
        foreach (int a in nb)
        {
            adj[a].Remove(v);
            foreach (int b in nb) if (a != b) adj[a].Add(b);
        }
        eliminated[v] = true;
        adj[v].Clear();
        return nb.Length;
    }

    private static (int N, int[] RowPtr, int[] ColInd) FromEdges(int n, IEnumerable<(int, int)> edges)
    {
        var lists = new List<int>[n];
        for (int i = 0; i < n; i++) lists[i] = [];
        foreach (var (a, b) in edges) { lists[a].Add(b); lists[b].Add(a); }
        var rp = new int[n + 1];
        for (int i = 0; i < n; i++) rp[i + 1] = rp[i] + lists[i].Count;
        return (n, rp, lists.SelectMany(l => l).ToArray());
    }

    private static (int N, int[] RowPtr, int[] ColInd) RandomGraph(int n, double p, int seed)
    {
        var rng = new Random(seed);
        var edges = new List<(int, int)>();
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) if (rng.NextDouble() < p) edges.Add((i, j));
        return FromEdges(n, edges);
    }

    private static (int N, int[] RowPtr, int[] ColInd) RandomTree(int n, int seed)
    {
        var rng = new Random(seed);
        return FromEdges(n, Enumerable.Range(1, n - 1).Select(i => (rng.Next(i), i)));
    }

    private static (int N, int[] RowPtr, int[] ColInd) Pattern(SparseTensor<double> a)
    {
        var s = a.Pattern.SymmetryPlan().Pattern;
        return (a.Rows, s.RowPtr, s.ColInd);
    }

    private static long NnzL(SparseTensor<double> a, int[] p) => SupernodalSymbolic.Analyze(a.Pattern, CholeskyOrdering.Natural, p).NnzLExact;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void TreesAreOrderedWithoutFillAsByExactMinimumDegree(int seed)
    {
        // A tree has a perfect elimination order (leaves first): exact minimum degree finds it, and so must AMD, whose
        // degrees are exact here (each element's variable set is the single parent of the vertex it came from).
        var g = RandomTree(300, seed);
        var p = Amd(g);
        AssertPermutation(g.N, p);
        long exact = ExactMinimumDegreeNnzL(g);
        Assert.Equal(2L * g.N - 1, exact);
        Assert.Equal(exact, EliminationGameNnzL(g, p));
    }

    [Fact]
    public void PathsCyclesStarsAndCliquesMatchExactMinimumDegree()
    {
        int n = 40;
        var path = FromEdges(n, Enumerable.Range(0, n - 1).Select(i => (i, i + 1)));
        var cycle = FromEdges(n, Enumerable.Range(0, n).Select(i => (i, (i + 1) % n)));
        var star = FromEdges(n, Enumerable.Range(1, n - 1).Select(i => (0, i)));
        var clique = FromEdges(12, from i in Enumerable.Range(0, 12) from j in Enumerable.Range(0, 12) where i < j select (i, j));
        foreach (var g in new[] { path, cycle, star, clique })
        {
            var p = Amd(g);
            AssertPermutation(g.N, p);
            Assert.Equal(ExactMinimumDegreeNnzL(g), EliminationGameNnzL(g, p));
        }
    }

    [Fact]
    public void RandomGraphsFillAboutAsLittleAsExactMinimumDegree()
    {
        // ADD96 §5: AMD's fill is within a few percent of exact minimum degree's (either may win on a given graph).
        long amd = 0, exact = 0;
        for (int seed = 0; seed < 30; seed++)
        {
            var g = RandomGraph(60, 0.06, seed);
            var p = Amd(g);
            AssertPermutation(g.N, p);
            long a = EliminationGameNnzL(g, p), e = ExactMinimumDegreeNnzL(g);
            Assert.True(a <= 1.25 * e, $"seed {seed}: AMD {a}, exact minimum degree {e}");
            amd += a; exact += e;
        }
        Assert.True(amd <= 1.05 * exact, $"AMD {amd}, exact minimum degree {exact}");
    }

    [Theory]
    // nnz(L) bounds: the List-based AMD that this one replaced (cb1cf84) and SuiteSparse AMD 2.4.6's amd_order
    // (bench/amd_order_bench.c), both counted by SupernodalSymbolic: 2D 60²: 57 854 and 59 765; 3D 14³: 167 264 and
    // 151 653; cryg2500: 35 601 and 35 865; bp_1200: 65 153 and 64 575; west0479: 14 850 and 15 293.
    [InlineData("2d:60", 57_854, 59_765)]
    [InlineData("3d:14", 167_264, 151_653)]
    [InlineData("cryg2500.mtx", 35_601, 35_865)]
    [InlineData("bp_1200.mtx", 65_153, 64_575)]
    [InlineData("west0479.mtx", 14_850, 15_293)]
    public void FillIsWithinAFewPercentOfTheOldOrderingAndSuiteSparseAmd(string problem, long old, long suiteSparse)
    {
        var a = problem switch
        {
            "2d:60" => SparseTensor.Poisson2D<double>(60),
            "3d:14" => SparseTensor.Poisson3D<double>(14),
            _ => MatrixMarket.Read<double>(TestPaths.Matrix(problem)),
        };
        var p = Amd(Pattern(a));
        AssertPermutation(a.Rows, p);
        long nnz = NnzL(a, p);
        Assert.True(nnz <= 1.05 * old, $"nnz(L) {nnz} against the old AMD's {old}");
        Assert.True(nnz <= 1.02 * suiteSparse, $"nnz(L) {nnz} against SuiteSparse AMD's {suiteSparse}");
    }

    [Fact]
    public void GridFillIsFarBelowTheBandedOrdering()
    {
        // Independent of any AMD: the natural (banded) ordering of a k×k grid fills every column to the bandwidth k,
        // nnz(L) ≈ k³; minimum degree orderings are O(k² log k) in practice.
        int k = 100;
        var a = SparseTensor.Poisson2D<double>(k);
        long nnz = NnzL(a, Amd(Pattern(a)));
        Assert.True(nnz < 0.25 * Math.Pow(k, 3), $"nnz(L) = {nnz}");
        Assert.True(nnz < 10.0 * k * k * Math.Log2(k), $"nnz(L) = {nnz}");
    }

    [Fact]
    public void DenseRowsAreOrderedLast()
    {
        // A 30×30 grid plus 3 rows coupled to every vertex: their degree (> 10·√n) makes them dense, so they are taken
        // out of the graph and numbered last.
        int k = 30, m = k * k, n = m + 3;
        var grid = TestGraphs.Grid2D(k);
        var edges = new List<(int, int)>();
        for (int i = 0; i < m; i++) for (int q = grid.RowPtr[i]; q < grid.RowPtr[i + 1]; q++) if (grid.ColInd[q] > i) edges.Add((i, grid.ColInd[q]));
        for (int d = m; d < n; d++) for (int i = 0; i < d; i++) edges.Add((i, d));
        var g = FromEdges(n, edges);
        var p = Amd(g);
        AssertPermutation(n, p);
        Assert.Equal([m, m + 1, m + 2], p[^3..].Order());
        // Each grid column of L holds the three dense rows besides the grid's own fill, and they end as a 3-clique:
        // nnz(L) = (the grid's fill in the same order) + 3m + 3 + 2 + 1.
        long gridPart = EliminationGameNnzL(grid, p[..m]);
        Assert.Equal(gridPart + 3L * m + 6, EliminationGameNnzL(g, p));
        // And the grid is ordered about as well as without the dense rows.
        long gridAlone = EliminationGameNnzL(grid, Amd(grid));
        Assert.True(gridPart <= 1.02 * gridAlone, $"grid fill {gridPart} with dense rows, {gridAlone} without");
    }

    [Fact]
    public void DisconnectedGraphsAndIsolatedVerticesAreOrdered()
    {
        var one = TestGraphs.Grid2D(20);
        var (n, rp, ci) = TestGraphs.Disjoint(one, 3);
        var rp2 = rp.Concat(Enumerable.Repeat(rp[^1], 5)).ToArray();   // 5 isolated vertices at the end
        var g = (n + 5, rp2, ci);
        var p = Amd(g);
        AssertPermutation(n + 5, p);
        // Eliminations in one component do not change degrees in another, so each copy fills about as one grid alone.
        long single = EliminationGameNnzL(one, Amd(one));
        long all = EliminationGameNnzL(g, p);
        Assert.True(all <= 3 * single * 1.02 + 5, $"nnz(L) {all} for three copies, {single} for one");
    }

    [Fact]
    public void EmptyOneByOneAndDiagonalPatterns()
    {
        Assert.Empty(ApproximateMinimumDegree.Order(0, [0], []));
        Assert.Equal([0], ApproximateMinimumDegree.Order(1, [0, 1], [0]));
        Assert.Equal([0], ApproximateMinimumDegree.Order(1, [0, 0], []));
        int n = 50;
        var diag = ApproximateMinimumDegree.Order(n, [.. Enumerable.Range(0, n + 1)], [.. Enumerable.Range(0, n)]);
        AssertPermutation(n, diag);
    }

    [Fact]
    public void TriangleDuplicatesAndSelfLoopsGiveTheOrderingOfTheSymmetricPattern()
    {
        var g = TestGraphs.Grid2D(25);
        var p = Amd(g);
        // The same graph with each entry stored twice and self loops added: identical lists after deduplication.
        var rp = new int[g.N + 1]; var ci = new List<int>();
        for (int i = 0; i < g.N; i++)
        {
            var row = g.ColInd[g.RowPtr[i]..g.RowPtr[i + 1]];
            ci.AddRange(row); ci.Add(i); ci.AddRange(row);
            rp[i + 1] = ci.Count;
        }
        Assert.Equal(p, ApproximateMinimumDegree.Order(g.N, rp, [.. ci]));
        // Only the lower triangle: ordered as A + Aᵀ (list order differs, so ties may break differently; fill is alike).
        var lrp = new int[g.N + 1]; var lci = new List<int>();
        for (int i = 0; i < g.N; i++) { lci.AddRange(g.ColInd[g.RowPtr[i]..g.RowPtr[i + 1]].Where(j => j < i)); lrp[i + 1] = lci.Count; }
        var pl = ApproximateMinimumDegree.Order(g.N, lrp, [.. lci]);
        AssertPermutation(g.N, pl);
        long full = EliminationGameNnzL(g, p), lower = EliminationGameNnzL(g, pl);
        Assert.True(Math.Abs(lower - full) <= 0.05 * full, $"nnz(L) {lower} from the lower triangle, {full} from both");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(5000)]
    public void CompactionAndGrowthOfTheWorkspaceDoNotChangeTheOrdering(int elbowRoom)
    {
        // With little free space the quotient graph is garbage-collected (and with none the workspace grows) many times.
        foreach (var a in new[] { SparseTensor.Poisson2D<double>(40), SparseTensor.Poisson3D<double>(10), MatrixMarket.Read<double>(TestPaths.Matrix("bp_1200.mtx")) })
        {
            var g = Pattern(a);
            Assert.Equal(Amd(g), ApproximateMinimumDegree.Order(g.N, g.RowPtr, g.ColInd, elbowRoom));
        }
    }

    [Fact]
    public void BadPatternsAreRejectedAndInputsAreNotModified()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ApproximateMinimumDegree.Order(-1, [0], []));
        Assert.Throws<ArgumentException>(() => ApproximateMinimumDegree.Order(3, [0, 1], [1]));
        Assert.Throws<ArgumentException>(() => ApproximateMinimumDegree.Order(2, [0, 1, 2], [1, 2]));
        Assert.Throws<ArgumentException>(() => ApproximateMinimumDegree.Order(2, [0, 2, 1], [1, 0]));
        Assert.Throws<ArgumentException>(() => ApproximateMinimumDegree.Order(2, [0, 1, 3], [1, 0]));
        var g = TestGraphs.Grid2D(12);
        var rp = (int[])g.RowPtr.Clone(); var ci = (int[])g.ColInd.Clone();
        Amd(g);
        Assert.Equal(rp, g.RowPtr);
        Assert.Equal(ci, g.ColInd);
    }

    [Fact]
    public void DeterministicAcrossCalls()
    {
        var a = SparseTensor.Poisson3D<double>(12);
        var g = Pattern(a);
        Assert.Equal(Amd(g), Amd(g));
    }

    [Theory]
    [InlineData("494_bus.mtx")]
    [InlineData("bp_1200.mtx")]
    [InlineData("cryg2500.mtx")]
    [InlineData("west0479.mtx")]
    [InlineData("olm1000.mtx")]
    [InlineData("hangGlider_2.mtx")]
    public void LuWithAmdSolvesTheSharedMatrices(string file)
    {
        var a = MatrixMarket.Read<double>(TestPaths.Matrix(file));
        using var lu = a.Lu(CholeskyOrdering.ApproximateMinimumDegree);
        var b = RandomVector(a.Rows, 7);
        Assert.True(BackwardError(a, lu.Solve(b), b) < 1e-14);
    }

    [Fact]
    public void CholeskyAndLdltWithAmdSolveTheSymmetricSharedMatrices()
    {
        var bus = MatrixMarket.Read<double>(TestPaths.Matrix("494_bus.mtx"));
        using (var c = bus.Cholesky(CholeskyOrdering.ApproximateMinimumDegree))
        {
            var b = RandomVector(bus.Rows, 8);
            Assert.True(BackwardError(bus, c.Solve(b), b) < 1e-15);
        }
        foreach (var file in new[] { "494_bus.mtx", "hangGlider_2.mtx" })
        {
            var a = MatrixMarket.Read<double>(TestPaths.Matrix(file));
            using var f = a.Ldlt(CholeskyOrdering.ApproximateMinimumDegree);
            var b = RandomVector(a.Rows, 9);
            Assert.True(BackwardError(a, f.Solve(b), b) < 1e-14);
        }
        // A 3-D Poisson matrix large enough that AMD's supervariables and element absorption all come into play.
        var p = SparseTensor.Poisson3D<double>(16);
        using var pc = p.Cholesky(CholeskyOrdering.ApproximateMinimumDegree);
        var pb = RandomVector(p.Rows, 10);
        Assert.True(BackwardError(p, pc.Solve(pb), pb) < 1e-15);
    }
}
