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
        var order = BlockRandomOrder(n, 64, rng);
        foreach (int v in order)
        {
            if (match[v] >= 0) continue;
            int best = -1, bestW = 0, wv = vw[v];
            for (int q = xadj[v]; q < xadj[v + 1]; q++)
            {
                int u = adj[q];
                if (match[u] < 0 && ew[q] > bestW && wv + vw[u] <= maxVertexWeight) { best = u; bestW = ew[q]; }
            }
            if (best < 0) match[v] = v;
            else { match[v] = best; match[best] = v; }
        }

        // Coarse vertices are numbered in the order of their first fine vertex, not in the random visiting order: a
        // mesh-like numbering of the fine graph then carries over to every level, and with it the cache locality.
        // Arrays written in full before they are read skip the zeroing (it costs as much as the matching on large graphs).
        var cmap = GC.AllocateUninitializedArray<int>(n);
        var first = GC.AllocateUninitializedArray<int>(n);   // first[c], second[c]: the fine vertices of coarse vertex c (second = −1 for a singleton)
        var second = GC.AllocateUninitializedArray<int>(n);
        int cn = 0;
        for (int v = 0; v < n; v++)
        {
            int u = match[v];
            if (u < v) continue;   // numbered with its partner u < v already
            first[cn] = v; second[cn] = u == v ? -1 : u;
            cmap[v] = cn; cmap[u] = cn;
            cn++;
        }

        // Coarse adjacency: the union of the two fine lists, self edges dropped, parallel edges merged through a position marker.
        var cx = GC.AllocateUninitializedArray<int>(cn + 1);
        cx[0] = 0;
        var cadj = GC.AllocateUninitializedArray<int>(g.AdjacencyCount);
        var cew = GC.AllocateUninitializedArray<int>(g.AdjacencyCount);
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
    /// A permutation of 0..n−1 that is random within blocks of <paramref name="block"/> consecutive numbers and visits
    /// the blocks in random order: random enough for the matching, while the vertices visited one after another stay
    /// close in memory (a fully random visit misses the cache on every vertex of a large graph).
    /// </summary>
    internal static int[] BlockRandomOrder(int n, int block, Random rng)
    {
        int blocks = (n + block - 1) / block;
        var blockOrder = RandomOrder(blocks, rng);
        var p = GC.AllocateUninitializedArray<int>(n);
        int at = 0;
        foreach (int b in blockOrder)
        {
            int lo = b * block, len = Math.Min(block, n - lo);
            for (int i = 0; i < len; i++) p[at + i] = lo + i;
            for (int i = len - 1; i > 0; i--) { int j = rng.Next(i + 1); (p[at + i], p[at + j]) = (p[at + j], p[at + i]); }
            at += len;
        }
        return p;
    }

    /// <summary>A random permutation of 0..n−1 (Fisher–Yates).</summary>
    internal static int[] RandomOrder(int n, Random rng)
    {
        var p = GC.AllocateUninitializedArray<int>(n);
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) { int j = rng.Next(i + 1); (p[i], p[j]) = (p[j], p[i]); }
        return p;
    }
}
