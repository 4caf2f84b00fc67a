using System.Runtime.CompilerServices;
namespace TorchSla.Solvers.Direct;

/// <summary>
/// A cut of a postordered forest (parent &gt; child, every subtree a contiguous range ending at its root) into
/// independent subtrees for parallel work, and the nodes above them: the heaviest subtree is split (its root moves above
/// the cut, its children become subtrees) until none carries more than 1/(4·P) of the total weight, as the numeric
/// factorization's schedule does with flops (<see cref="MultifrontalFactor.Schedule"/>). Used by the symbolic analysis,
/// whose per-node work is known before any flops are.
/// </summary>
internal static class TreeCut
{
    /// <summary>
    /// The subtrees ([First, Last] node ranges, heaviest first) and the nodes above them (ascending, so children first)
    /// of the forest <paramref name="parent"/> (−1 for roots) whose node s weighs <c>weightPtr[s+1] − weightPtr[s]</c>
    /// (e.g. the row counts of supernodes from their row pointers), for <paramref name="processors"/> workers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (List<(int First, int Last)> Subtrees, List<int> Above) Cut(int[] parent, int[] weightPtr, int processors)
    {
        int ns = parent.Length;
        var firstDesc = new int[ns];
        var weight = new long[ns];
        for (int i = 0; i < ns; i++) firstDesc[i] = i;
        for (int i = 0; i < ns; i++)
        {
            weight[i] += weightPtr[i + 1] - weightPtr[i];
            int p = parent[i];
            if (p >= 0) { firstDesc[p] = Math.Min(firstDesc[p], firstDesc[i]); weight[p] += weight[i]; }
        }
        var set = new List<int>();
        long total = 0;
        for (int i = 0; i < ns; i++) if (parent[i] < 0) { set.Add(i); total += weight[i]; }
        var above = new List<int>();
        double limit = total / (4.0 * processors);
        while (set.Count <= 64 * processors)
        {
            int best = -1;
            foreach (int i in set) if (weight[i] > limit && (best < 0 || weight[i] > weight[best])) best = i;
            if (best < 0) break;
            set.Remove(best);
            above.Add(best);
            // The children of best are the roots of the maximal subtrees inside [firstDesc[best], best): walk them from the
            // last one down (each subtree ends at its root, which is the child).
            for (int c = best - 1; c >= firstDesc[best]; c = firstDesc[c] - 1) set.Add(c);
        }
        above.Sort();
        set.Sort((a, b) => weight[b].CompareTo(weight[a]));
        var ranges = new List<(int, int)>(set.Count);
        foreach (int i in set) ranges.Add((firstDesc[i], i));
        return (ranges, above);
    }
}
