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
    /// <summary>The aggregate of every node (−1: none) and the number of aggregates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (int[] Aggregate, int Count) Greedy(int n, int[] sp, int[] sc)
    {
        var agg = new int[n];
        Array.Fill(agg, -1);
        int count = 0;
        // Pass 1: disjoint whole neighbourhoods.
        for (int i = 0; i < n; i++)
        {
            if (agg[i] >= 0 || sp[i] == sp[i + 1]) continue;
            bool free = true;
            for (int k = sp[i]; k < sp[i + 1] && free; k++) free = agg[sc[k]] < 0;
            if (!free) continue;
            agg[i] = count;
            for (int k = sp[i]; k < sp[i + 1]; k++) agg[sc[k]] = count;
            count++;
        }
        return Finish(n, sp, sc, agg, count);
    }

    /// <summary>
    /// Aggressive greedy aggregation: pass 1 as in <see cref="Greedy"/> but on distance-2 neighbourhoods (a node whose nodes
    /// within two strong edges are all free takes all of them: about 5ᵈ/2 nodes on a d-dimensional grid), then the same
    /// passes 2 and 3. The aggregation of the strong graph's square (Vaněk, Brezina &amp; Mandel, Numer. Math. 88 (2001),
    /// §5: larger aggregates for a cheaper hierarchy, at some cost in convergence).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (int[] Aggregate, int Count) GreedyDistance2(int n, int[] sp, int[] sc)
    {
        var agg = new int[n];
        Array.Fill(agg, -1);
        int count = 0;
        for (int i = 0; i < n; i++)
        {
            if (agg[i] >= 0 || sp[i] == sp[i + 1]) continue;
            bool free = true;
            for (int k = sp[i]; k < sp[i + 1] && free; k++)
            {
                int j = sc[k];
                free = agg[j] < 0;
                for (int q = sp[j]; q < sp[j + 1] && free; q++) free = agg[sc[q]] < 0;
            }
            if (!free) continue;
            agg[i] = count;
            for (int k = sp[i]; k < sp[i + 1]; k++)
            {
                int j = sc[k];
                agg[j] = count;
                for (int q = sp[j]; q < sp[j + 1]; q++) agg[sc[q]] = count;
            }
            count++;
        }
        return Finish(n, sp, sc, agg, count);
    }

    /// <summary>Passes 2 and 3 of <see cref="Greedy"/> after a pass 1 that left <paramref name="count"/> aggregates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int[] Aggregate, int Count) Finish(int n, int[] sp, int[] sc, int[] agg, int count)
    {
        // Pass 2: attach to a neighbouring aggregate of pass 1 (a snapshot, so that chains of
        // attachments cannot grow an aggregate far from its root).
        var first = (int[])agg.Clone();
        for (int i = 0; i < n; i++)
        {
            if (agg[i] >= 0) continue;
            for (int k = sp[i]; k < sp[i + 1]; k++)
                if (first[sc[k]] >= 0) { agg[i] = first[sc[k]]; break; }
        }
        // Pass 3: the rest, with their free neighbours.
        for (int i = 0; i < n; i++)
        {
            if (agg[i] >= 0 || sp[i] == sp[i + 1]) continue;
            agg[i] = count;
            for (int k = sp[i]; k < sp[i + 1]; k++)
                if (agg[sc[k]] < 0) agg[sc[k]] = count;
            count++;
        }
        return (agg, count);
    }
}
