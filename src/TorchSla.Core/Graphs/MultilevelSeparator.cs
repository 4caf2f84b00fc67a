namespace TorchSla.Graphs;

/// <summary>
/// Multilevel vertex separator, as METIS's node bisection for nested dissection (Karypis &amp; Kumar, SIAM J. Sci.
/// Comput. 20(1), 1998, §6): coarsen by heavy-edge matching; on the coarsest graph try several greedy-grown,
/// Fiduccia–Mattheyses-refined edge bisections, turn each into a vertex separator by a minimum vertex cover of its
/// cut (<see cref="SeparatorFromCut"/>), refine it with vertex FM (<see cref="NodeFiducciaMattheyses"/>) and keep
/// the lightest; then project it level by level (a coarse separator vertex puts both its fine vertices in the
/// separator, which keeps it a separator) and refine it with vertex FM at each level.
/// </summary>
internal static class MultilevelSeparator
{
    /// <summary>Vertex FM passes per level (each stops early when it gains nothing).</summary>
    public const int RefinePasses = 6;

    /// <summary>Initial separators tried on the coarsest graph (4 gave the fill of 8 on grids and the shared matrices, at half the cost).</summary>
    public const int InitialTrials = 4;

    /// <summary>Labels: 0 and 1 for the sides, 2 for the separator; each side is meant to weigh at most (1 + imbalance)·W/2 + w (ranked above the separator's weight).</summary>
    /// <param name="g">The graph.</param>
    /// <param name="imbalance">Allowed excess of a side over half the weight.</param>
    /// <param name="seed">Seed of the random choices.</param>
    /// <param name="ws">Scratch of capacity ≥ the vertex count, reused across calls (allocated when null).</param>
    public static int[] Compute(WeightedGraph g, double imbalance, int seed, FiducciaMattheyses.Workspace? ws = null)
    {
        var rng = new Random(seed);
        var (graphs, maps) = MultilevelBisection.Coarsen(g, rng);
        ws ??= new FiducciaMattheyses.Workspace(g.VertexCount);
        var cur = graphs[^1];
        var targets = BisectionTargets.For(cur, 0.5, imbalance);
        int[]? label = null;
        long bestExcess = long.MaxValue, bestSep = long.MaxValue;
        for (int trial = 0; trial < InitialTrials; trial++)
        {
            var candidate = SeparatorFromCut.Compute(GreedyGraphGrowing.GrowAndRefine(cur, targets, rng, ws));
            NodeFiducciaMattheyses.Refine(cur, candidate, MaxSide(cur, imbalance), RefinePasses, ws);
            long w0 = 0, w1 = 0, w2 = 0;
            for (int v = 0; v < cur.VertexCount; v++)
            {
                int w = cur.VertexWeights[v];
                if (candidate[v] == 0) w0 += w; else if (candidate[v] == 1) w1 += w; else w2 += w;
            }
            long max = MaxSide(cur, imbalance);
            long excess = Math.Max(0, w0 - max) + Math.Max(0, w1 - max);
            if (excess < bestExcess || (excess == bestExcess && w2 < bestSep)) { label = candidate; bestExcess = excess; bestSep = w2; }
        }
        for (int level = graphs.Count - 2; level >= 0; level--)
        {
            label = MultilevelBisection.Project(maps[level], label!);
            NodeFiducciaMattheyses.Refine(graphs[level], label, MaxSide(graphs[level], imbalance), RefinePasses, ws);
        }
        return label!;
    }

    private static long MaxSide(WeightedGraph g, double imbalance) => (long)Math.Floor(0.5 * g.TotalVertexWeight * (1 + imbalance)) + g.MaxVertexWeight;
}
