namespace TorchSla.Solvers.Direct;

/// <summary>
/// Reverse Cuthill–McKee ordering (Cuthill &amp; McKee 1969; George &amp; Liu, "Computer Solution of
/// Large Sparse Positive Definite Systems", 1981, §4.3): a breadth-first numbering from a
/// pseudo-peripheral node, neighbours taken by increasing degree, then reversed. It narrows the
/// profile (envelope) of a symmetric matrix and with it the fill of a Cholesky factor.
/// Each connected component is ordered in turn. Cost O(nnz · (number of peripheral-node restarts)).
/// </summary>
internal static class ReverseCuthillMcKee
{
    /// <summary>The ordering p (p[new] = old) of the graph whose adjacency is the CSR pattern (self loops ignored; the pattern should be structurally symmetric).</summary>
    public static int[] Order(int n, int[] rowPtr, int[] colInd)
    {
        var degree = new int[n];
        for (int i = 0; i < n; i++) degree[i] = rowPtr[i + 1] - rowPtr[i];
        var order = new int[n];
        var visited = new bool[n];
        var level = new int[n];
        int head = 0;
        var byDegree = new int[n];
        for (int i = 0; i < n; i++) byDegree[i] = i;
        Array.Sort((int[])degree.Clone(), byDegree); // components start from their lowest-degree node
        foreach (int seed in byDegree)
        {
            if (visited[seed]) continue;
            int root = PseudoPeripheral(seed, rowPtr, colInd, degree, level);
            // Breadth-first numbering of the component, neighbours by increasing degree.
            int start = head;
            order[head++] = root; visited[root] = true;
            var nbrs = new List<int>();
            for (int q = start; q < head; q++)
            {
                int v = order[q];
                nbrs.Clear();
                for (int p = rowPtr[v]; p < rowPtr[v + 1]; p++)
                {
                    int w = colInd[p];
                    if (!visited[w]) { visited[w] = true; nbrs.Add(w); }
                }
                nbrs.Sort((a, b) => degree[a] != degree[b] ? degree[a].CompareTo(degree[b]) : a.CompareTo(b));
                foreach (int w in nbrs) order[head++] = w;
            }
        }
        Array.Reverse(order);
        return order;
    }

    /// <summary>
    /// George–Liu pseudo-peripheral node finder: from a node, build the level structure, move to
    /// the lowest-degree node of the last level, repeat while the eccentricity grows.
    /// </summary>
    private static int PseudoPeripheral(int start, int[] rowPtr, int[] colInd, int[] degree, int[] level)
    {
        int root = start, ecc = -1;
        var queue = new List<int>();
        var touched = new List<int>();
        while (true)
        {
            // Level structure rooted at root; level[] = -1 marks unvisited (reset after use).
            queue.Clear(); queue.Add(root);
            level[root] = 1; touched.Add(root);
            int last = 0;
            for (int q = 0; q < queue.Count; q++)
            {
                int v = queue[q];
                last = level[v];
                for (int p = rowPtr[v]; p < rowPtr[v + 1]; p++)
                {
                    int w = colInd[p];
                    if (level[w] == 0) { level[w] = level[v] + 1; queue.Add(w); touched.Add(w); }
                }
            }
            int best = root;
            foreach (int v in queue)
                if (level[v] == last && (best == root || degree[v] < degree[best])) best = v;
            foreach (int v in touched) level[v] = 0;
            touched.Clear();
            if (last <= ecc) return root;
            ecc = last;
            root = best;
        }
    }
}
