using System.Runtime.CompilerServices;
namespace TorchSla.Solvers.Direct;

/// <summary>
/// Column counts of the Cholesky factor L (diagonal included), two ways:
/// <list type="bullet">
/// <item><see cref="Compute"/>: from the row subtrees of the elimination tree (row k of L is the reach of column k of
/// the upper triangle, Davis 2006, §4.1–4.2), O(nnz(L)) time; it stops as soon as the total passes a budget, so that
/// asking about a matrix whose factor would not fit costs at most the budget.</item>
/// <item><see cref="GilbertNgPeyton"/>: without forming any row of L, O(nnz(A)·α(n)) (Gilbert, Ng &amp; Peyton, "An
/// efficient algorithm to compute row and column counts for sparse Cholesky factorization", SIAM J. Matrix Anal.
/// Appl. 15(4), 1994; Davis §4.5, cs_counts): the supernodal analysis uses it.</item>
/// </list>
/// </summary>
internal static class ColumnCounts
{
    /// <summary>The count of each column and nnz(L), or null when nnz(L) exceeds <paramref name="budget"/>.</summary>
    public static (int[] Counts, long NnzL)? Compute(int n, int[] colPtr, int[] rowInd, int[] parent, long budget)
    {
        var counts = FactorMemory.Zeroed<int>(n);
        var stack = FactorMemory.Zeroed<int>(n);
        var mark = FactorMemory.Zeroed<int>(n);
        Array.Fill(mark, -1);
        long total = 0;
        for (int k = 0; k < n; k++)
        {
            int top = EliminationTree.Reach(k, colPtr, rowInd, parent, stack, mark);
            for (int p = top; p < n; p++) counts[stack[p]]++;
            counts[k]++; // the diagonal
            total += n - top + 1;
            if (total > budget) return null;
        }
        return (counts, total);
    }

    /// <summary>
    /// Column counts of the factor of P·S·Pᵀ for a symmetric pattern S (CSR <paramref name="rowPtr"/>/<paramref name="colInd"/>,
    /// both triangles) whose elimination tree <paramref name="parent"/> (of the permuted matrix) is postordered: every
    /// subtree is a contiguous range ending at its root. Column j of the lower triangle of P·S·Pᵀ is read as row perm[j]
    /// of S, entries with pinv &gt; j.
    /// <para>The count of column j is the number of row subtrees that contain j. For each entry (i, j), i &gt; j, j is a
    /// leaf of row subtree i exactly when first[j] (its first descendant) passes every first seen for i so far; each
    /// leaf adds one at j and one is taken off at the least common ancestor of j and the previous leaf of the same row
    /// subtree, found with a disjoint-set forest; each non-root node takes one off its parent. Summing these deltas
    /// over every subtree gives the counts.</para>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (int[] Counts, long NnzL) GilbertNgPeyton(int n, int[] rowPtr, int[] colInd, int[] perm, int[] pinv, int[] parent, IndexScratch? scratch = null)
    {
        scratch ??= new IndexScratch(n);
        var delta = scratch.Rent();
        var first = scratch.RentFilled(-1); var maxFirst = scratch.RentFilled(-1); var prevLeaf = scratch.RentFilled(-1); var ancestor = scratch.Rent();
        for (int k = 0; k < n; k++)
        {
            // Postordered: node k is visited k-th, so first[j] is the smallest node of j's subtree; leaves start at 1.
            delta[k] = first[k] == -1 ? 1 : 0;
            for (int j = k; j != -1 && first[j] == -1; j = parent[j]) first[j] = k;
            ancestor[k] = k;
        }
        for (int j = 0; j < n; j++)
        {
            if (parent[j] != -1) delta[parent[j]]--;
            int r = perm[j];
            for (int p = rowPtr[r]; p < rowPtr[r + 1]; p++)
            {
                int i = pinv[colInd[p]];
                if (i <= j || first[j] <= maxFirst[i]) continue; // j is not a new leaf of row subtree i
                maxFirst[i] = first[j];
                int jprev = prevLeaf[i];
                prevLeaf[i] = j;
                delta[j]++;
                if (jprev == -1) continue; // first leaf: its path to i is all new
                // Least common ancestor of the previous leaf and j, with path compression.
                int q = jprev;
                while (q != ancestor[q]) q = ancestor[q];
                for (int s = jprev; s != q;) { int sp = ancestor[s]; ancestor[s] = q; s = sp; }
                delta[q]--;
            }
            if (parent[j] != -1) ancestor[j] = parent[j];
        }
        long total = 0;
        for (int j = 0; j < n; j++)
        {
            if (parent[j] != -1) delta[parent[j]] += delta[j];
            total += delta[j];
        }
        scratch.Return(first, maxFirst, prevLeaf, ancestor);
        return (delta, total);
    }
}
