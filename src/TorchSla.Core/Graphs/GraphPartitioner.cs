namespace TorchSla.Graphs;

/// <summary>A k-way partition: the part of every vertex, the weight of every part and the edge cut.</summary>
/// <param name="Part">Part of each vertex, in [0, Parts).</param>
/// <param name="Parts">Number of parts asked for (some are empty when the graph has fewer vertices).</param>
/// <param name="PartWeights">Sum of the vertex weights in each part.</param>
/// <param name="EdgeCut">Sum of the weights of the edges whose ends lie in different parts.</param>
internal sealed record GraphPartition(int[] Part, int Parts, long[] PartWeights, long EdgeCut);

/// <summary>
/// The multilevel graph partitioner (Karypis &amp; Kumar, SIAM J. Sci. Comput. 20(1), 1998): heavy-edge-matching
/// coarsening, greedy-graph-growing initial bisection, boundary Fiduccia–Mattheyses refinement while uncoarsening.
/// It gives k-way partitions by recursive bisection (for distributing a matrix by rows) and vertex separators
/// (for nested dissection, <see cref="Solvers.Direct.NestedDissection"/>). Results depend only on the graph and
/// the seed.
/// </summary>
internal static class GraphPartitioner
{
    /// <summary>
    /// Partitions <paramref name="graph"/> into <paramref name="parts"/> parts by recursive multilevel bisection, each
    /// split in proportion to the parts on its two sides. With W the total vertex weight, w the largest vertex weight
    /// and d = ⌈log₂ parts⌉, every part is meant to weigh at most (1 + <paramref name="imbalance"/>)·(W/parts + d·w):
    /// each bisection may exceed its share by (1 + imbalance)^(1/d) and one vertex. The refinement ranks balance above
    /// the cut and may move any vertex of the heavy side, so the bound is reached whenever single moves can reach it
    /// (in the tests, with unit and with random weights, it always was); <see cref="GraphPartition.PartWeights"/> says.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parts"/> &lt; 1, or <paramref name="imbalance"/> negative or not finite.</exception>
    public static GraphPartition Partition(WeightedGraph graph, int parts, double imbalance = 0.03, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (parts < 1) throw new ArgumentOutOfRangeException(nameof(parts), parts, "the number of parts must be at least 1");
        CheckImbalance(imbalance);
        int n = graph.VertexCount;
        var part = new int[n];
        if (parts > 1 && n > 0)
        {
            int depth = (int)Math.Ceiling(Math.Log2(parts));
            double perLevel = Math.Pow(1 + imbalance, 1.0 / depth) - 1;
            var ids = new int[n];
            for (int v = 0; v < n; v++) ids[v] = v;
            Split(graph, ids, parts, 0, perLevel, seed, part);
        }
        var weights = new long[parts];
        for (int v = 0; v < n; v++) weights[part[v]] += graph.VertexWeights[v];
        return new GraphPartition(part, parts, weights, graph.EdgeCut(part));
    }

    private static void Split(WeightedGraph g, int[] ids, int parts, int first, double imbalance, int seed, int[] part)
    {
        if (parts == 1 || g.VertexCount == 0)
        {
            foreach (int v in ids) part[v] = first;
            return;
        }
        int k0 = parts / 2;
        var b = MultilevelBisection.Bisect(g, (double)k0 / parts, imbalance, unchecked(seed * 31 + first));
        var map = new int[g.VertexCount];
        for (int s = 0; s < 2; s++)
        {
            var sub = g.Induced(b.Part, s, map, out var local);
            var subIds = new int[local.Length];
            for (int i = 0; i < local.Length; i++) subIds[i] = ids[local[i]];
            Split(sub, subIds, s == 0 ? k0 : parts - k0, s == 0 ? first : first + k0, imbalance, seed, part);
        }
    }

    /// <summary>
    /// A vertex separator of <paramref name="graph"/>: label 2 for separator vertices, 0 and 1 for the two sides,
    /// with no edge between side 0 and side 1 (<see cref="MultilevelSeparator"/>): a minimum vertex cover of the cut
    /// edges of a coarse edge bisection, refined by vertex Fiduccia–Mattheyses at every level. Each side is meant to
    /// weigh at most (1 + <paramref name="imbalance"/>)·W/2 + w (balance ranks above the separator's size in the
    /// refinement).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="imbalance"/> negative or not finite.</exception>
    public static int[] Separator(WeightedGraph graph, double imbalance = 0.1, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(graph);
        CheckImbalance(imbalance);
        if (graph.VertexCount == 0) return [];
        return MultilevelSeparator.Compute(graph, imbalance, seed);
    }

    private static void CheckImbalance(double imbalance)
    {
        if (!(imbalance >= 0) || double.IsInfinity(imbalance))
            throw new ArgumentOutOfRangeException(nameof(imbalance), imbalance, "the imbalance must be a finite non-negative number");
    }
}
