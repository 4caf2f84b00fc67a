namespace TorchSla.Graphs;

/// <summary>
/// Boundary Fiduccia–Mattheyses refinement of an edge bisection under a balance constraint (Fiduccia &amp;
/// Mattheyses, DAC 1982; boundary variant of Karypis &amp; Kumar 1998, §5.2, as METIS's FM_2WayCutRefine).
/// A pass moves, one at a time, the highest-gain unlocked boundary vertex of the side that is heavier than its
/// target, locks it, and keeps going through negative gains (hill climbing) until
/// <c>min(max(n/100, 15), 100)</c> moves bring no improvement; it then rolls back to the best state seen.
/// States are compared by (excess over the balance maxima, edge cut, distance from the target split), so an
/// unbalanced start is first driven to balance. Passes repeat while they improve.
/// </summary>
internal static class FiducciaMattheyses
{
    /// <summary>Refines <paramref name="b"/> in place with at most <paramref name="passes"/> passes.</summary>
    public static void Refine(EdgeBisection b, BisectionTargets t, int passes, Workspace ws)
    {
        var g = b.Graph;
        int n = g.VertexCount;
        if (n == 0) return;
        var queues = ws.Queues; var locked = ws.Locked; var log = ws.Log;
        int limit = Math.Min(Math.Max(n / 100, 15), 100);
        for (int pass = 0; pass < passes; pass++)
        {
            queues[0].Clear(); queues[1].Clear();
            for (int i = 0; i < b.BoundaryCount; i++)
            {
                int v = b.Boundary[i];
                queues[b.Part[v]].Insert(v, b.External[v] - b.Internal[v]);
            }
            long bestExcess = t.Excess(b.Weight0, b.Weight1), bestCut = b.Cut, bestDiff = Math.Abs(b.Weight0 - t.Target0);
            int bestAt = 0, moves = 0;
            bool filled = false;
            while (moves < n)
            {
                int from = b.Weight0 - t.Target0 >= b.Weight1 - t.Target1 ? 0 : 1;
                if (queues[from].Count == 0)
                {
                    // No boundary vertex left on the heavy side (a disconnected piece): when out of balance, any of its
                    // vertices may move, with gain −internal.
                    if (filled || t.Excess(b.Weight0, b.Weight1) == 0) break;
                    filled = true;
                    for (int v = 0; v < n; v++)
                        if (b.Part[v] == from && !locked[v] && !queues[from].Contains(v)) queues[from].Insert(v, b.External[v] - b.Internal[v]);
                    if (queues[from].Count == 0) break;
                }
                int m = queues[from].Pop();
                locked[m] = true;
                b.Move(m, queues, locked);
                log[moves++] = m;
                long excess = t.Excess(b.Weight0, b.Weight1), diff = Math.Abs(b.Weight0 - t.Target0);
                if (excess < bestExcess || (excess == bestExcess && (b.Cut < bestCut || (b.Cut == bestCut && diff < bestDiff))))
                {
                    bestExcess = excess; bestCut = b.Cut; bestDiff = diff; bestAt = moves;
                }
                else if (moves - bestAt > limit) break;
            }
            for (int i = moves - 1; i >= bestAt; i--) b.Move(log[i]);
            for (int i = 0; i < moves; i++) locked[log[i]] = false;
            if (bestAt == 0) break;
        }
        queues[0].Clear(); queues[1].Clear();
    }

    /// <summary>
    /// Scratch arrays for refinement of graphs of up to <c>capacity</c> vertices, reused across levels and (in nested
    /// dissection) across pieces: the refinements leave the queues empty and nothing locked.
    /// </summary>
    internal sealed class Workspace(int capacity)
    {
        public int Capacity => capacity;
        public readonly GainHeap[] Queues = [new GainHeap(capacity), new GainHeap(capacity)];
        public readonly bool[] Locked = new bool[capacity];
        public readonly int[] Log = new int[capacity];
        // Used by the vertex-separator refinement (NodeFiducciaMattheyses) only.
        public readonly int[] Degree0 = new int[capacity];
        public readonly int[] Degree1 = new int[capacity];
        public readonly int[] Pulled = new int[2 * capacity];  // a vertex is pulled into the separator at most twice a pass
        public readonly int[] PulledAt = new int[capacity];
    }
}
