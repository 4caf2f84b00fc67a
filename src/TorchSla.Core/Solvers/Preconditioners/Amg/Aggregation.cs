using System.Runtime.CompilerServices;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Greedy aggregation of the strong graph, the three passes of Vaněk, Mandel &amp; Brezina
/// (Computing 56 (1996), §3, "Algorithm 1"):
/// <list type="number">
/// <item>every node whose strong neighbourhood is still wholly free starts an aggregate made of
/// itself and that neighbourhood (a maximal set of disjoint neighbourhoods, so aggregates have
/// diameter ≤ 2 and are about 3ᵈ nodes for a d-dimensional grid);</item>
/// <item>each remaining node joins an aggregate of pass 1 that one of its strong neighbours belongs to;</item>
/// <item>what is left forms new aggregates with its still-free strong neighbours.</item>
/// </list>
/// Nodes with no strong neighbour (e.g. rows of eliminated Dirichlet conditions) stay
/// unaggregated (−1): the smoother alone resolves them, and they add no coarse unknown.
/// Sequential, O(nnz of the strong graph).
/// </summary>
internal static class Aggregation
{
    /// <summary>
    /// The aggregate of every node (−1: none) and the number of aggregates, from the strong graph (sp, sc) — or, with
    /// <paramref name="strong"/>, from A's pattern (sp, sc) and a mask of its strong entries (the diagonal unmarked): the same
    /// aggregates without the graph as a separate matrix.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (int[] Aggregate, int Count) Greedy(int n, int[] sp, int[] sc, byte[]? strong = null)
    {
        var agg = new int[n];
        Array.Fill(agg, -1);
        int count = 0;
        // Pass 1: disjoint whole neighbourhoods.
        for (int i = 0; i < n; i++)
        {
            if (agg[i] >= 0 || Isolated(i, sp, strong)) continue;
            bool free = true;
            for (int k = sp[i]; k < sp[i + 1] && free; k++) free = !Strong(strong, k) || agg[sc[k]] < 0;
            if (!free) continue;
            agg[i] = count;
            for (int k = sp[i]; k < sp[i + 1]; k++) if (Strong(strong, k)) agg[sc[k]] = count;
            count++;
        }
        // Pass 2: attach to a neighbouring aggregate of pass 1 (a snapshot, so that chains of
        // attachments cannot grow an aggregate far from its root).
        var first = (int[])agg.Clone();
        for (int i = 0; i < n; i++)
        {
            if (agg[i] >= 0) continue;
            for (int k = sp[i]; k < sp[i + 1]; k++)
                if (Strong(strong, k) && first[sc[k]] >= 0) { agg[i] = first[sc[k]]; break; }
        }
        // Pass 3: the rest, with their free neighbours.
        for (int i = 0; i < n; i++)
        {
            if (agg[i] >= 0 || Isolated(i, sp, strong)) continue;
            agg[i] = count;
            for (int k = sp[i]; k < sp[i + 1]; k++)
                if (Strong(strong, k) && agg[sc[k]] < 0) agg[sc[k]] = count;
            count++;
        }
        return (agg, count);
    }

    /// <summary>Whether node i has no strong neighbour.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Isolated(int i, int[] sp, byte[]? strong)
    {
        if (strong is null) return sp[i] == sp[i + 1];
        for (int k = sp[i]; k < sp[i + 1]; k++) if (strong[k] != 0) return false;
        return true;
    }

    /// <summary>Whether entry k is a strong edge (every entry of the strong graph is; of A's pattern, those the mask marks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Strong(byte[]? strong, int k) => strong is null || strong[k] != 0;
}
