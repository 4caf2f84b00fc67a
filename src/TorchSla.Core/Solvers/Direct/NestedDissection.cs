using TorchSla.Graphs;

namespace TorchSla.Solvers.Direct;

/// <summary>
/// Nested dissection ordering (George, "Nested dissection of a regular finite element mesh", SIAM J. Numer. Anal.
/// 10(2), 1973) on multilevel vertex separators, as METIS's <c>METIS_NodeND</c> (Karypis &amp; Kumar, SIAM J. Sci.
/// Comput. 20(1), 1998, §6): each piece is split by <see cref="GraphPartitioner.Separator"/> (a minimum vertex cover
/// of a multilevel Fiduccia–Mattheyses edge bisection), the separator is numbered last, and the two sides are
/// dissected in turn (in parallel for large pieces: they are independent and write disjoint ranges). Pieces of at
/// most <see cref="LeafSize"/> vertices are ordered by approximate minimum degree on their induced subgraph.
/// Disconnected graphs need no special case: a bisection of one has a small or empty cut.
/// The result depends only on the graph (each piece's seed comes from its position in the ordering).
/// Cost O(nnz · log n) in practice.
/// </summary>
internal static class NestedDissection
{
    /// <summary>Subgraphs at most this large are ordered by minimum degree.</summary>
    public const int LeafSize = 128;

    /// <summary>Each side of a separator may exceed half the piece by this fraction (METIS's default for orderings is 0.2).</summary>
    public const double SeparatorImbalance = 0.2;

    /// <summary>Pieces larger than this dissect their two sides in parallel.</summary>
    private const int ParallelPiece = 30_000;

    /// <summary>The ordering p (p[new] = old) of the graph whose adjacency is the CSR pattern (structurally symmetric; self loops ignored).</summary>
    public static int[] Order(int n, int[] rowPtr, int[] colInd)
    {
        var g = WeightedGraph.FromPattern(n, rowPtr, colInd, checkSymmetry: false);
        var perm = new int[n];
        var ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = i;
        if (n > 0) Dissect(g, ids, 0, perm);
        return perm;
    }

    private static void Dissect(WeightedGraph g, int[] ids, int lo, int[] perm)
    {
        int n = g.VertexCount;
        if (n <= LeafSize) { OrderLeaf(g, ids, lo, perm); return; }
        var label = GraphPartitioner.Separator(g, SeparatorImbalance, unchecked(lo * 7919 + n));
        var map = new int[n];
        var g0 = g.Induced(label, 0, map, out var v0);
        var g1 = g.Induced(label, 1, map, out var v1);
        if (v0.Length == 0 || v1.Length == 0) { OrderLeaf(g, ids, lo, perm); return; }   // no split (a near-clique): minimum degree
        int at = lo + v0.Length + v1.Length;
        for (int v = 0; v < n; v++) if (label[v] == 2) perm[at++] = ids[v];
        var ids0 = Global(v0, ids); var ids1 = Global(v1, ids);
        int lo1 = lo + v0.Length;
        if (n > ParallelPiece)
            Parallel.Invoke(() => Dissect(g0, ids0, lo, perm), () => Dissect(g1, ids1, lo1, perm));
        else
        {
            Dissect(g0, ids0, lo, perm);
            Dissect(g1, ids1, lo1, perm);
        }
    }

    private static int[] Global(int[] local, int[] ids)
    {
        var r = new int[local.Length];
        for (int i = 0; i < r.Length; i++) r[i] = ids[local[i]];
        return r;
    }

    private static void OrderLeaf(WeightedGraph g, int[] ids, int lo, int[] perm)
    {
        var p = ApproximateMinimumDegree.Order(g.VertexCount, g.XAdj, g.Adjacency);
        for (int i = 0; i < p.Length; i++) perm[lo + i] = ids[p[i]];
    }
}
