using System.Runtime.CompilerServices;
namespace TorchSla.Solvers.Direct;

/// <summary>
/// A cut of a postordered forest (parent &gt; child, every subtree a contiguous range ending at its root) into
/// independent subtrees for parallel work, and the nodes above them: the heaviest subtree is split (its root moves above
/// the cut, its children become subtrees) until none carries more than 1/(4·P) of the total weight, or there are 64·P
/// subtrees; then the subtrees are handed out heaviest first (longest-processing-time scheduling). The numeric
/// factorizations cut by flops (<see cref="MultifrontalFactor.Schedule"/>), the symbolic analysis by row counts.
/// </summary>
internal static class TreeCut
{
    /// <summary>
    /// As <see cref="Cut(int[], double[], int, bool)"/> with node s weighing <c>weightPtr[s+1] − weightPtr[s]</c> (e.g. the
    /// row counts of supernodes from their row pointers), always split.
    /// </summary>
    public static (List<(int First, int Last)> Subtrees, List<int> Above) Cut(int[] parent, int[] weightPtr, int processors)
    {
        var weight = new double[parent.Length];
        for (int i = 0; i < weight.Length; i++)
        {
            weight[i] += weightPtr[i + 1] - weightPtr[i];
            if (parent[i] >= 0) weight[parent[i]] += weight[i];
        }
        return Cut(parent, weight, processors, split: true);
    }

    /// <summary>
    /// The subtrees ([First, Last] node ranges, heaviest first) and the nodes above them (ascending, so children first)
    /// of the forest <paramref name="parent"/> (−1 for roots) whose subtree rooted at s weighs
    /// <paramref name="subtreeWeight"/>[s], for <paramref name="processors"/> workers; without <paramref name="split"/>
    /// the subtrees are the whole trees of the forest.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (List<(int First, int Last)> Subtrees, List<int> Above) Cut(int[] parent, double[] subtreeWeight, int processors, bool split)
    {
        int ns = parent.Length;
        var firstDesc = new int[ns];
        for (int i = 0; i < ns; i++) firstDesc[i] = i;
        for (int i = 0; i < ns; i++) { int p = parent[i]; if (p >= 0) firstDesc[p] = Math.Min(firstDesc[p], firstDesc[i]); }
        var set = new List<int>();
        double total = 0;
        for (int i = 0; i < ns; i++) if (parent[i] < 0) { set.Add(i); total += subtreeWeight[i]; }
        var above = new List<int>();
        double limit = total / (4.0 * processors);
        while (split && set.Count <= 64 * processors)
        {
            int best = -1;
            foreach (int i in set) if (subtreeWeight[i] > limit && (best < 0 || subtreeWeight[i] > subtreeWeight[best])) best = i;
            if (best < 0) break;
            set.Remove(best);
            above.Add(best);
            // The children of best are the roots of the maximal subtrees inside [firstDesc[best], best): walk them from the
            // last one down (each subtree ends at its root, which is the child).
            for (int c = best - 1; c >= firstDesc[best]; c = firstDesc[c] - 1) set.Add(c);
        }
        above.Sort();
        set.Sort((a, b) => subtreeWeight[b].CompareTo(subtreeWeight[a]));
        var ranges = new List<(int, int)>(set.Count);
        foreach (int i in set) ranges.Add((firstDesc[i], i));
        return (ranges, above);
    }
}
