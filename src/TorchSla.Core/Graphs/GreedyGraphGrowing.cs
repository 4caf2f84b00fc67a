namespace TorchSla.Graphs;

/// <summary>
/// Initial bisection of the coarsest graph by greedy graph growing (Karypis &amp; Kumar 1998, §4, "GGGP"): side 0
/// grows from a seed vertex, always taking the outside vertex whose move lowers the edge cut most, until it holds
/// its target weight; the result is refined by Fiduccia–Mattheyses. Several random seeds are tried and the best
/// (balanced first, then smallest cut) is kept. When the region stops touching new vertices (a disconnected
/// graph) it continues from the next vertex of a random order. Cost O(trials · edges · log n).
/// </summary>
internal static class GreedyGraphGrowing
{
    /// <summary>The best of <paramref name="trials"/> grown and refined bisections.</summary>
    public static int[] Bisect(WeightedGraph g, BisectionTargets t, int trials, Random rng, FiducciaMattheyses.Workspace ws)
    {
        int[]? best = null;
        long bestExcess = long.MaxValue, bestCut = long.MaxValue;
        for (int trial = 0; trial < trials; trial++)
        {
            var b = GrowAndRefine(g, t, rng, ws);
            long excess = t.Excess(b.Weight0, b.Weight1);
            if (excess < bestExcess || (excess == bestExcess && b.Cut < bestCut)) { best = b.Part; bestExcess = excess; bestCut = b.Cut; }
        }
        return best ?? new int[g.VertexCount];
    }

    /// <summary>One bisection grown from a random seed and refined by Fiduccia–Mattheyses.</summary>
    public static EdgeBisection GrowAndRefine(WeightedGraph g, BisectionTargets t, Random rng, FiducciaMattheyses.Workspace ws)
    {
        int n = g.VertexCount;
        var xadj = g.XAdj; var adj = g.Adjacency; var ew = g.EdgeWeights; var vw = g.VertexWeights;
        var degree = new int[n];
        for (int v = 0; v < n; v++) for (int q = xadj[v]; q < xadj[v + 1]; q++) degree[v] += ew[q];
        var toRegion = new int[n];
        var heap = ws.Queues[0];
        var part = new int[n];
        Array.Fill(part, 1);
        var order = HeavyEdgeMatching.RandomOrder(n, rng);
        int next = 0;
        long w0 = 0;
        heap.Clear();
        while (w0 < t.Target0)
        {
            int v;
            if (heap.Count > 0) v = heap.Pop();
            else
            {
                while (next < n && part[order[next]] == 0) next++;
                if (next == n) break;
                v = order[next];
            }
            part[v] = 0; w0 += vw[v];
            for (int q = xadj[v]; q < xadj[v + 1]; q++)
            {
                int u = adj[q];
                if (part[u] == 0) continue;
                toRegion[u] += ew[q];
                int gain = 2 * toRegion[u] - degree[u];   // cut change of moving u: −(to region) + (to the rest)
                if (heap.Contains(u)) heap.Update(u, gain); else heap.Insert(u, gain);
            }
        }
        heap.Clear();
        var b = new EdgeBisection(g, part);
        FiducciaMattheyses.Refine(b, t, 4, ws);
        return b;
    }
}
