namespace TorchSla.Graphs;

/// <summary>
/// Multilevel edge bisection (Karypis &amp; Kumar, SIAM J. Sci. Comput. 20(1), 1998): coarsen by heavy-edge
/// matching until a few dozen vertices remain (or matching stops shrinking the graph), bisect the coarsest
/// graph by greedy graph growing from several seeds, then project back level by level, refining each projection
/// with boundary Fiduccia–Mattheyses under the balance constraint. Cost O(edges · log n) in practice.
/// Deterministic for a given seed.
/// </summary>
internal static class MultilevelBisection
{
    /// <summary>Coarsening stops at or below this many vertices (on 2-D grids 40 gave straight separators where 100–200 did not: the global shape is decided on the coarsest graph).</summary>
    public const int CoarsenTo = 40;
    /// <summary>Seeds tried by the initial bisection.</summary>
    public const int InitialTrials = 8;
    /// <summary>Refinement passes per level (each stops early when it gains nothing).</summary>
    public const int RefinePasses = 8;

    /// <summary>A bisection of <paramref name="g"/> with side 0 near <paramref name="fraction0"/> of the weight, refined at the finest level.</summary>
    public static EdgeBisection Bisect(WeightedGraph g, double fraction0, double imbalance, int seed)
    {
        var rng = new Random(seed);
        var (graphs, maps) = Coarsen(g, rng);
        var ws = new FiducciaMattheyses.Workspace(g.VertexCount);
        var cur = graphs[^1];
        var part = GreedyGraphGrowing.Bisect(cur, BisectionTargets.For(cur, fraction0, imbalance), InitialTrials, rng, ws);
        for (int level = graphs.Count - 1; ; level--)
        {
            var lg = graphs[level];
            var b = new EdgeBisection(lg, part);
            FiducciaMattheyses.Refine(b, BisectionTargets.For(lg, fraction0, imbalance), RefinePasses, ws);
            if (level == 0) return b;
            part = Project(maps[level - 1], part);
        }
    }

    /// <summary>
    /// The coarsening hierarchy: graphs[0] = g, graphs[i+1] coarsened from graphs[i] with maps[i] (fine → coarse),
    /// until at most <see cref="CoarsenTo"/> vertices remain or a level shrinks the graph by less than 10 %.
    /// </summary>
    public static (List<WeightedGraph> Graphs, List<int[]> Maps) Coarsen(WeightedGraph g, Random rng)
    {
        var graphs = new List<WeightedGraph> { g };
        var maps = new List<int[]>();
        // Coarse vertices heavier than this would make balance hard to reach (METIS uses 1.5·W/CoarsenTo too).
        int maxVertexWeight = (int)Math.Min(int.MaxValue, Math.Max(1.5 * g.TotalVertexWeight / CoarsenTo, g.MaxVertexWeight));
        var cur = g;
        while (cur.VertexCount > CoarsenTo)
        {
            var coarse = HeavyEdgeMatching.Coarsen(cur, maxVertexWeight, rng, out var map);
            if (coarse.VertexCount == cur.VertexCount) break;
            graphs.Add(coarse); maps.Add(map);
            bool slow = coarse.VertexCount > 0.9 * cur.VertexCount;
            cur = coarse;
            if (slow) break;
        }
        return (graphs, maps);
    }

    /// <summary>Labels of the fine vertices from those of the coarse vertices they were merged into.</summary>
    public static int[] Project(int[] fineToCoarse, int[] coarseLabel)
    {
        var fine = new int[fineToCoarse.Length];
        for (int v = 0; v < fine.Length; v++) fine[v] = coarseLabel[fineToCoarse[v]];
        return fine;
    }
}
