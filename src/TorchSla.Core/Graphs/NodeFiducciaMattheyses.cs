namespace TorchSla.Graphs;

/// <summary>
/// Two-sided Fiduccia–Mattheyses refinement of a vertex separator, as METIS's node refinement
/// (FM_2WayNodeRefine2Sided; Karypis &amp; Kumar 1998, §6; Hendrickson &amp; Rothberg, "Improving the run time
/// and quality of nested dissection ordering", SIAM J. Sci. Comput. 20(2), 1998). Labels are 0, 1 (the sides)
/// and 2 (the separator). Moving separator vertex v into side s pulls v's neighbours on the other side into the
/// separator, so its gain is w(v) − (weight of v's neighbours on the other side). A pass repeatedly makes the best
/// move of either direction (into the lighter side when gains tie, never into a side that would exceed the balance
/// bound if the other direction is possible), locks the moved vertex, climbs through non-improving moves for a
/// while, and rolls back to the best state by (excess over the bound, separator weight, side difference).
/// The labels stay a valid separator after every move: no edge joins side 0 and side 1.
/// </summary>
internal static class NodeFiducciaMattheyses
{
    /// <summary>Refines <paramref name="label"/> in place. Each side may weigh at most <paramref name="maxSide"/>.</summary>
    public static void Refine(WeightedGraph g, int[] label, long maxSide, int passes, FiducciaMattheyses.Workspace ws)
    {
        int n = g.VertexCount;
        var xadj = g.XAdj; var adj = g.Adjacency; var vw = g.VertexWeights;
        var q = ws.Queues; var locked = ws.Locked; var log = ws.Log;
        var ed0 = ws.Degree0; var ed1 = ws.Degree1; var pulled = ws.Pulled; var pulledAt = ws.PulledAt;
        long pw0 = 0, pw1 = 0, pw2 = 0;
        int sepCount = 0;
        for (int v = 0; v < n; v++)
        {
            switch (label[v]) { case 0: pw0 += vw[v]; break; case 1: pw1 += vw[v]; break; default: pw2 += vw[v]; sepCount++; break; }
        }
        for (int pass = 0; pass < passes; pass++)
        {
            q[0].Clear(); q[1].Clear();
            sepCount = 0;
            for (int v = 0; v < n; v++)
            {
                if (label[v] != 2) continue;
                sepCount++;
                SideDegrees(g, label, v, ed0, ed1);
                q[0].Insert(v, vw[v] - ed1[v]);
                q[1].Insert(v, vw[v] - ed0[v]);
            }
            int limit = Math.Min(Math.Max(2 * sepCount, 20), 300);
            long bestExcess = Excess(pw0, pw1, maxSide), bestSep = pw2, bestDiff = Math.Abs(pw0 - pw1);
            int bestAt = 0, moves = 0, pulledCount = 0;
            while (true)
            {
                int to;
                if (q[0].Count > 0 && q[1].Count > 0)
                {
                    int g0 = q[0].TopKey, g1 = q[1].TopKey;
                    to = g0 > g1 ? 0 : g0 < g1 ? 1 : pw0 <= pw1 ? 0 : 1;
                    if ((to == 0 ? pw0 : pw1) + vw[q[to].Top] > maxSide) to = 1 - to;
                }
                else if (q[0].Count > 0) to = 0;
                else if (q[1].Count > 0) to = 1;
                else break;
                int other = 1 - to;
                int v = q[to].Pop();
                if (q[other].Contains(v)) q[other].Remove(v);
                locked[v] = true;
                log[moves] = v; pulledAt[moves] = pulledCount;
                var edTo = to == 0 ? ed0 : ed1;
                var edOther = to == 0 ? ed1 : ed0;
                label[v] = to; pw2 -= vw[v];
                if (to == 0) pw0 += vw[v]; else pw1 += vw[v];
                for (int p = xadj[v]; p < xadj[v + 1]; p++)
                {
                    int u = adj[p];
                    if (label[u] == 2)
                    {
                        edTo[u] += vw[v];
                        if (!locked[u]) q[other].Update(u, vw[u] - edTo[u]);
                    }
                    else if (label[u] == other)
                    {
                        // u now touches side `to`: it joins the separator.
                        label[u] = 2; pw2 += vw[u];
                        if (other == 0) pw0 -= vw[u]; else pw1 -= vw[u];
                        pulled[pulledCount++] = u;
                        ed0[u] = ed1[u] = 0;
                        for (int r = xadj[u]; r < xadj[u + 1]; r++)
                        {
                            int k = adj[r];
                            int lk = label[k];
                            if (lk == 0) ed0[u] += vw[k];
                            else if (lk == 1) ed1[u] += vw[k];
                            else
                            {
                                edOther[k] -= vw[u];
                                if (!locked[k] && q[to].Contains(k)) q[to].Update(k, vw[k] - edOther[k]);
                            }
                        }
                        if (!locked[u]) { q[0].Insert(u, vw[u] - ed1[u]); q[1].Insert(u, vw[u] - ed0[u]); }
                    }
                }
                moves++;
                long excess = Excess(pw0, pw1, maxSide), diff = Math.Abs(pw0 - pw1);
                if (excess < bestExcess || (excess == bestExcess && (pw2 < bestSep || (pw2 == bestSep && diff < bestDiff))))
                {
                    bestExcess = excess; bestSep = pw2; bestDiff = diff; bestAt = moves;
                }
                else if (moves - bestAt > 2 * limit || (moves - bestAt > limit && pw2 > 1.1 * bestSep)) break;
            }

            // Roll back to the best state: each undone vertex returns to the separator and pushes out those it pulled in.
            int end = pulledCount;
            for (int i = moves - 1; i >= bestAt; i--)
            {
                int v = log[i];
                int to = label[v], other = 1 - to;
                var edTo = to == 0 ? ed0 : ed1;
                var edOther = to == 0 ? ed1 : ed0;
                label[v] = 2; pw2 += vw[v];
                if (to == 0) pw0 -= vw[v]; else pw1 -= vw[v];
                ed0[v] = ed1[v] = 0;
                for (int p = xadj[v]; p < xadj[v + 1]; p++)
                {
                    int k = adj[p];
                    int lk = label[k];
                    if (lk == 2) edTo[k] -= vw[v];
                    else if (lk == 0) ed0[v] += vw[k];
                    else ed1[v] += vw[k];
                }
                for (int j = end - 1; j >= pulledAt[i]; j--)
                {
                    int u = pulled[j];
                    label[u] = other; pw2 -= vw[u];
                    if (other == 0) pw0 += vw[u]; else pw1 += vw[u];
                    for (int p = xadj[u]; p < xadj[u + 1]; p++) { int k = adj[p]; if (label[k] == 2) edOther[k] += vw[u]; }
                }
                end = pulledAt[i];
            }
            for (int i = 0; i < moves; i++) locked[log[i]] = false;
            if (bestAt == 0) break;
        }
        q[0].Clear(); q[1].Clear();
    }

    /// <summary>Weight of v's neighbours on side 0 and on side 1.</summary>
    private static void SideDegrees(WeightedGraph g, int[] label, int v, int[] ed0, int[] ed1)
    {
        int a = 0, b = 0;
        for (int p = g.XAdj[v]; p < g.XAdj[v + 1]; p++)
        {
            int k = g.Adjacency[p];
            if (label[k] == 0) a += g.VertexWeights[k]; else if (label[k] == 1) b += g.VertexWeights[k];
        }
        ed0[v] = a; ed1[v] = b;
    }

    private static long Excess(long w0, long w1, long max) => Math.Max(0, w0 - max) + Math.Max(0, w1 - max);
}
