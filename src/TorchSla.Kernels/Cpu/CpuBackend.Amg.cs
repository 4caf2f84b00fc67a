using System.Numerics;
using System.Runtime.CompilerServices;
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
        ParallelBlocks.Run(blocks, b => bad[b] = DiagonalRows(ParallelBlocks.Start(n, blocks, b), ParallelBlocks.Start(n, blocks, b + 1), rp, ci, v, d));
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
        ParallelBlocks.Run(blocks, b => ScaleRows(ParallelBlocks.Start(n, blocks, b), ParallelBlocks.Start(n, blocks, b + 1), rp, ci, v, l, r, shift, res));
    }

    /// <summary>Rows [r0, r1) of <see cref="AmgDiagonal{T}"/>; returns the first bad row of the range, or −1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int DiagonalRows<T>(int r0, int r1, int[] rp, int[] ci, T[] v, T[] d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int bad = -1;
        for (int i = r0; i < r1; i++)
        {
            int k = Array.BinarySearch(ci, rp[i], rp[i + 1] - rp[i], i);
            var x = k >= 0 ? v[k] : T.Zero;
            d[i] = x;
            if (!(x > T.Zero && T.IsFinite(x)) && bad < 0) bad = i;
        }
        return bad;
    }

    /// <summary>Rows [r0, r1) of <see cref="AmgScale{T}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScaleRows<T>(int r0, int r1, int[] rp, int[] ci, T[] v, T[] l, T[]? r, T shift, T[] res) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = r0; i < r1; i++)
            for (int k = rp[i]; k < rp[i + 1]; k++)
            {
                int j = ci[k];
                T x = l[i] * v[k];
                if (r is not null) x *= r[j];
                res[k] = j == i ? x + shift : x;
            }
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    /// <inheritdoc/>
    /// <remarks>Each entry of the left factor is formed inside the product (<see cref="Gustavson.ScaledProduct{T}"/>).</remarks>
    public override (CsrIndices Product, Storage<T> Values) AmgScaledProduct<T>(CsrIndices a, Storage<T> values, Storage<T> left, T shift,
        CsrIndices b, Storage<T> bValues)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var av = ArrayOf(values); var bv = ArrayOf(bValues); var l = ArrayOf(left);
        if (av.Length < a.Nnz || bv.Length < b.Nnz || l.Length < a.Rows)
            throw new ArgumentOutOfRangeException(nameof(values), $"values of {a.Nnz} and {b.Nnz} entries and {a.Rows} row scales do not fit storages of {av.Length}, {bv.Length} and {l.Length}");
        var (rp, ci, v) = Gustavson.ScaledProduct(a, av, l, shift, b, bv);
        return (new CsrIndices(a.Rows, b.Cols, new CpuStorage<int>(rp), new CpuStorage<int>(ci)), new CpuStorage<T>(v));
    }

    /// <inheritdoc/>
    /// <remarks>The upper triangle, then its mirror (<see cref="Gustavson.SymmetricProduct{T}"/>).</remarks>
    public override (CsrIndices Product, Storage<T> Values) SymmetricSpGemm<T>(CsrIndices a, Storage<T> aValues, CsrIndices b, Storage<T> bValues)
        => HostProduct(a, aValues, b, bValues, Gustavson.SymmetricProduct);

    /// <inheritdoc/>
    /// <remarks>The same two products, A·P and the triangle of R·(A·P) in rented arrays (<see cref="Gustavson.Galerkin{T}"/>).</remarks>
    public override (CsrIndices Product, Storage<T> Values) GalerkinProduct<T>(CsrIndices r, Storage<T> rValues, CsrIndices a, Storage<T> aValues,
        CsrIndices p, Storage<T> pValues)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(p);
        T[] rv = ArrayOf(rValues), av = ArrayOf(aValues), pv = ArrayOf(pValues);
        if (rv.Length < r.Nnz || av.Length < a.Nnz || pv.Length < p.Nnz)
            throw new ArgumentOutOfRangeException(nameof(aValues), $"value sets of {r.Nnz}, {a.Nnz} and {p.Nnz} entries do not fit storages of {rv.Length}, {av.Length} and {pv.Length}");
        var (rp, ci, v) = Gustavson.Galerkin(r, rv, a, av, p, pv);
        return (new CsrIndices(r.Rows, p.Cols, new CpuStorage<int>(rp), new CpuStorage<int>(ci)), new CpuStorage<T>(v));
    }

    /// <summary>The checks and the storages around a one-call host product (<see cref="SpGemm{T}"/>, <see cref="SymmetricSpGemm{T}"/>).</summary>
    private static (CsrIndices Product, Storage<T> Values) HostProduct<T>(CsrIndices a, Storage<T> aValues, CsrIndices b, Storage<T> bValues,
        Func<CsrIndices, T[], CsrIndices, T[], (int[] RowPtr, int[] ColInd, T[] Values)> product) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var av = ArrayOf(aValues); var bv = ArrayOf(bValues);
        if (av.Length < a.Nnz || bv.Length < b.Nnz)
            throw new ArgumentOutOfRangeException(av.Length < a.Nnz ? nameof(aValues) : nameof(bValues), $"value sets of {a.Nnz} and {b.Nnz} entries do not fit storages of {av.Length} and {bv.Length}");
        var (rp, ci, v) = product(a, av, b, bv);
        return (new CsrIndices(a.Rows, b.Cols, new CpuStorage<int>(rp), new CpuStorage<int>(ci)), new CpuStorage<T>(v));
    }

    /// <inheritdoc/>
    /// <remarks>A parallel counting sort moving the values with the indices (<see cref="CsrBuild.TransposeWithValues{T}"/>).</remarks>
    public override (CsrIndices Transposed, Storage<T> Values) TransposeWithValues<T>(CsrIndices a, Storage<T> values)
    {
        ArgumentNullException.ThrowIfNull(a);
        var v = ArrayOf(values);
        if (v.Length < a.Nnz) throw new ArgumentOutOfRangeException(nameof(values), $"{a.Nnz} values do not fit a storage of {v.Length}");
        var (rp, ci, tv) = CsrBuild.TransposeWithValues(ArrayOf(a.RowPtr), ArrayOf(a.ColInd), v, a.Rows, a.Cols);
        return (new CsrIndices(a.Cols, a.Rows, new CpuStorage<int>(rp), new CpuStorage<int>(ci)), new CpuStorage<T>(tv));
    }
}
