namespace TorchSla.Solvers.Direct;

/// <summary>
/// Column counts of the Cholesky factor L (diagonal included) from the row subtrees of the
/// elimination tree: row k of L is the reach of column k of the upper triangle (Davis 2006,
/// §4.1–4.2), so visiting every row subtree counts every entry of L once. O(nnz(L)) time,
/// O(n) memory, and it stops as soon as the total passes a budget, so that asking about a
/// matrix whose factor would not fit costs at most the budget.
/// (The Gilbert–Ng–Peyton algorithm, cs_counts, does this in O(nnz(A)·α) and is the next step up.)
/// </summary>
internal static class ColumnCounts
{
    /// <summary>The count of each column and nnz(L), or null when nnz(L) exceeds <paramref name="budget"/>.</summary>
    public static (int[] Counts, long NnzL)? Compute(int n, int[] colPtr, int[] rowInd, int[] parent, long budget)
    {
        var counts = new int[n];
        var stack = new int[n];
        var mark = new int[n];
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
}
