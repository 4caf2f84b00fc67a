namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Aggregation from a distance-2 maximal independent set, the data-parallel scheme of Bell,
/// Dalton &amp; Olson ("Exposing fine-grained parallelism in algebraic multigrid methods", SIAM J.
/// Sci. Comput. 34 (2012) C123–C152, §3.2–3.3): every node carries the tuple
/// (state, priority, index), state ∈ {out = 0, undecided = 1, root = 2}; two rounds of
/// "take the largest tuple among yourself and your strong neighbours" give each node the
/// largest tuple within distance 2; an undecided node that finds its own tuple becomes a root,
/// one that finds a root's tuple leaves. Repeated until nobody is undecided, this is an MIS-2:
/// roots are at distance ≥ 3 from each other, and every node is within 2 of a root. Aggregates
/// are then each root with its neighbours, and distance-2 nodes join the aggregate of a
/// neighbour. Every step is a map over nodes reading only the previous step's arrays — one
/// kernel per step on a GPU; here it runs on the host with the same structure. The priorities
/// are a fixed hash of the index, so the result is reproducible. Nodes with no strong
/// neighbour stay unaggregated (−1), as in <see cref="Aggregation"/>.
/// </summary>
internal static class Mis2Aggregation
{
    public static (int[] Aggregate, int Count) Build(int n, int[] sp, int[] sc)
    {
        var state = new byte[n];
        for (int i = 0; i < n; i++) state[i] = sp[i] == sp[i + 1] ? (byte)0 : (byte)1;
        var key = new long[n];
        var max1 = new long[n];
        var max2 = new long[n];
        // A tuple packed in one long: state (2 bits) · priority (29 bits) · index (31 bits).
        static long Pack(byte s, uint priority, int i) => ((long)s << 60) | ((long)(priority & 0x1FFFFFFF) << 31) | (uint)i;
        bool undecided = true;
        while (undecided)
        {
            for (int i = 0; i < n; i++) key[i] = Pack(state[i], Hash((uint)i), i);
            MaxOverNeighbours(n, sp, sc, key, max1);
            MaxOverNeighbours(n, sp, sc, max1, max2);
            undecided = false;
            for (int i = 0; i < n; i++)
            {
                if (state[i] != 1) continue;
                if (max2[i] == key[i]) state[i] = 2;          // the largest within distance 2: a root
                else if (max2[i] >> 60 == 2) state[i] = 0;    // a root within distance 2: out
                else undecided = true;
            }
        }
        var agg = new int[n];
        Array.Fill(agg, -1);
        int count = 0;
        for (int i = 0; i < n; i++) if (state[i] == 2) agg[i] = count++;
        // Distance 1: the unique root among the neighbours (roots are ≥ 3 apart).
        var first = (int[])agg.Clone();
        for (int i = 0; i < n; i++)
        {
            if (first[i] >= 0) continue;
            for (int k = sp[i]; k < sp[i + 1]; k++)
                if (state[sc[k]] == 2) { agg[i] = first[sc[k]]; break; }
        }
        // Distance 2: the aggregate of a neighbour that joined in the previous step.
        var second = (int[])agg.Clone();
        for (int i = 0; i < n; i++)
        {
            if (second[i] >= 0 || sp[i] == sp[i + 1]) continue;
            for (int k = sp[i]; k < sp[i + 1]; k++)
                if (second[sc[k]] >= 0) { agg[i] = second[sc[k]]; break; }
        }
        return (agg, count);
    }

    private static void MaxOverNeighbours(int n, int[] sp, int[] sc, long[] src, long[] dst)
    {
        for (int i = 0; i < n; i++)
        {
            long m = src[i];
            for (int k = sp[i]; k < sp[i + 1]; k++) m = Math.Max(m, src[sc[k]]);
            dst[i] = m;
        }
    }

    /// <summary>A fixed pseudo-random priority (the finaliser of MurmurHash3).</summary>
    private static uint Hash(uint x)
    {
        x ^= x >> 16; x *= 0x85EBCA6B;
        x ^= x >> 13; x *= 0xC2B2AE35;
        x ^= x >> 16;
        return x;
    }
}
