using System.Numerics;
using System.Runtime.CompilerServices;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// The host forms of the AMG setup primitives (<see cref="Backend.AmgStrength{T}"/>,
/// <see cref="Backend.AmgMisAggregate"/>, <see cref="Backend.AmgTentative{T}"/>) over plain arrays: the CPU
/// backend's twins, also used where a setup step stays on the host.
/// </summary>
internal static class AmgGraph
{
    /// <summary>The strong graph in CSR form (no diagonal entries; stored zeros are never strong), given A's diagonal; two parallel passes (count, fill).
    /// Compiled optimized at once (its offsets loop would otherwise run as tier-0 code in a process's first large setup).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (int[] RowPtr, int[] ColInd) Strength<T>(int n, int[] rowPtr, int[] colInd, T[] values, T[] diag, T theta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T theta2 = theta * theta;
        var sp = new int[n + 1];
        int blocks = ParallelBlocks.CountFor(rowPtr[n]);
        ParallelBlocks.Run(blocks, b => StrengthPass(ParallelBlocks.Start(n, blocks, b), ParallelBlocks.Start(n, blocks, b + 1), rowPtr, colInd, values, diag, theta2, sp, null));
        for (int i = 0; i < n; i++) sp[i + 1] += sp[i];
        var sc = new int[sp[n]];
        ParallelBlocks.Run(blocks, b => StrengthPass(ParallelBlocks.Start(n, blocks, b), ParallelBlocks.Start(n, blocks, b + 1), rowPtr, colInd, values, diag, theta2, sp, sc));
        return (sp, sc);
    }

    /// <summary>
    /// The strong graph as a mask over A's stored entries (1: strong; the diagonal and stored zeros 0), the test of
    /// <see cref="Strength{T}"/>: one parallel pass and nnz bytes, where the graph in CSR form takes two passes and
    /// 4·(nnz − n) + 4·n bytes (3.5 MB of fresh memory at 3D Poisson 50³). For the host's greedy aggregation, which walks A's rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static byte[] StrengthMask<T>(int n, int[] rowPtr, int[] colInd, T[] values, T[] diag, T theta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T theta2 = theta * theta;
        var mask = GC.AllocateUninitializedArray<byte>(rowPtr[n]);
        int blocks = ParallelBlocks.CountFor(rowPtr[n]);
        ParallelBlocks.Run(blocks, b => MaskPass(ParallelBlocks.Start(n, blocks, b), ParallelBlocks.Start(n, blocks, b + 1), rowPtr, colInd, values, diag, theta2, mask));
        return mask;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaskPass<T>(int r0, int r1, int[] rowPtr, int[] colInd, T[] values, T[] diag, T theta2, byte[] mask)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = r0; i < r1; i++)
        {
            T di = theta2 * T.Abs(diag[i]);
            for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++)
            {
                mask[k] = Strong(i, colInd[k], values[k], di, diag) ? (byte)1 : (byte)0;
            }
        }
    }

    /// <summary>Whether a_ij (j ≠ i, nonzero) is strong: the squared form of |a_ij| ≥ θ·√|a_ii·a_jj| with di = θ²·|a_ii| (no
    /// square root per entry).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Strong<T>(int i, int j, T v, T di, T[] diag) where T : unmanaged, IFloatingPointIeee754<T> =>
        j != i && v != T.Zero && !(v * v < di * T.Abs(diag[j]));

    /// <summary>Without <paramref name="sc"/>: sp[i + 1] ← strong count of row i; with it: the strong columns of row i from sp[i] on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StrengthPass<T>(int r0, int r1, int[] rowPtr, int[] colInd, T[] values, T[] diag, T theta2, int[] sp, int[]? sc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = r0; i < r1; i++)
        {
            int c = sc is null ? 0 : sp[i];
            T di = theta2 * T.Abs(diag[i]);
            for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++)
            {
                if (!Strong(i, colInd[k], values[k], di, diag)) continue;
                if (sc is not null) sc[c] = colInd[k];
                c++;
            }
            if (sc is null) sp[i + 1] = c;
        }
    }

    /// <summary>
    /// MIS-2 aggregation (Bell, Dalton &amp; Olson 2012, §3.2–3.3): every node carries the tuple (state, priority,
    /// index), state ∈ {out = 0, undecided = 1, root = 2}; two rounds of "take the largest tuple among yourself and
    /// your strong neighbours" give each node the largest tuple within distance 2; an undecided node that finds its
    /// own tuple becomes a root, one that finds a root's tuple leaves. Repeated until nobody is undecided, this is an
    /// MIS-2: roots are ≥ 3 apart, every node is within 2 of a root. Each step is a map over nodes reading only the
    /// previous step's arrays — one kernel per step on a GPU, the same steps here. With <paramref name="distance"/> = 1
    /// one round of maxima decides (a distance-1 MIS: roots ≥ 2 apart, every node next to a root), giving smaller
    /// aggregates on dense graphs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (int[] Aggregate, int Count) Mis(int n, int[] sp, int[] sc, int distance)
    {
        if (distance is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(distance), distance, "MIS aggregation needs distance 1 or 2");
        var state = new int[n];
        for (int i = 0; i < n; i++) state[i] = sp[i] == sp[i + 1] ? 0 : 1;
        var max1 = new long[n];
        bool undecided = true;
        while (undecided)
        {
            for (int i = 0; i < n; i++)
            {
                long m = Mis2Key(state[i], i);
                for (int k = sp[i]; k < sp[i + 1]; k++) m = Math.Max(m, Mis2Key(state[sc[k]], sc[k]));
                max1[i] = m;
            }
            undecided = false;
            for (int i = 0; i < n; i++)
            {
                long m = max1[i];
                if (distance == 2) for (int k = sp[i]; k < sp[i + 1]; k++) m = Math.Max(m, max1[sc[k]]);
                state[i] = Mis2Decide(state[i], i, m);
                if (state[i] == 1) undecided = true;
            }
        }
        var agg = new int[n];
        int count = 0;
        for (int i = 0; i < n; i++) agg[i] = state[i] == 2 ? count++ : -1;
        // Distance 1: the unique root among the neighbours (roots are ≥ 3 apart).
        for (int i = 0; i < n; i++)
        {
            if (state[i] == 2) continue;
            for (int k = sp[i]; k < sp[i + 1]; k++)
                if (state[sc[k]] == 2) { agg[i] = agg[sc[k]]; break; }
        }
        // Distance 2: the aggregate of the first neighbour that joined in the previous step (a snapshot).
        var first = (int[])agg.Clone();
        for (int i = 0; i < n; i++)
        {
            if (first[i] >= 0) continue;
            for (int k = sp[i]; k < sp[i + 1]; k++)
                if (first[sc[k]] >= 0) { agg[i] = first[sc[k]]; break; }
        }
        return (agg, count);
    }

    /// <summary>The tuple (state, priority, index) packed in one long: state (2 bits) · priority (29 bits) · index (31 bits).</summary>
    public static long Mis2Key(int state, int i) => ((long)state << 60) | ((long)(Mis2Priority((uint)i) & 0x1FFFFFFF) << 31) | (uint)i;

    /// <summary>The new state of a node of state <paramref name="s"/> whose largest tuple within distance 2 is <paramref name="max2"/>.</summary>
    public static int Mis2Decide(int s, int i, long max2) =>
        s != 1 ? s : max2 == Mis2Key(1, i) ? 2 : max2 >> 60 == 2 ? 0 : 1;

    /// <summary>The 24 random bits behind <see cref="Backend.AmgPseudoRandom{T}"/> at i (24 bits: exact in float and double).</summary>
    public static uint PseudoRandomBits(int i, int seed) => Mis2Priority((uint)i + (uint)seed * 2654435761u) >> 8;

    /// <summary>The value of <see cref="Backend.AmgPseudoRandom{T}"/> at i: bits/2²⁴ − ½.</summary>
    public static T PseudoRandom<T>(int i, int seed) where T : unmanaged, IFloatingPointIeee754<T> =>
        T.CreateTruncating(PseudoRandomBits(i, seed) / 16777216.0 - 0.5);

    /// <summary>A fixed pseudo-random priority (the finaliser of MurmurHash3).</summary>
    public static uint Mis2Priority(uint x)
    {
        x ^= x >> 16; x *= 0x85EBCA6B;
        x ^= x >> 13; x *= 0xC2B2AE35;
        x ^= x >> 16;
        return x;
    }

    /// <summary>P̂ for one near-null-space vector (see <see cref="Backend.AmgTentative{T}"/>): pattern, values, coarse vector, aggregates where b vanishes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (int[] RowPtr, int[] ColInd, T[] Values, int Zero) Tentative<T>(int[] agg, int count, T[] b, T[] coarse)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = agg.Length;
        var sum = new T[count];
        for (int i = 0; i < n; i++) if (agg[i] >= 0) sum[agg[i]] += b[i] * b[i];
        int zero = 0;
        for (int a = 0; a < count; a++) { coarse[a] = T.Sqrt(sum[a]); if (coarse[a] == T.Zero) zero++; }
        var rp = new int[n + 1];
        for (int i = 0; i < n; i++) rp[i + 1] = rp[i] + (agg[i] >= 0 ? 1 : 0);
        var ci = new int[rp[n]];
        var v = new T[rp[n]];
        for (int i = 0; i < n; i++)
        {
            int a = agg[i];
            if (a < 0) continue;
            ci[rp[i]] = a;
            v[rp[i]] = coarse[a] == T.Zero ? T.Zero : b[i] / coarse[a];
        }
        return (rp, ci, v, zero);
    }
}
