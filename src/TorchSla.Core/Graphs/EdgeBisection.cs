namespace TorchSla.Graphs;

/// <summary>The wanted weights of the two sides of a bisection and the most each may weigh.</summary>
internal readonly record struct BisectionTargets(long Target0, long Target1, long Max0, long Max1)
{
    /// <summary>
    /// Side 0 gets <paramref name="fraction0"/> of the total weight W; side s may weigh at most
    /// ⌊W·f_s·(1 + <paramref name="imbalance"/>)⌋ plus one largest vertex (so that an exact split is never required:
    /// a prefix of any vertex order reaching W·f₀ fits).
    /// </summary>
    public static BisectionTargets For(WeightedGraph g, double fraction0, double imbalance)
    {
        long w = g.TotalVertexWeight;
        long t0 = (long)Math.Round(w * fraction0);
        return new(t0, w - t0,
            (long)Math.Floor(w * fraction0 * (1 + imbalance)) + g.MaxVertexWeight,
            (long)Math.Floor(w * (1 - fraction0) * (1 + imbalance)) + g.MaxVertexWeight);
    }

    /// <summary>How far the side weights exceed their maxima (0 when the bisection is balanced).</summary>
    public long Excess(long w0, long w1) => Math.Max(0, w0 - Max0) + Math.Max(0, w1 - Max1);
}

/// <summary>
/// A two-way partition with the bookkeeping of Fiduccia–Mattheyses refinement (Fiduccia &amp; Mattheyses, "A
/// linear-time heuristic for improving network partitions", DAC 1982; in the form of Karypis &amp; Kumar 1998,
/// §5.2): for each vertex its internal and external degree (edge weight to its own side and to the other), the
/// boundary (vertices with external degree &gt; 0) as an addressable list, the side weights and the edge cut.
/// Moving v changes the cut by −(external − internal) = −gain.
/// </summary>
internal sealed class EdgeBisection
{
    public readonly WeightedGraph Graph;
    public readonly int[] Part;
    public readonly int[] Internal;
    public readonly int[] External;
    public readonly int[] Boundary;       // boundary vertices, Boundary[0 .. BoundaryCount)
    public readonly int[] BoundaryIndex;  // position in Boundary, −1 when interior
    public int BoundaryCount;
    public long Weight0, Weight1;
    public long Cut;

    /// <summary>The bookkeeping of the partition <paramref name="part"/> (0/1 per vertex; kept, not copied).</summary>
    public EdgeBisection(WeightedGraph g, int[] part)
    {
        Graph = g; Part = part;
        int n = g.VertexCount;
        Internal = new int[n]; External = new int[n];
        Boundary = new int[n]; BoundaryIndex = new int[n];
        Recompute();
    }

    /// <summary>Degrees, boundary, weights and cut from <see cref="Part"/> (after it was changed wholesale).</summary>
    public void Recompute()
    {
        var g = Graph;
        var xadj = g.XAdj; var adj = g.Adjacency; var ew = g.EdgeWeights;
        BoundaryCount = 0; Weight0 = Weight1 = 0; Cut = 0;
        for (int v = 0; v < g.VertexCount; v++)
        {
            int pv = Part[v], id = 0, ed = 0;
            for (int q = xadj[v]; q < xadj[v + 1]; q++) if (Part[adj[q]] == pv) id += ew[q]; else ed += ew[q];
            Internal[v] = id; External[v] = ed;
            Cut += ed;
            if (pv == 0) Weight0 += g.VertexWeights[v]; else Weight1 += g.VertexWeights[v];
            if (ed > 0) { BoundaryIndex[v] = BoundaryCount; Boundary[BoundaryCount++] = v; }
            else BoundaryIndex[v] = -1;
        }
        Cut /= 2;
    }

    /// <summary>
    /// Moves v to the other side, updating degrees, boundary, weights and cut. When <paramref name="queues"/> is
    /// given, the unlocked neighbours' gains are updated in the queue of their side (boundary vertices only).
    /// </summary>
    public void Move(int v, GainHeap[]? queues = null, bool[]? locked = null)
    {
        var g = Graph;
        var xadj = g.XAdj; var adj = g.Adjacency; var ew = g.EdgeWeights;
        int from = Part[v], to = 1 - from;
        Cut -= External[v] - Internal[v];
        if (from == 0) { Weight0 -= g.VertexWeights[v]; Weight1 += g.VertexWeights[v]; }
        else { Weight1 -= g.VertexWeights[v]; Weight0 += g.VertexWeights[v]; }
        Part[v] = to;
        (Internal[v], External[v]) = (External[v], Internal[v]);
        SetBoundary(v);
        for (int q = xadj[v]; q < xadj[v + 1]; q++)
        {
            int u = adj[q], w = ew[q];
            if (Part[u] == to) { Internal[u] += w; External[u] -= w; }
            else { Internal[u] -= w; External[u] += w; }
            SetBoundary(u);
            if (queues is null || locked![u]) continue;
            var qu = queues[Part[u]];
            if (External[u] > 0)
            {
                if (qu.Contains(u)) qu.Update(u, External[u] - Internal[u]);
                else qu.Insert(u, External[u] - Internal[u]);
            }
            else if (qu.Contains(u)) qu.Remove(u);
        }
    }

    private void SetBoundary(int v)
    {
        bool isBoundary = External[v] > 0;
        int at = BoundaryIndex[v];
        if (isBoundary && at < 0) { BoundaryIndex[v] = BoundaryCount; Boundary[BoundaryCount++] = v; }
        else if (!isBoundary && at >= 0)
        {
            int last = Boundary[--BoundaryCount];
            Boundary[at] = last; BoundaryIndex[last] = at;
            BoundaryIndex[v] = -1;
        }
    }
}
