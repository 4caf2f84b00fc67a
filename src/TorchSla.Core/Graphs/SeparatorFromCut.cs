namespace TorchSla.Graphs;

/// <summary>
/// A vertex separator from an edge bisection: the cut edges form a bipartite graph between the boundary vertices
/// of side 0 and of side 1, and any vertex cover of it separates the sides. A minimum cover comes from a maximum
/// matching (Hopcroft &amp; Karp, "An n^5/2 algorithm for maximum matchings in bipartite graphs", SIAM J. Comput.
/// 2(4), 1973) by König's theorem: with Z the vertices reachable from the unmatched left vertices by alternating
/// paths, (L \ Z) ∪ (R ∩ Z) is a minimum cover (Pothen &amp; Fan 1990 use this for separators; so does METIS's
/// ConstructMinCoverSeparator). Both orientations (starting from side 0's or side 1's free vertices) give minimum
/// covers; the one that leaves the sides better balanced is kept. Cost O(cut · √boundary).
/// </summary>
internal static class SeparatorFromCut
{
    /// <summary>Labels per vertex: 0 or 1 for the sides, 2 for the separator. No edge joins side 0 and side 1.</summary>
    public static int[] Compute(EdgeBisection b)
    {
        var g = b.Graph;
        int n = g.VertexCount;
        var label = (int[])b.Part.Clone();
        // Left = boundary vertices of side 0, right = boundary vertices of side 1, each numbered locally.
        var local = new int[n];
        int nl = 0, nr = 0;
        var left = new List<int>(); var right = new List<int>();
        for (int i = 0; i < b.BoundaryCount; i++)
        {
            int v = b.Boundary[i];
            if (b.Part[v] == 0) { local[v] = nl++; left.Add(v); } else { local[v] = nr++; right.Add(v); }
        }
        if (nl == 0 || nr == 0) return label;
        left.Sort(); right.Sort();   // a fixed numbering (the boundary list's order depends on the move history)
        for (int i = 0; i < nl; i++) local[left[i]] = i;
        for (int i = 0; i < nr; i++) local[right[i]] = i;
        var lx = new int[nl + 1];
        for (int i = 0; i < nl; i++) lx[i + 1] = lx[i] + b.External[left[i]]; // the external weight bounds the count of cut edges
        var ladj = new int[lx[nl]];
        int at = 0;
        for (int i = 0; i < nl; i++)
        {
            int v = left[i];
            lx[i] = at;
            for (int q = g.XAdj[v]; q < g.XAdj[v + 1]; q++) { int u = g.Adjacency[q]; if (b.Part[u] == 1) ladj[at++] = local[u]; }
        }
        lx[nl] = at;
        var (matchL, matchR) = HopcroftKarp(nl, nr, lx, ladj);

        // Cover from the left's free vertices, and from the right's (needs right → left adjacency).
        var rx = new int[nr + 1];
        for (int p = 0; p < at; p++) rx[ladj[p] + 1]++;
        for (int j = 0; j < nr; j++) rx[j + 1] += rx[j];
        var radj = new int[at];
        var fill = (int[])rx.Clone();
        for (int i = 0; i < nl; i++) for (int p = lx[i]; p < lx[i + 1]; p++) radj[fill[ladj[p]]++] = i;
        var coverA = KonigCover(nl, nr, lx, ladj, matchL, matchR);   // coverA.inFirst[i]: left i in cover; .inSecond[j]: right j
        var coverB = KonigCover(nr, nl, rx, radj, matchR, matchL);
        long w0 = b.Weight0, w1 = b.Weight1;
        long a0 = w0, a1 = w1, b0 = w0, b1 = w1;
        for (int i = 0; i < nl; i++) { int wv = g.VertexWeights[left[i]]; if (coverA.InFirst[i]) a0 -= wv; if (coverB.InSecond[i]) b0 -= wv; }
        for (int j = 0; j < nr; j++) { int wv = g.VertexWeights[right[j]]; if (coverA.InSecond[j]) a1 -= wv; if (coverB.InFirst[j]) b1 -= wv; }
        bool useA = Math.Abs(a0 - a1) <= Math.Abs(b0 - b1);
        for (int i = 0; i < nl; i++) if (useA ? coverA.InFirst[i] : coverB.InSecond[i]) label[left[i]] = 2;
        for (int j = 0; j < nr; j++) if (useA ? coverA.InSecond[j] : coverB.InFirst[j]) label[right[j]] = 2;
        return label;
    }

    /// <summary>Maximum matching of the bipartite graph (left i adjacent to right ladj[lx[i]..lx[i+1])) by Hopcroft–Karp, with iterative searches.</summary>
    internal static (int[] MatchLeft, int[] MatchRight) HopcroftKarp(int nl, int nr, int[] lx, int[] ladj)
    {
        var matchL = new int[nl]; var matchR = new int[nr];
        Array.Fill(matchL, -1); Array.Fill(matchR, -1);
        // Greedy start: most of a cut's matching is found by one sweep.
        for (int i = 0; i < nl; i++)
            for (int p = lx[i]; p < lx[i + 1]; p++) if (matchR[ladj[p]] < 0) { matchL[i] = ladj[p]; matchR[ladj[p]] = i; break; }
        var dist = new int[nl];
        var queue = new int[nl];
        var it = new int[nl];
        var stack = new int[nl];
        while (true)
        {
            // Breadth-first layers from the free left vertices along alternating paths.
            int head = 0, tail = 0;
            for (int i = 0; i < nl; i++) { if (matchL[i] < 0) { dist[i] = 0; queue[tail++] = i; } else dist[i] = int.MaxValue; }
            bool found = false;
            while (head < tail)
            {
                int i = queue[head++];
                for (int p = lx[i]; p < lx[i + 1]; p++)
                {
                    int k = matchR[ladj[p]];
                    if (k < 0) found = true;
                    else if (dist[k] == int.MaxValue) { dist[k] = dist[i] + 1; queue[tail++] = k; }
                }
            }
            if (!found) break;
            // Vertex-disjoint shortest augmenting paths by depth-first search along the layers.
            for (int i = 0; i < nl; i++) it[i] = lx[i];
            for (int s = 0; s < nl; s++)
            {
                if (matchL[s] >= 0) continue;
                int depth = 0;
                stack[0] = s;
                while (depth >= 0)
                {
                    int i = stack[depth];
                    if (it[i] == lx[i + 1])
                    {
                        // Dead end: i leaves the layered graph, and its parent tries its next edge.
                        dist[i] = int.MaxValue;
                        if (--depth >= 0) it[stack[depth]]++;
                        continue;
                    }
                    int r = ladj[it[i]];
                    int k = matchR[r];
                    if (k < 0)
                    {
                        // Augment along the stack: each left vertex takes the right vertex its iterator points at.
                        for (int d = depth; d >= 0; d--)
                        {
                            int li = stack[d], rj = ladj[it[li]];
                            matchL[li] = rj; matchR[rj] = li;
                        }
                        break;
                    }
                    if (dist[k] == dist[i] + 1) stack[++depth] = k;
                    else it[i]++;
                }
            }
        }
        return (matchL, matchR);
    }

    private readonly record struct Cover(bool[] InFirst, bool[] InSecond);

    /// <summary>König's cover: Z = vertices reachable from the free first-side vertices by alternating paths; cover = (first \ Z) ∪ (second ∩ Z).</summary>
    private static Cover KonigCover(int n1, int n2, int[] x, int[] adj, int[] match1, int[] match2)
    {
        var z1 = new bool[n1]; var z2 = new bool[n2];
        var queue = new int[n1];
        int head = 0, tail = 0;
        for (int i = 0; i < n1; i++) if (match1[i] < 0) { z1[i] = true; queue[tail++] = i; }
        while (head < tail)
        {
            int i = queue[head++];
            for (int p = x[i]; p < x[i + 1]; p++)
            {
                int j = adj[p];
                if (z2[j]) continue;
                z2[j] = true;
                int k = match2[j];
                if (k >= 0 && !z1[k]) { z1[k] = true; queue[tail++] = k; }
            }
        }
        for (int i = 0; i < n1; i++) z1[i] = !z1[i];
        return new Cover(z1, z2);
    }
}
