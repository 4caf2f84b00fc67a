using System.Runtime.CompilerServices;
namespace TorchSla.Solvers.Direct;

/// <summary>
/// The elimination tree of a symmetric matrix: parent(j) = min{ i &gt; j : l_ij ≠ 0 } in its
/// Cholesky factor L. Liu's algorithm with path compression through an ancestor array
/// (Liu 1986, "A compact row storage scheme for Cholesky factors using elimination trees";
/// Davis, "Direct Methods for Sparse Linear Systems", 2006, §4.1, cs_etree), O(nnz · α(n)).
/// </summary>
internal static class EliminationTree
{
    /// <summary>
    /// Parent of each node (−1 for a root), from the upper triangle of the matrix given column by
    /// column: column k lists rows i ≤ k (in any order; entries with i ≥ k are ignored).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int[] Compute(int n, int[] colPtr, int[] rowInd)
    {
        var parent = FactorMemory.Zeroed<int>(n);
        var ancestor = FactorMemory.Zeroed<int>(n);
        for (int k = 0; k < n; k++)
        {
            parent[k] = -1; ancestor[k] = -1;
            for (int p = colPtr[k]; p < colPtr[k + 1]; p++)
            {
                // Climb from i towards the root of its current subtree, pointing every node
                // passed at k (path compression); the root found becomes a child of k.
                for (int i = rowInd[p]; i != -1 && i < k;)
                {
                    int next = ancestor[i];
                    ancestor[i] = k;
                    if (next == -1) parent[i] = k;
                    i = next;
                }
            }
        }
        return parent;
    }

    /// <summary>
    /// <see cref="Compute(int, int[], int[])"/> for P·S·Pᵀ with S a symmetric pattern (CSR, both triangles), read in place:
    /// column k of the upper triangle of P·S·Pᵀ is row perm[k] of S with pinv &lt; k, so no permuted copy is formed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int[] Compute(int n, int[] rowPtr, int[] colInd, int[] perm, int[] pinv, IndexScratch? scratch = null)
    {
        scratch ??= new IndexScratch(n);
        var parent = scratch.Rent();
        var ancestor = scratch.Rent();
        for (int k = 0; k < n; k++)
        {
            parent[k] = -1; ancestor[k] = -1;
            int r = perm[k];
            for (int p = rowPtr[r]; p < rowPtr[r + 1]; p++)
            {
                for (int i = pinv[colInd[p]]; i != -1 && i < k;)
                {
                    int next = ancestor[i];
                    ancestor[i] = k;
                    if (next == -1) parent[i] = k;
                    i = next;
                }
            }
        }
        scratch.Return(ancestor);
        return parent;
    }

    /// <summary>
    /// The nonzero pattern of row k of L (without the diagonal) as the reach of column k's
    /// entries in the tree (Davis §4.2, cs_ereach): written to stack[top..n) in topological
    /// order, top returned. <paramref name="mark"/>[i] == k marks nodes seen in this call
    /// (callers initialise it to −1 and use increasing k).
    /// </summary>
    public static int Reach(int k, int[] colPtr, int[] rowInd, int[] parent, int[] stack, int[] mark)
    {
        int n = parent.Length, top = n;
        mark[k] = k;
        for (int p = colPtr[k]; p < colPtr[k + 1]; p++)
        {
            int i = rowInd[p];
            if (i > k) continue;
            int len = 0;
            // Walk up until a marked node: the path is a new branch of the row subtree.
            for (; mark[i] != k; i = parent[i])
            {
                stack[len++] = i;
                mark[i] = k;
            }
            while (len > 0) stack[--top] = stack[--len];
        }
        return top;
    }
}
