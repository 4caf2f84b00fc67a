using System.Numerics;
using ILGPU;
using TorchSla.Kernels.Cpu;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// The AMG setup primitives as kernels (see <see cref="Backend.AmgStrength{T}"/> and its siblings; the host twins
/// are <see cref="AmgGraph"/> and <see cref="CpuBackend"/>'s passes). One thread per row, node or aggregate; every
/// kernel reads only what earlier launches wrote (or what no thread of the same launch writes), and no sum depends
/// on the schedule, so the results are the host twins' bit for bit.
/// </summary>
internal static class AmgKernels
{
    /// <summary>diag[i] = a_ii (0 when absent); a row whose a_ii is not positive and finite lowers error[0] to i.</summary>
    public static void Diagonal<T>(ArrayView<int> rowPtr, ArrayView<int> colInd, ArrayView<T> values, ArrayView<T> diag, ArrayView<int> error, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = Grid.GlobalIndex.X;
        if (i >= n) return;
        T d = T.Zero;
        int end = rowPtr[i + 1];
        for (int k = rowPtr[i]; k < end; k++)
            if (colInd[k] == i) { d = values[k]; break; }
        diag[i] = d;
        // d − d is 0 exactly when d is finite.
        if (!(d > T.Zero && d - d == T.Zero)) Atomic.Min(ref error[0], i);
    }

    /// <summary>result[s] = left[i]·values[s]·(hasRight ? right[j] : 1) + (i = j ? shift : 0) over row i's slots.</summary>
    public static void Scale<T>(ArrayView<int> rowPtr, ArrayView<int> colInd, ArrayView<T> values, ArrayView<T> left, ArrayView<T> right,
        ArrayView<T> result, int n, int hasRight, T shift)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = Grid.GlobalIndex.X;
        if (i >= n) return;
        T l = left[i];
        int end = rowPtr[i + 1];
        for (int k = rowPtr[i]; k < end; k++)
        {
            int j = colInd[k];
            T x = l * values[k];
            if (hasRight != 0) x *= right[j];
            result[k] = j == i ? x + shift : x;
        }
    }

    /// <summary>
    /// Strong neighbours of row i (a_ij ≠ 0, j ≠ i, a_ij² ≥ θ²·|a_ii·a_jj|): with fill = 0 their number into
    /// count[i + 1]; with fill = 1 their columns into strongColInd from strongRowPtr[i] on.
    /// </summary>
    public static void Strength<T>(ArrayView<int> rowPtr, ArrayView<int> colInd, ArrayView<T> values, ArrayView<T> diag,
        ArrayView<long> count, ArrayView<int> strongRowPtr, ArrayView<int> strongColInd, int n, int fill, T theta2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = Grid.GlobalIndex.X;
        if (i >= n) return;
        int c = fill != 0 ? strongRowPtr[i] : 0;
        T di = theta2 * T.Abs(diag[i]);
        int end = rowPtr[i + 1];
        for (int k = rowPtr[i]; k < end; k++)
        {
            int j = colInd[k];
            T v = values[k];
            if (j == i || v == T.Zero || v * v < di * T.Abs(diag[j])) continue;
            if (fill != 0) strongColInd[c] = j;
            c++;
        }
        if (fill == 0) count[i + 1] = c;
    }

    /// <summary>state[i] = 1 (undecided) for a node with strong neighbours, 0 (out) for an isolated one.</summary>
    public static void Mis2Init(ArrayView<int> rowPtr, ArrayView<int> state, int n)
    {
        int i = Grid.GlobalIndex.X;
        if (i < n) state[i] = rowPtr[i] == rowPtr[i + 1] ? 0 : 1;
    }

    /// <summary>max1[i] = the largest tuple (state, priority, index) among i and its strong neighbours.</summary>
    public static void Mis2Max1(ArrayView<int> rowPtr, ArrayView<int> colInd, ArrayView<int> state, ArrayView<long> max1, int n)
    {
        int i = Grid.GlobalIndex.X;
        if (i >= n) return;
        long m = AmgGraph.Mis2Key(state[i], i);
        int end = rowPtr[i + 1];
        for (int k = rowPtr[i]; k < end; k++)
        {
            int j = colInd[k];
            long kj = AmgGraph.Mis2Key(state[j], j);
            if (kj > m) m = kj;
        }
        max1[i] = m;
    }

    /// <summary>
    /// The largest tuple within distance 2 (max of max1 over i and its neighbours) decides node i (only i's own state
    /// is written, and this launch reads no state but i's); a node still undecided sets flag[0].
    /// </summary>
    public static void Mis2Max2(ArrayView<int> rowPtr, ArrayView<int> colInd, ArrayView<int> state, ArrayView<long> max1, ArrayView<int> flag, int n, int distance)
    {
        int i = Grid.GlobalIndex.X;
        if (i >= n) return;
        int s = state[i];
        if (s != 1) return;
        long m = max1[i];
        int end = distance == 2 ? rowPtr[i + 1] : 0;
        for (int k = rowPtr[i]; k < end; k++)
        {
            long v = max1[colInd[k]];
            if (v > m) m = v;
        }
        s = AmgGraph.Mis2Decide(s, i, m);
        state[i] = s;
        if (s == 1) flag[0] = 1;
    }

    /// <summary>marks[i] = 1 for a root, else 0 (prefix-summed into the roots' numbers).</summary>
    public static void Mis2Marks(ArrayView<int> state, ArrayView<long> marks, int n)
    {
        int i = Grid.GlobalIndex.X;
        if (i < n) marks[i] = state[i] == 2 ? 1 : 0;
    }

    /// <summary>agg[i] = the number of root i (inclusive scan − 1), −1 for every other node.</summary>
    public static void Mis2Roots(ArrayView<int> state, ArrayView<long> scan, ArrayView<int> agg, int n)
    {
        int i = Grid.GlobalIndex.X;
        if (i < n) agg[i] = state[i] == 2 ? (int)scan[i] - 1 : -1;
    }

    /// <summary>A non-root joins its first root neighbour (roots' entries are not written by this launch).</summary>
    public static void Mis2Near(ArrayView<int> rowPtr, ArrayView<int> colInd, ArrayView<int> state, ArrayView<int> agg, int n)
    {
        int i = Grid.GlobalIndex.X;
        if (i >= n || state[i] == 2) return;
        int end = rowPtr[i + 1];
        for (int k = rowPtr[i]; k < end; k++)
        {
            int j = colInd[k];
            if (state[j] == 2) { agg[i] = agg[j]; return; }
        }
    }

    /// <summary>A node still without aggregate joins that of its first neighbour in the snapshot <paramref name="first"/>.</summary>
    public static void Mis2Far(ArrayView<int> rowPtr, ArrayView<int> colInd, ArrayView<int> first, ArrayView<int> agg, int n)
    {
        int i = Grid.GlobalIndex.X;
        if (i >= n || first[i] >= 0) return;
        int end = rowPtr[i + 1];
        for (int k = rowPtr[i]; k < end; k++)
        {
            int a = first[colInd[k]];
            if (a >= 0) { agg[i] = a; return; }
        }
    }

    /// <summary>count[i + 1] = 1 for an aggregated node (its one entry in P̂), else 0.</summary>
    public static void TentativeCount(ArrayView<int> agg, ArrayView<long> count, int n)
    {
        int i = Grid.GlobalIndex.X;
        if (i < n) count[i + 1] = agg[i] >= 0 ? 1 : 0;
    }

    /// <summary>colInd of P̂: the aggregate of each aggregated node.</summary>
    public static void TentativeColumns(ArrayView<int> agg, ArrayView<int> rowPtr, ArrayView<int> colInd, int n)
    {
        int i = Grid.GlobalIndex.X;
        if (i < n && agg[i] >= 0) colInd[rowPtr[i]] = agg[i];
    }

    /// <summary>
    /// coarse[a] = ‖b over aggregate a‖₂, its nodes read in increasing index from the transposed pattern of P̂
    /// (row a of P̂ᵀ lists them); an aggregate where b vanishes adds one to zero[0].
    /// </summary>
    public static void TentativeNorms<T>(ArrayView<int> tRowPtr, ArrayView<int> tColInd, ArrayView<T> b, ArrayView<T> coarse, ArrayView<int> zero, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int a = Grid.GlobalIndex.X;
        if (a >= count) return;
        T s = T.Zero;
        int end = tRowPtr[a + 1];
        for (int t = tRowPtr[a]; t < end; t++)
        {
            T x = b[tColInd[t]];
            s += x * x;
        }
        T norm = T.Sqrt(s);
        coarse[a] = norm;
        if (norm == T.Zero) Atomic.Add(ref zero[0], 1);
    }

    /// <summary>The value of P̂'s entry of node i: b_i/‖b_a‖ (0 where b vanishes on the aggregate).</summary>
    public static void TentativeValues<T>(ArrayView<int> agg, ArrayView<int> rowPtr, ArrayView<T> b, ArrayView<T> coarse, ArrayView<T> values, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = Grid.GlobalIndex.X;
        if (i >= n) return;
        int a = agg[i];
        if (a < 0) return;
        T c = coarse[a];
        values[rowPtr[i]] = c == T.Zero ? T.Zero : b[i] / c;
    }

    /// <summary>
    /// x[i] = <see cref="AmgGraph.PseudoRandom{T}"/>(i, seed): the 24 bits are summed as powers of two times
    /// <paramref name="unit"/> = 2⁻²⁴ (kernels cannot convert an integer to a generic T), exact like the host's division.
    /// </summary>
    public static void PseudoRandom<T>(ArrayView<T> x, int n, int seed, T unit, T half)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = Grid.GlobalIndex.X;
        if (i >= n) return;
        uint bits = AmgGraph.PseudoRandomBits(i, seed);
        T v = T.Zero, w = unit;
        for (int b = 0; b < 24; b++)
        {
            if (((bits >> b) & 1) != 0) v += w;
            w += w;
        }
        x[i] = v - half;
    }

    /// <summary>d ← α·(w ∘ r) + β·d (β not read when betaZero), then x ← x + d or x ← d (overwrite).</summary>
    public static void SmoothingStep<T>(ArrayView<T> w, ArrayView<T> r, ArrayView<T> d, ArrayView<T> x, int n, int betaZero, int overwrite, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = Grid.GlobalIndex.X;
        if (i >= n) return;
        T di = alpha * (w[i] * r[i]);
        if (betaZero == 0) di += beta * d[i];
        d[i] = di;
        x[i] = overwrite != 0 ? di : x[i] + di;
    }
}
