namespace TorchSla.Graphs;

/// <summary>
/// One coarsening step by heavy-edge matching (Karypis &amp; Kumar, "A fast and high quality multilevel scheme
/// for partitioning irregular graphs", SIAM J. Sci. Comput. 20(1), 1998, §3.1): vertices are visited in a random
/// order and each unmatched vertex is matched with the unmatched neighbour joined by the heaviest edge. Matched
/// pairs become one coarse vertex (weights added); parallel coarse edges are merged with their weights added, so
/// the edge cut and part weights of any partition of the coarse graph equal those of its projection.
/// Cost O(edges).
/// </summary>
internal static class HeavyEdgeMatching
{
    /// <summary>
    /// The coarse graph and the map fine vertex → coarse vertex. A pair is not formed when its weight would exceed
    /// <paramref name="maxVertexWeight"/> (keeps coarse vertices small enough to balance).
    /// </summary>
    public static WeightedGraph Coarsen(WeightedGraph g, int maxVertexWeight, Random rng, out int[] coarseOf)
    {
        int n = g.VertexCount;
        var xadj = g.XAdj; var adj = g.Adjacency; var ew = g.EdgeWeights; var vw = g.VertexWeights;
        var match = new int[n];
        Array.Fill(match, -1);
        var order = Environment.GetEnvironmentVariable("ND3_LOCAL") == "1" ? LocallyRandomOrder(n, rng) : RandomOrder(n, rng);
        var cmap = new int[n];
        var first = new int[n];   // first[c], second[c]: the fine vertices of coarse vertex c (second = −1 for a singleton)
        var second = new int[n];
        int cn = 0;
        foreach (int v in order)
        {
            if (match[v] >= 0) continue;
            int best = -1, bestW = 0, wv = vw[v];
            for (int q = xadj[v]; q < xadj[v + 1]; q++)
            {
                int u = adj[q];
                if (match[u] < 0 && ew[q] > bestW && wv + vw[u] <= maxVertexWeight) { best = u; bestW = ew[q]; }
            }
            first[cn] = v; cmap[v] = cn;
            if (best < 0) { match[v] = v; second[cn] = -1; }
            else { match[v] = best; match[best] = v; cmap[best] = cn; second[cn] = best; }
            cn++;
        }

        // Coarse adjacency: the union of the two fine lists, self edges dropped, parallel edges merged through a position marker.
        var cx = new int[cn + 1];
        var cadj = new int[g.AdjacencyCount];
        var cew = new int[g.AdjacencyCount];
        var cvw = new int[cn];
        var at = new int[cn];
        Array.Fill(at, -1);
        int ptr = 0;
        for (int c = 0; c < cn; c++)
        {
            int start = ptr;
            for (int s = 0; s < 2; s++)
            {
                int v = s == 0 ? first[c] : second[c];
                if (v < 0) break;
                cvw[c] += vw[v];
                for (int q = xadj[v]; q < xadj[v + 1]; q++)
                {
                    int cu = cmap[adj[q]];
                    if (cu == c) continue;
                    int p = at[cu];
                    if (p < 0) { at[cu] = ptr; cadj[ptr] = cu; cew[ptr++] = ew[q]; }
                    else cew[p] += ew[q];
                }
            }
            for (int p = start; p < ptr; p++) at[cadj[p]] = -1;
            cx[c + 1] = ptr;
        }
        coarseOf = cmap;
        return new WeightedGraph(cx, cadj, cew, cvw);
    }

    /// <summary>
    /// 0..n−1 with n/8 random transpositions (as METIS's irandArrayPermute(n, p, n/8)): random enough to vary the
    /// matching, while most of the visit stays in memory order, which the coarsening's speed depends on.
    /// </summary>
    internal static int[] LocallyRandomOrder(int n, Random rng)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        if (n < 2) return p;
        for (int s = 0; s < n / 8; s++) { int i = rng.Next(n), j = rng.Next(n); (p[i], p[j]) = (p[j], p[i]); }
        return p;
    }

    /// <summary>A random permutation of 0..n−1 (Fisher–Yates).</summary>
    internal static int[] RandomOrder(int n, Random rng)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) { int j = rng.Next(i + 1); (p[i], p[j]) = (p[j], p[i]); }
        return p;
    }
}
