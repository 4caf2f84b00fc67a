using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cpu;

// The CPU twins of the AMG setup primitives (Backend.Amg.cs): parallel passes over row blocks where the work is
// per row, the host algorithms of AmgGraph otherwise.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public override int AmgDiagonal<T>(CsrIndices a, Storage<T> values, Storage<T> diagonal)
    {
        ArgumentNullException.ThrowIfNull(a);
        var rp = ArrayOf(a.RowPtr); var ci = ArrayOf(a.ColInd); var v = ArrayOf(values); var d = ArrayOf(diagonal);
        int n = a.Rows, blocks = ParallelBlocks.CountFor(n);
        var bad = new int[blocks];
        ParallelBlocks.Run(blocks, b =>
        {
            bad[b] = -1;
            for (int i = ParallelBlocks.Start(n, blocks, b), end = ParallelBlocks.Start(n, blocks, b + 1); i < end; i++)
            {
                int k = Array.BinarySearch(ci, rp[i], rp[i + 1] - rp[i], i);
                var x = k >= 0 ? v[k] : T.Zero;
                d[i] = x;
                if (!(x > T.Zero && T.IsFinite(x)) && bad[b] < 0) bad[b] = i;
            }
        });
        foreach (int r in bad) if (r >= 0) return r;
        return -1;
    }

    /// <inheritdoc/>
    public override void AmgScale<T>(CsrIndices a, Storage<T> values, Storage<T> left, Storage<T>? right, T shift, Storage<T> result)
    {
        ArgumentNullException.ThrowIfNull(a);
        var rp = ArrayOf(a.RowPtr); var ci = ArrayOf(a.ColInd); var v = ArrayOf(values); var l = ArrayOf(left);
        var r = right is null ? null : ArrayOf(right);
        var res = ArrayOf(result);
        int n = a.Rows, blocks = ParallelBlocks.CountFor(a.Nnz);
        ParallelBlocks.Run(blocks, b =>
        {
            for (int i = ParallelBlocks.Start(n, blocks, b), end = ParallelBlocks.Start(n, blocks, b + 1); i < end; i++)
                for (int k = rp[i]; k < rp[i + 1]; k++)
                {
                    int j = ci[k];
                    T x = l[i] * v[k];
                    if (r is not null) x *= r[j];
                    res[k] = j == i ? x + shift : x;
                }
        });
    }

    /// <inheritdoc/>
    public override CsrIndices AmgStrength<T>(CsrIndices a, Storage<T> values, Storage<T> diagonal, T theta)
    {
        ArgumentNullException.ThrowIfNull(a);
        var (sp, sc) = AmgGraph.Strength(a.Rows, ArrayOf(a.RowPtr), ArrayOf(a.ColInd), ArrayOf(values), ArrayOf(diagonal), theta);
        return new CsrIndices(a.Rows, a.Cols, new CpuStorage<int>(sp), new CpuStorage<int>(sc));
    }

    /// <inheritdoc/>
    public override int AmgMisAggregate(CsrIndices strong, Storage<int> aggregate, int distance)
    {
        ArgumentNullException.ThrowIfNull(strong);
        var (agg, count) = AmgGraph.Mis(strong.Rows, ArrayOf(strong.RowPtr), ArrayOf(strong.ColInd), distance);
        agg.CopyTo(ArrayOf(aggregate), 0);
        return count;
    }

    /// <inheritdoc/>
    public override (CsrIndices Pattern, Storage<T> Values, int ZeroAggregates) AmgTentative<T>(Storage<int> aggregate, int count,
        Storage<T> nullSpace, Storage<T> coarseNullSpace)
    {
        var agg = ArrayOf(aggregate);
        var (rp, ci, v, zero) = AmgGraph.Tentative(agg, count, ArrayOf(nullSpace), ArrayOf(coarseNullSpace));
        return (new CsrIndices(agg.Length, count, new CpuStorage<int>(rp), new CpuStorage<int>(ci)), new CpuStorage<T>(v), zero);
    }

    /// <inheritdoc/>
    public override void AmgPseudoRandom<T>(Storage<T> x, int n, int seed)
    {
        var xa = ArrayOf(x);
        if (xa.Length < n) throw new ArgumentOutOfRangeException(nameof(n), $"{n} elements do not fit a storage of {xa.Length}");
        for (int i = 0; i < n; i++) xa[i] = AmgGraph.PseudoRandom<T>(i, seed);
    }

    /// <inheritdoc/>
    public override void AmgSmoothingStep<T>(Storage<T> inverseDiagonal, Storage<T> r, Storage<T> d, Storage<T> x, int n, T alpha, T beta, bool overwriteX)
    {
        var w = ArrayOf(inverseDiagonal); var ra = ArrayOf(r); var da = ArrayOf(d); var xa = ArrayOf(x);
        if (w.Length < n || ra.Length < n || da.Length < n || xa.Length < n)
            throw new ArgumentOutOfRangeException(nameof(n), $"a smoothing step over {n} elements needs vectors at least that long");
        bool betaZero = beta == T.Zero;
        int blocks = ParallelBlocks.CountFor(n, 32768);
        ParallelBlocks.Run(blocks, b =>
        {
            for (int i = ParallelBlocks.Start(n, blocks, b), end = ParallelBlocks.Start(n, blocks, b + 1); i < end; i++)
            {
                T di = alpha * (w[i] * ra[i]);
                if (!betaZero) di += beta * da[i];
                da[i] = di;
                xa[i] = overwriteX ? di : xa[i] + di;
            }
        });
    }
}
