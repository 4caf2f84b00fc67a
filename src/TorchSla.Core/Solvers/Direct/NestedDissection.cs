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

    /// <summary>
    /// <see cref="OrderAutomatic"/> keeps the level-structure ordering when its top separator is at most this factor
    /// times the multilevel one (measured: equal on 2-D grids, 0.75× on 3-D grids, 2–4× larger on the irregular shared
    /// matrices, where its fill is 2–4× larger too).
    /// </summary>
    public const double LevelStructureTolerance = 1.1;

    /// <summary>Pieces larger than this dissect their two sides in parallel.</summary>
    private const int ParallelPiece = 30_000;

    /// <summary>The ordering p (p[new] = old) of the graph whose adjacency is the CSR pattern (structurally symmetric; self loops ignored).</summary>
    public static int[] Order(int n, int[] rowPtr, int[] colInd)
    {
        var g = WeightedGraph.FromPattern(n, rowPtr, colInd, checkSymmetry: false);
        var perm = new int[n];
        if (n > 0) Dissect(g, Identity(n), 0, perm, new FiducciaMattheyses.Workspace(n));
        return perm;
    }

    /// <summary>
    /// The ordering <see cref="CholeskyOrdering.Automatic"/> uses for large matrices: the single-level
    /// <see cref="LevelStructureDissection"/> when its top separator is no larger than <see cref="LevelStructureTolerance"/>
    /// times the multilevel one (regular meshes: as little fill, 5–8× less ordering time), else the multilevel nested
    /// dissection, continued from the top separator already computed. The multilevel top separator is computed only
    /// when the level-structure one exceeds the size every planar graph admits (Lipton &amp; Tarjan, SIAM J. Appl. Math.
    /// 36(2), 1979: 2·√(2n) vertices), and then side by side with the rest of the level-structure ordering. Below that
    /// bound the top front holds at most 8n entries, a small part of nnz(L) ≈ n·log n however it is chosen, and on 2-D
    /// grids the two separators are the same line; 3-D meshes (separators ≈ n^⅔) get the comparison.
    /// The level-structure ordering rents its n-entry work arrays from <paramref name="scratch"/> and leaves them there for
    /// the analysis that follows (null: its own).
    /// </summary>
    public static int[] OrderAutomatic(int n, int[] rowPtr, int[] colInd, IndexScratch? scratch = null)
    {
        if (n <= LeafSize) return LevelStructureDissection.Order(n, rowPtr, colInd);
        Task<(WeightedGraph Graph, FiducciaMattheyses.Workspace Ws, int[] Top)>? multilevel = null;
        void Compare(int levelSeparator)
        {
            if (levelSeparator <= PlanarSeparatorBound(n)) return;
            // Independent of the rest of the level-structure ordering: on two cores it costs little wall time next to it.
            multilevel = Task.Run(() =>
            {
                var g = WeightedGraph.FromPattern(n, rowPtr, colInd, checkSymmetry: false);
                var ws = new FiducciaMattheyses.Workspace(n);
                return (g, ws, MultilevelSeparator.Compute(g, SeparatorImbalance, Seed(0, n), ws));
            });
        }
        var levels = LevelStructureDissection.Order(n, rowPtr, colInd, out int levelSeparator, Compare, scratch);
        if (multilevel is null) return levels;
        var (graph, workspace, top) = multilevel.GetAwaiter().GetResult();
        int multilevelSeparator = top.Count(l => l == 2);
        if (levelSeparator <= LevelStructureTolerance * multilevelSeparator) return levels;
        var perm = new int[n];
        Dissect(graph, Identity(n), 0, perm, workspace, top);
        return perm;
    }

    /// <summary>Lipton–Tarjan's bound 2·√(2n) on the smallest separator (both sides ≤ 2n/3) of a planar graph of n vertices.</summary>
    internal static double PlanarSeparatorBound(int n) => 2 * Math.Sqrt(2.0 * n);

    private static int Seed(int lo, int n) => unchecked(lo * 7919 + n);

    private static int[] Identity(int n)
    {
        var ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = i;
        return ids;
    }

    /// <summary>Orders the piece g (ids: its vertices' original numbers) into perm[lo .. lo + |g|), with ws as scratch (one per thread).</summary>
    private static void Dissect(WeightedGraph g, int[] ids, int lo, int[] perm, FiducciaMattheyses.Workspace ws, int[]? label = null)
    {
        int n = g.VertexCount;
        if (n <= LeafSize) { OrderLeaf(g, ids, lo, perm); return; }
        label ??= MultilevelSeparator.Compute(g, SeparatorImbalance, Seed(lo, n), ws);
        var map = new int[n];
        var g0 = g.Induced(label, 0, map, out var v0);
        var g1 = g.Induced(label, 1, map, out var v1);
        if (v0.Length == 0 || v1.Length == 0) { OrderLeaf(g, ids, lo, perm); return; }   // no split (a near-clique): minimum degree
        int at = lo + v0.Length + v1.Length;
        for (int v = 0; v < n; v++) if (label[v] == 2) perm[at++] = ids[v];
        var ids0 = Global(v0, ids); var ids1 = Global(v1, ids);
        int lo1 = lo + v0.Length;
        if (n > ParallelPiece)
            Parallel.Invoke(() => Dissect(g0, ids0, lo, perm, ws), () => Dissect(g1, ids1, lo1, perm, new FiducciaMattheyses.Workspace(g1.VertexCount)));
        else
        {
            Dissect(g0, ids0, lo, perm, ws);
            Dissect(g1, ids1, lo1, perm, ws);
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
