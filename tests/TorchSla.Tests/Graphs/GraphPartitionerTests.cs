using Xunit;
using TorchSla.Graphs;
using TorchSla.Solvers.Direct;

namespace TorchSla.Tests.Graphs;

/// <summary>Graphs built independently of the partitioner: grids, random weighted graphs, disjoint unions.</summary>
internal static class TestGraphs
{
    /// <summary>The 5-point grid graph of a k×k mesh (CSR, both directions, no self loops).</summary>
    public static (int N, int[] RowPtr, int[] ColInd) Grid2D(int k)
    {
        var rp = new List<int> { 0 }; var ci = new List<int>();
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                if (i > 0) ci.Add((i - 1) * k + j);
                if (j > 0) ci.Add(i * k + j - 1);
                if (j < k - 1) ci.Add(i * k + j + 1);
                if (i < k - 1) ci.Add((i + 1) * k + j);
                rp.Add(ci.Count);
            }
        return (k * k, rp.ToArray(), ci.ToArray());
    }

    /// <summary>A random symmetric graph with edge probability p, random vertex weights in [1, 5] and edge weights in [1, 9].</summary>
    public static WeightedGraph Random(int n, double p, int seed)
    {
        var rng = new Random(seed);
        var adj = new SortedDictionary<int, int>[n];
        for (int i = 0; i < n; i++) adj[i] = [];
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (rng.NextDouble() < p) { int w = rng.Next(1, 10); adj[i][j] = w; adj[j][i] = w; }
        var rp = new int[n + 1]; var ci = new List<int>(); var ew = new List<int>();
        for (int i = 0; i < n; i++) { foreach (var (j, w) in adj[i]) { ci.Add(j); ew.Add(w); } rp[i + 1] = ci.Count; }
        var vw = new int[n];
        for (int i = 0; i < n; i++) vw[i] = rng.Next(1, 6);
        return WeightedGraph.FromPattern(n, rp, ci.ToArray(), vw, ew.ToArray());
    }

    /// <summary>Copies of a graph side by side with no edge between them.</summary>
    public static (int N, int[] RowPtr, int[] ColInd) Disjoint((int N, int[] RowPtr, int[] ColInd) g, int copies)
    {
        var rp = new List<int> { 0 }; var ci = new List<int>();
        for (int c = 0; c < copies; c++)
            for (int i = 0; i < g.N; i++)
            {
                for (int q = g.RowPtr[i]; q < g.RowPtr[i + 1]; q++) ci.Add(g.ColInd[q] + c * g.N);
                rp.Add(ci.Count);
            }
        return (g.N * copies, rp.ToArray(), ci.ToArray());
    }

    /// <summary>Sum of the weights of edges with ends in different parts, counted here from the adjacency directly.</summary>
    public static long CutByRecount(WeightedGraph g, int[] part)
    {
        long twice = 0;
        for (int v = 0; v < g.VertexCount; v++)
            for (int q = g.XAdj[v]; q < g.XAdj[v + 1]; q++)
                if (part[v] != part[g.Adjacency[q]]) twice += g.EdgeWeights[q];
        Assert.True(twice % 2 == 0);
        return twice / 2;
    }

    /// <summary>Asserts that no edge joins label 0 and label 1 and that every label is 0, 1 or 2.</summary>
    public static void AssertSeparates(WeightedGraph g, int[] label)
    {
        Assert.Equal(g.VertexCount, label.Length);
        for (int v = 0; v < g.VertexCount; v++)
        {
            Assert.InRange(label[v], 0, 2);
            if (label[v] == 2) continue;
            for (int q = g.XAdj[v]; q < g.XAdj[v + 1]; q++)
            {
                int u = g.Adjacency[q];
                Assert.False(label[u] == 1 - label[v], $"edge ({v}, {u}) joins side {label[v]} and side {label[u]}");
            }
        }
    }
}

public class GraphPartitionerTests
{
    private static void AssertValidPartition(WeightedGraph g, GraphPartition p, int k, double imbalance)
    {
        Assert.Equal(g.VertexCount, p.Part.Length);
        Assert.Equal(k, p.Parts);
        var weights = new long[k];
        for (int v = 0; v < g.VertexCount; v++)
        {
            Assert.InRange(p.Part[v], 0, k - 1);
            weights[p.Part[v]] += g.VertexWeights[v];
        }
        Assert.Equal(weights, p.PartWeights);
        Assert.Equal(TestGraphs.CutByRecount(g, p.Part), p.EdgeCut);
        // The documented bound: (1 + ε)·(W/k + ⌈log₂ k⌉·w_max).
        int d = k == 1 ? 0 : (int)Math.Ceiling(Math.Log2(k));
        double bound = (1 + imbalance) * ((double)g.TotalVertexWeight / k + d * g.MaxVertexWeight);
        Assert.All(weights, w => Assert.True(w <= bound + 1e-9, $"part weight {w} exceeds the bound {bound:F1}"));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(16)]
    public void GridPartitionsAreValidBalancedAndReportTheirCut(int k)
    {
        var (n, rp, ci) = TestGraphs.Grid2D(60);
        var g = WeightedGraph.FromPattern(n, rp, ci);
        var p = GraphPartitioner.Partition(g, k, 0.03, seed: 7);
        AssertValidPartition(g, p, k, 0.03);
        Assert.All(p.PartWeights, w => Assert.True(w > 0));
    }

    [Fact]
    public void TwoWayCutOfAGridIsNearTheStraightLine()
    {
        // The minimum balanced cut of a k×k grid is a straight line of k edges.
        int k = 80;
        var (n, rp, ci) = TestGraphs.Grid2D(k);
        var p = GraphPartitioner.Partition(WeightedGraph.FromPattern(n, rp, ci), 2);
        Assert.InRange(p.EdgeCut, k, (long)(1.25 * k));
    }

    [Theory]
    [InlineData(2, 11)]
    [InlineData(5, 12)]
    [InlineData(8, 13)]
    public void WeightedRandomGraphPartitionsAreValid(int k, int seed)
    {
        var g = TestGraphs.Random(300, 0.03, seed);
        var p = GraphPartitioner.Partition(g, k, 0.05, seed);
        AssertValidPartition(g, p, k, 0.05);
        // Better than a random assignment, whose expected cut is (1 − 1/k) of all edge weight.
        long total = 0;
        for (int q = 0; q < g.AdjacencyCount; q++) total += g.EdgeWeights[q];
        Assert.True(p.EdgeCut < 0.8 * (1 - 1.0 / k) * total / 2, $"cut {p.EdgeCut} of {total / 2}");
    }

    [Fact]
    public void PartitionsAreDeterministicForASeed()
    {
        var g = TestGraphs.Random(400, 0.02, 3);
        var a = GraphPartitioner.Partition(g, 6, 0.03, seed: 42);
        var b = GraphPartitioner.Partition(g, 6, 0.03, seed: 42);
        Assert.Equal(a.Part, b.Part);
        Assert.Equal(a.EdgeCut, b.EdgeCut);
        var (n, rp, ci) = TestGraphs.Grid2D(50);
        var gg = WeightedGraph.FromPattern(n, rp, ci);
        Assert.Equal(GraphPartitioner.Separator(gg, 0.2, 5), GraphPartitioner.Separator(gg, 0.2, 5));
    }

    [Fact]
    public void DisconnectedGraphsArePartitioned()
    {
        // Two equal disjoint grids: the cut-free split (one grid per side) is balanced, so the bisection finds cut 0.
        var (n, rp, ci) = TestGraphs.Disjoint(TestGraphs.Grid2D(30), 2);
        var g = WeightedGraph.FromPattern(n, rp, ci);
        var p = GraphPartitioner.Partition(g, 2);
        AssertValidPartition(g, p, 2, 0.03);
        Assert.Equal(0, p.EdgeCut);
        var label = GraphPartitioner.Separator(g);
        TestGraphs.AssertSeparates(g, label);
        Assert.DoesNotContain(2, label);

        // Isolated vertices only.
        var iso = WeightedGraph.FromPattern(10, new int[11], []);
        var pi = GraphPartitioner.Partition(iso, 3, 0.0);
        AssertValidPartition(iso, pi, 3, 0.0);
        Assert.Equal(0, pi.EdgeCut);
    }

    [Fact]
    public void EmptyAndSingleVertexGraphs()
    {
        var empty = WeightedGraph.FromPattern(0, [0], []);
        var p0 = GraphPartitioner.Partition(empty, 4);
        Assert.Empty(p0.Part);
        Assert.Equal(new long[4], p0.PartWeights);
        Assert.Equal(0, p0.EdgeCut);
        Assert.Empty(GraphPartitioner.Separator(empty));
        Assert.Empty(NestedDissection.Order(0, [0], []));

        var one = WeightedGraph.FromPattern(1, [0, 1], [0]);   // a self loop only
        var p1 = GraphPartitioner.Partition(one, 2);
        Assert.Single(p1.Part);
        Assert.Equal(0, p1.EdgeCut);
        Assert.Equal(1, p1.PartWeights.Sum());
        Assert.Equal([0], NestedDissection.Order(1, [0, 1], [0]));
    }

    [Fact]
    public void BadInputIsRejectedWithTheProblemNamed()
    {
        Assert.Contains("n + 1", Assert.Throws<ArgumentException>(() => WeightedGraph.FromPattern(2, [0, 1], [1])).Message);
        Assert.Contains("decrease", Assert.Throws<ArgumentException>(() => WeightedGraph.FromPattern(2, [0, 2, 1], [1, 0])).Message);
        Assert.Contains("outside", Assert.Throws<ArgumentException>(() => WeightedGraph.FromPattern(2, [0, 1, 2], [5, 0])).Message);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => WeightedGraph.FromPattern(2, [0, 2, 3], [1, 1, 0])).Message);
        Assert.Contains("not symmetric", Assert.Throws<ArgumentException>(() => WeightedGraph.FromPattern(3, [0, 1, 2, 2], [1, 2])).Message);
        Assert.Contains("weights differ", Assert.Throws<ArgumentException>(() => WeightedGraph.FromPattern(2, [0, 1, 2], [1, 0], edgeWeights: [1, 2])).Message);
        Assert.Contains("vertex weight", Assert.Throws<ArgumentException>(() => WeightedGraph.FromPattern(2, [0, 1, 2], [1, 0], vertexWeights: [1, 0])).Message);
        Assert.Contains("edge weight", Assert.Throws<ArgumentException>(() => WeightedGraph.FromPattern(2, [0, 1, 2], [1, 0], edgeWeights: [-1, -1])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => WeightedGraph.FromPattern(-1, [0], []));
        var g = WeightedGraph.FromPattern(2, [0, 1, 2], [1, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => GraphPartitioner.Partition(g, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GraphPartitioner.Partition(g, 2, -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GraphPartitioner.Partition(g, 2, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => GraphPartitioner.Separator(g, double.PositiveInfinity));
    }

    [Fact]
    public void InputsAreNotModified()
    {
        var (n, rp, ci) = TestGraphs.Grid2D(40);
        var rp0 = (int[])rp.Clone(); var ci0 = (int[])ci.Clone();
        var vw = Enumerable.Range(0, n).Select(i => 1 + i % 3).ToArray(); var vw0 = (int[])vw.Clone();
        var g = WeightedGraph.FromPattern(n, rp, ci, vw);
        GraphPartitioner.Partition(g, 3);
        NestedDissection.Order(n, rp, ci);
        Assert.Equal(rp0, rp); Assert.Equal(ci0, ci); Assert.Equal(vw0, vw);
    }
}

public class VertexSeparatorTests
{
    [Theory]
    [InlineData(2, 70)]
    [InlineData(3, 16)]
    public void GridSeparatorsSeparateAreBalancedAndNearTheMinimum(int dims, int k)
    {
        var a = dims == 2 ? SparseTensor.Poisson2D<double>(k) : SparseTensor.Poisson3D<double>(k);
        var g = WeightedGraph.FromPattern(a.Rows, a.RowPointers, a.ColumnIndices);
        var label = GraphPartitioner.Separator(g, 0.2, seed: 3);
        TestGraphs.AssertSeparates(g, label);
        int s0 = label.Count(x => x == 0), s1 = label.Count(x => x == 1), sep = label.Count(x => x == 2);
        double max = 0.5 * g.TotalVertexWeight * 1.2 + g.MaxVertexWeight;
        Assert.True(s0 <= max && s1 <= max, $"sides {s0}/{s1}, bound {max}");
        // A plane of k^(dims−1) vertices separates the grid; the multilevel separator should be close to it.
        double plane = Math.Pow(k, dims - 1);
        Assert.InRange(sep, 1, 1.3 * plane);
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    public void WeightedRandomGraphSeparatorsSeparate(int seed)
    {
        var g = TestGraphs.Random(250, 0.02, seed);
        var label = GraphPartitioner.Separator(g, 0.1, seed);
        TestGraphs.AssertSeparates(g, label);
        long w0 = 0, w1 = 0;
        for (int v = 0; v < g.VertexCount; v++) { if (label[v] == 0) w0 += g.VertexWeights[v]; else if (label[v] == 1) w1 += g.VertexWeights[v]; }
        double max = 0.5 * g.TotalVertexWeight * 1.1 + g.MaxVertexWeight;
        Assert.True(w0 <= max && w1 <= max, $"sides {w0}/{w1}, bound {max}");
        Assert.True(w0 > 0 && w1 > 0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void HopcroftKarpFindsAMaximumMatching(int seed)
    {
        // Compared with Kuhn's simple augmenting-path algorithm, written here independently.
        var rng = new Random(seed);
        int nl = 30 + seed * 7, nr = 25 + seed * 5;
        var lists = new List<int>[nl];
        for (int i = 0; i < nl; i++) lists[i] = Enumerable.Range(0, nr).Where(_ => rng.NextDouble() < 0.08).ToList();
        var lx = new int[nl + 1];
        for (int i = 0; i < nl; i++) lx[i + 1] = lx[i] + lists[i].Count;
        var ladj = lists.SelectMany(l => l).ToArray();
        var (ml, mr) = SeparatorFromCut.HopcroftKarp(nl, nr, lx, ladj);
        int size = 0;
        for (int i = 0; i < nl; i++)
        {
            if (ml[i] < 0) continue;
            size++;
            Assert.Contains(ml[i], lists[i]);
            Assert.Equal(i, mr[ml[i]]);
        }
        Assert.Equal(KuhnMatchingSize(nl, nr, lists), size);
    }

    private static int KuhnMatchingSize(int nl, int nr, List<int>[] lists)
    {
        var owner = Enumerable.Repeat(-1, nr).ToArray();
        int size = 0;
        for (int i = 0; i < nl; i++)
        {
            var seen = new bool[nr];
            if (Augment(i)) size++;
            bool Augment(int l)
            {
                foreach (int r in lists[l])
                {
                    if (seen[r]) continue;
                    seen[r] = true;
                    if (owner[r] < 0 || Augment(owner[r])) { owner[r] = l; return true; }
                }
                return false;
            }
        }
        return size;
    }
}
