namespace TorchSla.Graphs;

/// <summary>
/// An undirected graph in compressed adjacency form with positive integer vertex and edge weights, as METIS
/// stores it (xadj/adjncy/vwgt/adjwgt; Karypis &amp; Kumar, SIAM J. Sci. Comput. 20(1), 1998, §2): the
/// neighbours of v are <c>Adjacency[XAdj[v] .. XAdj[v+1])</c> with the weights <c>EdgeWeights</c> at the same
/// positions. Every edge is stored from both ends with the same weight and there are no self loops.
/// The arrays may be longer than <c>XAdj[VertexCount]</c> (coarse graphs are built into bounds).
/// </summary>
internal sealed class WeightedGraph
{
    /// <summary>Start of each vertex's neighbour list (length VertexCount + 1).</summary>
    public readonly int[] XAdj;
    /// <summary>Neighbours, by vertex.</summary>
    public readonly int[] Adjacency;
    /// <summary>Weight of each stored edge (same positions as <see cref="Adjacency"/>).</summary>
    public readonly int[] EdgeWeights;
    /// <summary>Weight of each vertex.</summary>
    public readonly int[] VertexWeights;
    /// <summary>Sum of the vertex weights.</summary>
    public readonly long TotalVertexWeight;
    /// <summary>The largest vertex weight (0 for the empty graph).</summary>
    public readonly int MaxVertexWeight;

    /// <summary>Wraps the arrays without copying or checking them (the internal constructors build them consistently).</summary>
    internal WeightedGraph(int[] xadj, int[] adjacency, int[] edgeWeights, int[] vertexWeights)
    {
        XAdj = xadj; Adjacency = adjacency; EdgeWeights = edgeWeights; VertexWeights = vertexWeights;
        long total = 0; int max = 0;
        foreach (int w in vertexWeights) { total += w; if (w > max) max = w; }
        TotalVertexWeight = total; MaxVertexWeight = max;
    }

    /// <summary>Number of vertices.</summary>
    public int VertexCount => XAdj.Length - 1;

    /// <summary>Number of stored (directed) adjacency entries: twice the number of edges.</summary>
    public int AdjacencyCount => XAdj[^1];

    /// <summary>
    /// The graph of a structurally symmetric sparse pattern (row pointers and column indices of an n×n matrix):
    /// an edge {i, j} for every off-diagonal entry, unit weights unless <paramref name="vertexWeights"/> or
    /// <paramref name="edgeWeights"/> (one per stored entry, diagonal ones ignored) are given. With
    /// <paramref name="checkSymmetry"/> the pattern is verified to hold (j, i) for every (i, j), at O(nnz) cost.
    /// </summary>
    /// <exception cref="ArgumentException">Malformed row pointers, a column out of range, a repeated entry in a row, a non-positive weight, or (when checked) an unsymmetric pattern or unequal weights of (i, j) and (j, i).</exception>
    public static WeightedGraph FromPattern(int n, int[] rowPtr, int[] colInd, int[]? vertexWeights = null, int[]? edgeWeights = null, bool checkSymmetry = true)
    {
        ArgumentNullException.ThrowIfNull(rowPtr);
        ArgumentNullException.ThrowIfNull(colInd);
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "the vertex count must be non-negative");
        if (rowPtr.Length != n + 1) throw new ArgumentException($"row pointers need n + 1 = {n + 1} entries, got {rowPtr.Length}", nameof(rowPtr));
        if (rowPtr[0] != 0) throw new ArgumentException($"row pointers must start at 0, got {rowPtr[0]}", nameof(rowPtr));
        for (int i = 0; i < n; i++)
            if (rowPtr[i + 1] < rowPtr[i]) throw new ArgumentException($"row pointers decrease at row {i}", nameof(rowPtr));
        int nnz = rowPtr[n];
        if (colInd.Length < nnz) throw new ArgumentException($"column indices hold {colInd.Length} entries, the row pointers need {nnz}", nameof(colInd));
        if (vertexWeights is not null && vertexWeights.Length != n) throw new ArgumentException($"{vertexWeights.Length} vertex weights for {n} vertices", nameof(vertexWeights));
        if (edgeWeights is not null && edgeWeights.Length < nnz) throw new ArgumentException($"{edgeWeights.Length} edge weights for {nnz} entries", nameof(edgeWeights));

        var xadj = new int[n + 1];
        var mark = new int[n];
        Array.Fill(mark, -1);
        for (int i = 0; i < n; i++)
        {
            int deg = 0;
            for (int q = rowPtr[i]; q < rowPtr[i + 1]; q++)
            {
                int j = colInd[q];
                if ((uint)j >= (uint)n) throw new ArgumentException($"column index {j} in row {i} is outside [0, {n})", nameof(colInd));
                if (mark[j] == i) throw new ArgumentException($"entry ({i}, {j}) is stored twice", nameof(colInd));
                mark[j] = i;
                if (j == i) continue;
                if (edgeWeights is not null && edgeWeights[q] <= 0) throw new ArgumentException($"edge weight of ({i}, {j}) is {edgeWeights[q]}; weights must be positive", nameof(edgeWeights));
                deg++;
            }
            xadj[i + 1] = xadj[i] + deg;
        }
        var adj = new int[xadj[n]];
        var ew = new int[xadj[n]];
        for (int i = 0; i < n; i++)
        {
            int at = xadj[i];
            for (int q = rowPtr[i]; q < rowPtr[i + 1]; q++)
            {
                int j = colInd[q];
                if (j == i) continue;
                adj[at] = j; ew[at++] = edgeWeights?[q] ?? 1;
            }
        }
        int[] vw;
        if (vertexWeights is null) { vw = new int[n]; Array.Fill(vw, 1); }
        else
        {
            for (int i = 0; i < n; i++)
                if (vertexWeights[i] <= 0) throw new ArgumentException($"vertex weight of {i} is {vertexWeights[i]}; weights must be positive", nameof(vertexWeights));
            vw = (int[])vertexWeights.Clone();
        }
        var g = new WeightedGraph(xadj, adj, ew, vw);
        if (checkSymmetry) g.CheckSymmetric();
        return g;
    }

    /// <summary>Throws unless every stored edge (i, j) has its twin (j, i) with the same weight (O(edges) with one marker array).</summary>
    private void CheckSymmetric()
    {
        int n = VertexCount;
        var pos = new int[n];
        var weightAt = new int[n];
        Array.Fill(pos, -1);
        // Build the transpose and compare it with the graph row by row (rows hold no repeats, so equal counts and inclusion mean equality).
        var tx = new int[n + 1];
        for (int q = 0; q < AdjacencyCount; q++) tx[Adjacency[q] + 1]++;
        for (int i = 0; i < n; i++)
        {
            tx[i + 1] += tx[i];
            if (tx[i + 1] - tx[i] != XAdj[i + 1] - XAdj[i])
                throw new ArgumentException($"the pattern is not symmetric: row {i} has {XAdj[i + 1] - XAdj[i]} off-diagonal entries, column {i} has {tx[i + 1] - tx[i]}");
        }
        var fill = (int[])tx.Clone();
        var tAdj = new int[AdjacencyCount];
        var tW = new int[AdjacencyCount];
        for (int i = 0; i < n; i++)
            for (int q = XAdj[i]; q < XAdj[i + 1]; q++) { int j = Adjacency[q]; tAdj[fill[j]] = i; tW[fill[j]++] = EdgeWeights[q]; }
        for (int i = 0; i < n; i++)
        {
            for (int q = XAdj[i]; q < XAdj[i + 1]; q++) { pos[Adjacency[q]] = i; weightAt[Adjacency[q]] = EdgeWeights[q]; }
            for (int q = tx[i]; q < tx[i + 1]; q++)
            {
                int j = tAdj[q];
                if (pos[j] != i) throw new ArgumentException($"the pattern is not symmetric: ({j}, {i}) is stored but ({i}, {j}) is not");
                if (weightAt[j] != tW[q]) throw new ArgumentException($"edge weights differ: ({i}, {j}) has {weightAt[j]}, ({j}, {i}) has {tW[q]}");
            }
        }
    }

    /// <summary>
    /// The subgraph induced by the vertices whose <paramref name="label"/> equals <paramref name="which"/>, numbered
    /// in increasing order of their number here; <paramref name="vertices"/> receives their numbers here.
    /// <paramref name="map"/> (length VertexCount) is scratch and is left holding the new numbers of the chosen vertices.
    /// </summary>
    public WeightedGraph Induced(int[] label, int which, int[] map, out int[] vertices)
    {
        int n = VertexCount, count = 0;
        for (int v = 0; v < n; v++) if (label[v] == which) map[v] = count++; else map[v] = -1;
        vertices = GC.AllocateUninitializedArray<int>(count);
        var xadj = GC.AllocateUninitializedArray<int>(count + 1);
        xadj[0] = 0;
        int k = 0, edges = 0;
        for (int v = 0; v < n; v++)
        {
            if (label[v] != which) continue;
            vertices[k] = v;
            for (int q = XAdj[v]; q < XAdj[v + 1]; q++) if (label[Adjacency[q]] == which) edges++;
            xadj[++k] = edges;
        }
        var adj = GC.AllocateUninitializedArray<int>(edges);
        var ew = GC.AllocateUninitializedArray<int>(edges);
        var vw = GC.AllocateUninitializedArray<int>(count);
        int at = 0;
        for (int i = 0; i < count; i++)
        {
            int v = vertices[i];
            vw[i] = VertexWeights[v];
            for (int q = XAdj[v]; q < XAdj[v + 1]; q++)
            {
                int u = map[Adjacency[q]];
                if (u < 0) continue;
                adj[at] = u; ew[at++] = EdgeWeights[q];
            }
        }
        return new WeightedGraph(xadj, adj, ew, vw);
    }

    /// <summary>Sum of the weights of the edges whose ends lie in different parts (each edge counted once).</summary>
    public long EdgeCut(int[] part)
    {
        long cut = 0;
        for (int v = 0; v < VertexCount; v++)
            for (int q = XAdj[v]; q < XAdj[v + 1]; q++)
                if (part[Adjacency[q]] != part[v]) cut += EdgeWeights[q];
        return cut / 2;
    }
}
