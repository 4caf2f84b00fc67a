using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Memory;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Gauss–Seidel, x_i ← (b_i − Σ_{j≠i} a_ij·x_j)/a_ii (Saad, 2nd ed., §4.1), forward before the coarse correction and
/// backward after it: the V-cycle is then the symmetric preconditioner CG needs (its pre- and post-smoother are adjoint in
/// the A inner product). Host memory only.
/// <para>Each update uses the newest values, so a sweep in row order is sequential. On several cores the rows are visited
/// in a domain-decomposition order instead (Saad, §12.4 on orderings for parallelism): the rows are cut into one contiguous
/// block per core (equal stored entries); a row with a column in another block is a separator row; each block's interior rows
/// couple only with rows of their own block and separators, so the blocks' interiors are swept at the same time, and then
/// the separator rows in row order. That is Gauss–Seidel in a permuted order — every update still uses the newest values,
/// the result does not depend on timing — and the backward sweep visits exactly the reverse order (separators descending,
/// then the interiors descending), so the cycle stays symmetric. hypre's relaxation 8 (ℓ1 hybrid Gauss–Seidel) instead
/// lets blocks read each other's old values (a Jacobi coupling); here nothing is lagged. Where separators would be more than
/// a quarter of the rows (a badly ordered matrix) or the level is small, the sweep stays in row order.</para>
/// </summary>
internal sealed class GaussSeidelSmoother<T> : Smoother<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Levels with fewer stored entries sweep in row order on one core (a fork/join costs more than it saves).</summary>
    internal const int ParallelMinNnz = 1 << 17;

    private readonly int[] _diagonalSlots;
    private readonly T[] _inverseDiagonal;
    // The domain-decomposition order (null: row order). Block b's interior rows are the ranges
    // [_ranges[2q], _ranges[2q + 1]) for q in [_rangePtr[b], _rangePtr[b + 1]); _separators ascend.
    private readonly int[]? _rangePtr, _ranges, _separators;

    public GaussSeidelSmoother(SparseTensor<T> a)
    {
        if (!a.Device.IsCpu)
            throw new NotSupportedException($"symmetric Gauss–Seidel is a sequential host smoother; the matrix lives on {a.Device} (use Chebyshev, Jacobi or L1Jacobi there)");
        _diagonalSlots = a.Pattern.DiagonalSlots();
        var v = ((CpuStorage<T>)a.Values).Array;
        _inverseDiagonal = Inverses(v, _diagonalSlots);
        if (a.Nnz >= ParallelMinNnz && CpuBackend.Threads > 1)
            (_rangePtr, _ranges, _separators) = Decompose(a.Rows, a.Pattern.RowPtr, a.Pattern.ColInd, CpuBackend.Threads);
    }

    /// <summary>Blocks run in parallel (1: row order).</summary>
    internal int Blocks => _rangePtr is null ? 1 : _rangePtr.Length - 1;

    /// <summary>Separator rows of the domain-decomposition order (0 in row order).</summary>
    internal int SeparatorRows => _separators?.Length ?? 0;

    /// <summary>The rows in the order a forward sweep updates them (the blocks' interiors one block after the other — they run
    /// at the same time but share no coupling — then the separators); a backward sweep visits the reverse.</summary>
    internal int[] VisitOrder(int n)
    {
        if (_rangePtr is null) return Enumerable.Range(0, n).ToArray();
        var order = new List<int>(n);
        for (int q = 0; q < _ranges!.Length / 2; q++)
            for (int i = _ranges[2 * q]; i < _ranges[2 * q + 1]; i++) order.Add(i);
        order.AddRange(_separators!);
        return order.ToArray();
    }

    /// <summary>
    /// The interior ranges and separator rows of <paramref name="blocks"/> contiguous blocks of equal work (<see cref="RowPartition"/>; columns
    /// sorted per row, so a row leaves its block iff its first or last column does); nulls where separators exceed n/4.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int[]?, int[]?, int[]?) Decompose(int n, int[] rp, int[] ci, int blocks)
    {
        var start = RowPartition.Build(rp, blocks).Starts;
        blocks = start.Length - 1;
        var ranges = new List<int>();
        var separators = new List<int>();
        var rangePtr = new int[blocks + 1];
        for (int b = 0; b < blocks; b++)
        {
            int r0 = start[b], r1 = start[b + 1], open = -1;
            for (int i = r0; i < r1; i++)
            {
                bool separator = rp[i + 1] > rp[i] && (ci[rp[i]] < r0 || ci[rp[i + 1] - 1] >= r1);
                if (separator)
                {
                    separators.Add(i);
                    if (open >= 0) { ranges.Add(open); ranges.Add(i); open = -1; }
                }
                else if (open < 0) open = i;
            }
            if (open >= 0) { ranges.Add(open); ranges.Add(r1); }
            rangePtr[b + 1] = ranges.Count / 2;
        }
        if (separators.Count > n / 4) return (null, null, null);
        return (rangePtr, ranges.ToArray(), separators.ToArray());
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T[] Inverses(T[] v, int[] slots)
    {
        var inv = GC.AllocateUninitializedArray<T>(slots.Length);
        for (int i = 0; i < inv.Length; i++) inv[i] = T.One / v[slots[i]];
        return inv;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Smooth(SparseTensor<T> a, Tensor<T> x, Tensor<T> b, int sweeps, bool zeroGuess, bool backward)
    {
        var rp = a.Pattern.RowPtr; var ci = a.Pattern.ColInd;
        var v = ((CpuStorage<T>)a.Values).Array;
        var xs = ((CpuStorage<T>)x.Storage).Array;
        var bs = ((CpuStorage<T>)b.Storage).Array;
        int n = a.Rows;
        for (int s = 0; s < sweeps; s++)
        {
            bool fromZero = s == 0 && zeroGuess;
            if (_rangePtr is null)
            {
                // From x = 0 the entries right of the diagonal still multiply zeros: only the strictly lower
                // part is read, about half the row (columns are sorted, so it ends at the diagonal slot).
                if (fromZero && !backward) ForwardFromZero(0, n, rp, ci, v, xs, bs, _diagonalSlots, _inverseDiagonal);
                else
                {
                    if (fromZero) Array.Clear(xs, 0, n);
                    Sweep(0, n, rp, ci, v, xs, bs, _inverseDiagonal, backward);
                }
                continue;
            }
            var seps = _separators!;
            if (!backward)
            {
                // Interiors first: from x = 0 a separator must read as 0 when an interior row uses it (the
                // lower-part shortcut skips only columns right of the diagonal), so the separators are cleared.
                if (fromZero) foreach (int i in seps) xs[i] = T.Zero;
                Interiors(rp, ci, v, xs, bs, backward: false, fromZero);
                Separators(seps, rp, ci, v, xs, bs, _inverseDiagonal, backward: false);
            }
            else
            {
                if (fromZero) Array.Clear(xs, 0, n);
                Separators(seps, rp, ci, v, xs, bs, _inverseDiagonal, backward: true);
                Interiors(rp, ci, v, xs, bs, backward: true, fromZero: false);
            }
        }
    }

    /// <summary>Every block's interior rows, the blocks at the same time (they share no row coupling). The sweep's arrays go
    /// in fields that the job's one delegate reads, so a sweep allocates nothing (the smoother runs inside the solve's loop).</summary>
    private void Interiors(int[] rp, int[] ci, T[] v, T[] xs, T[] bs, bool backward, bool fromZero)
    {
        _sweep = (rp, ci, v, xs, bs, backward, fromZero);
        try { OwnedBlockJob.Dispatch(ref _job, _runBlock ??= RunBlock, _rangePtr!.Length - 1, rp[^1]); }
        finally { _sweep = default; }
    }

    private (int[] Rp, int[] Ci, T[] V, T[] Xs, T[] Bs, bool Backward, bool FromZero) _sweep;
    private OwnedBlockJob? _job;
    private Action<int>? _runBlock;

    private void RunBlock(int blk)
    {
        var w = _sweep;
        InteriorBlock(_rangePtr![blk], _rangePtr[blk + 1], _ranges!, w.Rp, w.Ci, w.V, w.Xs, w.Bs, _diagonalSlots, _inverseDiagonal, w.Backward, w.FromZero);
    }

    /// <summary>The interior ranges [q0, q1) of one block, in sweep order. Compiled optimized at once, as are the other sweeps: a
    /// process's first large solve would otherwise run them as tier-0 code (the small warm-up levels take the row-order path).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InteriorBlock(int q0, int q1, int[] ranges, int[] rp, int[] ci, T[] v, T[] xs, T[] bs, int[] slots, T[] inv, bool backward, bool fromZero)
    {
        if (!backward)
        {
            for (int q = q0; q < q1; q++)
                if (fromZero) ForwardFromZero(ranges[2 * q], ranges[2 * q + 1], rp, ci, v, xs, bs, slots, inv);
                else Sweep(ranges[2 * q], ranges[2 * q + 1], rp, ci, v, xs, bs, inv, backward: false);
        }
        else
        {
            for (int q = q1 - 1; q >= q0; q--) Sweep(ranges[2 * q], ranges[2 * q + 1], rp, ci, v, xs, bs, inv, backward: true);
        }
    }

    /// <summary>The separator rows in row order (or its reverse), from x as it is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Separators(int[] seps, int[] rp, int[] ci, T[] v, T[] xs, T[] bs, T[] inv, bool backward)
    {
        if (!backward)
            foreach (int i in seps) xs[i] += (bs[i] - RowDot(rp[i], rp[i + 1], ci, v, xs)) * inv[i];
        else
            for (int q = seps.Length - 1; q >= 0; q--)
            {
                int i = seps[q];
                xs[i] += (bs[i] - RowDot(rp[i], rp[i + 1], ci, v, xs)) * inv[i];
            }
    }

    public override void Dispose() { }

    /// <summary>x_i ← x_i + (b_i − Σ_j a_ij·x_j)/a_ii over all j (the diagonal term cancels the old x_i) for rows [r0, r1): no branch per entry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Sweep(int r0, int r1, int[] rp, int[] ci, T[] v, T[] xs, T[] bs, T[] inv, bool backward)
    {
        if (!backward)
            for (int i = r0; i < r1; i++) xs[i] += (bs[i] - RowDot(rp[i], rp[i + 1], ci, v, xs)) * inv[i];
        else
            for (int i = r1 - 1; i >= r0; i--) xs[i] += (bs[i] - RowDot(rp[i], rp[i + 1], ci, v, xs)) * inv[i];
    }

    /// <summary>The forward sweep of rows [r0, r1) from x = 0: only the strictly lower part of each row is read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardFromZero(int r0, int r1, int[] rp, int[] ci, T[] v, T[] xs, T[] bs, int[] diag, T[] inv)
    {
        for (int i = r0; i < r1; i++) xs[i] = (bs[i] - RowDot(rp[i], diag[i], ci, v, xs)) * inv[i];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T RowDot(int k0, int k1, int[] ci, T[] v, T[] xs)
    {
        T sum = T.Zero;
        for (int k = k0; k < k1; k++) sum += v[k] * xs[ci[k]];
        return sum;
    }
}
