using System.Runtime.CompilerServices;

namespace TorchSla.Solvers.Direct;

/// <summary>
/// One symbolic Cholesky analysis (approximate minimum degree ordering) per pattern, kept as long as the
/// pattern lives, so that testing or factoring many value sets of one pattern analyses it once.
/// A pattern whose factor exceeded a budget remembers the budget, and is re-analysed only for a larger one.
/// </summary>
internal static class CholeskyCache
{
    private sealed class Entry
    {
        public CholeskySymbolic? Symbolic;
        public long FailedBudget = -1;
    }

    private static readonly ConditionalWeakTable<SparsePattern, Entry> Table = [];

    /// <summary>The analysis, or null when nnz(L) exceeds <paramref name="maxNnzL"/>.</summary>
    public static CholeskySymbolic? Get(SparsePattern pattern, long maxNnzL)
    {
        var e = Table.GetValue(pattern, _ => new Entry());
        lock (e)
        {
            if (e.Symbolic is { } s) return s.NnzL <= maxNnzL ? s : null;
            if (e.FailedBudget >= maxNnzL) return null;
            var r = CholeskySymbolic.Analyze(pattern, CholeskyOrdering.ApproximateMinimumDegree, maxNnzL);
            if (r is null) e.FailedBudget = maxNnzL; else e.Symbolic = r;
            return r;
        }
    }
}
