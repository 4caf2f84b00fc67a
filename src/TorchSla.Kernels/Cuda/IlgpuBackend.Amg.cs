using System.Diagnostics;
using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cuda;

/// <summary>The AMG setup primitives on the device (<see cref="AmgKernels"/>); host reads are single counts (nnz, aggregates, a flag per MIS-2 round).</summary>
public sealed partial class IlgpuBackend
{
    private AmgKernelSet<T> Amg<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
        Compiled(acc => new AmgKernelSet<T>(acc), k => k.CompileSeconds);

    private AmgIndexKernelSet AmgIdx() => Compiled(acc => new AmgIndexKernelSet(acc), k => k.CompileSeconds);

    private static int ReadInt(ArrayView<int> view)
    {
        Span<int> one = stackalloc int[1];
        view.SubView(0, 1).CopyToCPU(one);
        return one[0];
    }

    /// <inheritdoc/>
    public override void AmgPseudoRandom<T>(Storage<T> x, int n, int seed)
    {
        var xv = View(x, 0, n, nameof(x));
        if (n == 0) return;
        lock (Sync) { Accelerator.Bind(); Amg<T>().PseudoRandom(Cfg(n), xv, n, seed, T.CreateTruncating(1.0 / 16777216), T.CreateTruncating(0.5)); }
    }

    /// <inheritdoc/>
    public override void AmgSmoothingStep<T>(Storage<T> inverseDiagonal, Storage<T> r, Storage<T> d, Storage<T> x, int n, T alpha, T beta, bool overwriteX)
    {
        var w = View(inverseDiagonal, 0, n, nameof(inverseDiagonal));
        var rv = View(r, 0, n, nameof(r));
        var dv = View(d, 0, n, nameof(d));
        var xv = View(x, 0, n, nameof(x));
        if (n == 0) return;
        lock (Sync) { Accelerator.Bind(); Amg<T>().SmoothingStep(Cfg(n), w, rv, dv, xv, n, beta == T.Zero ? 1 : 0, overwriteX ? 1 : 0, alpha, beta); }
    }

    /// <inheritdoc/>
    public override int AmgDiagonal<T>(CsrIndices a, Storage<T> values, Storage<T> diagonal)
    {
        ArgumentNullException.ThrowIfNull(a);
        var rp = View(a.RowPtr, 0, a.Rows + 1L, "a.RowPtr");
        var ci = View(a.ColInd, 0, a.Nnz, "a.ColInd");
        var v = View(values, 0, a.Nnz, nameof(values));
        var d = View(diagonal, 0, a.Rows, nameof(diagonal));
        if (a.Rows == 0) return -1;
        Own(diagonal, nameof(diagonal)).Touch();
        lock (Sync)
        {
            Accelerator.Bind();
            var err = Scratch<int>(1);
            Raw<int>().Fill(Cfg(1), err, 1, int.MaxValue);
            Amg<T>().Diagonal(Cfg(a.Rows), rp, ci, v, d, err, a.Rows);
            int bad = ReadInt(err);
            return bad == int.MaxValue ? -1 : bad;
        }
    }

    /// <inheritdoc/>
    public override void AmgScale<T>(CsrIndices a, Storage<T> values, Storage<T> left, Storage<T>? right, T shift, Storage<T> result)
    {
        ArgumentNullException.ThrowIfNull(a);
        var rp = View(a.RowPtr, 0, a.Rows + 1L, "a.RowPtr");
        var ci = View(a.ColInd, 0, a.Nnz, "a.ColInd");
        var v = View(values, 0, a.Nnz, nameof(values));
        var l = View(left, 0, a.Rows, nameof(left));
        var r = right is null ? l : View(right, 0, a.Cols, nameof(right));
        var res = View(result, 0, a.Nnz, nameof(result));
        if (a.Rows == 0 || a.Nnz == 0) return;
        Own(result, nameof(result)).Touch();
        lock (Sync) { Accelerator.Bind(); Amg<T>().Scale(Cfg(a.Rows), rp, ci, v, l, r, res, a.Rows, right is null ? 0 : 1, shift); }
    }

    /// <inheritdoc/>
    public override CsrIndices AmgStrength<T>(CsrIndices a, Storage<T> values, Storage<T> diagonal, T theta)
    {
        ArgumentNullException.ThrowIfNull(a);
        var rp = View(a.RowPtr, 0, a.Rows + 1L, "a.RowPtr");
        var ci = View(a.ColInd, 0, a.Nnz, "a.ColInd");
        var v = View(values, 0, a.Nnz, nameof(values));
        var d = View(diagonal, 0, a.Rows, nameof(diagonal));
        int n = a.Rows;
        var k = Amg<T>();
        var x = Idx();
        lock (Sync)
        {
            Accelerator.Bind();
            var sRowPtr = AllocateUninitialized<int>(n + 1);
            using var count = (IlgpuStorage<long>)Allocate<long>(n + 1);
            T theta2 = theta * theta;
            if (n > 0) k.Strength(Cfg(n), rp, ci, v, d, count.View, sRowPtr.View, default, n, 0, theta2);
            ScanInclusive(x, count.View.SubView(1, n), n);
            x.Narrow(Cfg(n + 1L), count.View, sRowPtr.View);
            int nnz = (int)ReadOne(count.View, n);
            var sColInd = AllocateUninitialized<int>(nnz);
            if (nnz > 0) k.Strength(Cfg(n), rp, ci, v, d, count.View, sRowPtr.View, sColInd.View, n, 1, theta2);
            return new CsrIndices(n, a.Cols, sRowPtr, sColInd);
        }
    }

    /// <inheritdoc/>
    public override int AmgMisAggregate(CsrIndices strong, Storage<int> aggregate, int distance)
    {
        ArgumentNullException.ThrowIfNull(strong);
        if (distance is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(distance), distance, "MIS aggregation needs distance 1 or 2");
        int n = strong.Rows;
        var rp = View(strong.RowPtr, 0, n + 1L, "strong.RowPtr");
        var ci = View(strong.ColInd, 0, strong.Nnz, "strong.ColInd");
        var agg = View(aggregate, 0, n, nameof(aggregate));
        if (n == 0) return 0;
        Own(aggregate, nameof(aggregate)).Touch();
        var k = AmgIdx();
        var x = Idx();
        lock (Sync)
        {
            Accelerator.Bind();
            using var state = AllocateUninitialized<int>(n);
            using var max1 = AllocateUninitialized<long>(n);
            var flag = Scratch<int>(1);
            k.Mis2Init(Cfg(n), rp, state.View, n);
            // Each round decides at least the node of the largest undecided tuple; in practice a handful of rounds.
            for (int round = 0; round <= n; round++)
            {
                Raw<int>().Fill(Cfg(1), flag, 1, 0);
                k.Mis2Max1(Cfg(n), rp, ci, state.View, max1.View, n);
                k.Mis2Max2(Cfg(n), rp, ci, state.View, max1.View, flag, n, distance);
                if (ReadInt(flag) == 0) break;
            }
            // max1 is free now: reuse it for the roots' prefix sum.
            k.Mis2Marks(Cfg(n), state.View, max1.View, n);
            ScanInclusive(x, max1.View, n);
            int count = (int)ReadOne(max1.View, n - 1);
            k.Mis2Roots(Cfg(n), state.View, max1.View, agg, n);
            k.Mis2Near(Cfg(n), rp, ci, state.View, agg, n);
            using var first = AllocateUninitialized<int>(n);
            Raw<int>().Copy(Cfg(n), agg, first.View, n);
            k.Mis2Far(Cfg(n), rp, ci, first.View, agg, n);
            return count;
        }
    }

    /// <inheritdoc/>
    public override (CsrIndices Pattern, Storage<T> Values, int ZeroAggregates) AmgTentative<T>(Storage<int> aggregate, int count,
        Storage<T> nullSpace, Storage<T> coarseNullSpace)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int n = aggregate.Length;
        var agg = View(aggregate, 0, n, nameof(aggregate));
        var b = View(nullSpace, 0, n, nameof(nullSpace));
        var coarse = View(coarseNullSpace, 0, count, nameof(coarseNullSpace));
        var ki = AmgIdx();
        var k = Amg<T>();
        var x = Idx();
        IlgpuStorage<int> rowPtr, colInd;
        lock (Sync)
        {
            Accelerator.Bind();
            rowPtr = AllocateUninitialized<int>(n + 1);
            using var cnt = (IlgpuStorage<long>)Allocate<long>(n + 1);
            if (n > 0) ki.TentativeCount(Cfg(n), agg, cnt.View, n);
            ScanInclusive(x, cnt.View.SubView(1, n), n);
            x.Narrow(Cfg(n + 1L), cnt.View, rowPtr.View);
            int nnz = (int)ReadOne(cnt.View, n);
            colInd = AllocateUninitialized<int>(nnz);
            if (nnz > 0) ki.TentativeColumns(Cfg(n), agg, rowPtr.View, colInd.View, n);
        }
        var pattern = new CsrIndices(n, count, rowPtr, colInd);
        // Row a of P̂ᵀ lists aggregate a's nodes in increasing index: the norms are summed in that fixed order.
        var (t, map) = Transpose(pattern);
        using (t) using (map)
        lock (Sync)
        {
            Accelerator.Bind();
            var values = AllocateUninitialized<T>(colInd.Length);
            var zero = Scratch<int>(1);
            Raw<int>().Fill(Cfg(1), zero, 1, 0);
            if (count > 0) k.TentativeNorms(Cfg(count), ((IlgpuStorage<int>)t.RowPtr).View, ((IlgpuStorage<int>)t.ColInd).View, b, coarse, zero, count);
            if (n > 0 && colInd.Length > 0) k.TentativeValues(Cfg(n), agg, rowPtr.View, b, coarse, values.View, n);
            Own(coarseNullSpace, nameof(coarseNullSpace)).Touch();
            return (pattern, values, ReadInt(zero));
        }
    }
}

/// <summary>The floating-point AMG setup kernels of one element type, compiled on first use.</summary>
internal sealed class AmgKernelSet<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<int>, int> Diagonal;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int, T> Scale;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<long>, ArrayView<int>, ArrayView<int>, int, int, T> Strength;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<int>, int> TentativeNorms;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int> TentativeValues;
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int, int, T, T> SmoothingStep;
    public readonly Action<KernelConfig, ArrayView<T>, int, int, T, T> PseudoRandom;
    public readonly double CompileSeconds;

    public AmgKernelSet(Accelerator acc)
    {
        var sw = Stopwatch.StartNew();
        PseudoRandom = acc.LoadStreamKernel<ArrayView<T>, int, int, T, T>(AmgKernels.PseudoRandom);
        SmoothingStep = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int, int, T, T>(AmgKernels.SmoothingStep);
        Diagonal = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<int>, int>(AmgKernels.Diagonal);
        Scale = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int, T>(AmgKernels.Scale);
        Strength = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<long>, ArrayView<int>, ArrayView<int>, int, int, T>(AmgKernels.Strength);
        TentativeNorms = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<int>, int>(AmgKernels.TentativeNorms);
        TentativeValues = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int>(AmgKernels.TentativeValues);
        CompileSeconds = sw.Elapsed.TotalSeconds;
    }
}

/// <summary>The integer AMG setup kernels (MIS-2 aggregation, the tentative prolongator's pattern), compiled on first use.</summary>
internal sealed class AmgIndexKernelSet
{
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, int> Mis2Init;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>, int> Mis2Max1;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<int>, int, int> Mis2Max2;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<long>, int> Mis2Marks;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<long>, ArrayView<int>, int> Mis2Roots;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, int> Mis2Near;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, int> Mis2Far;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<long>, int> TentativeCount;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, int> TentativeColumns;
    public readonly double CompileSeconds;

    public AmgIndexKernelSet(Accelerator acc)
    {
        var sw = Stopwatch.StartNew();
        Mis2Init = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, int>(AmgKernels.Mis2Init);
        Mis2Max1 = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>, int>(AmgKernels.Mis2Max1);
        Mis2Max2 = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<int>, int, int>(AmgKernels.Mis2Max2);
        Mis2Marks = acc.LoadStreamKernel<ArrayView<int>, ArrayView<long>, int>(AmgKernels.Mis2Marks);
        Mis2Roots = acc.LoadStreamKernel<ArrayView<int>, ArrayView<long>, ArrayView<int>, int>(AmgKernels.Mis2Roots);
        Mis2Near = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, int>(AmgKernels.Mis2Near);
        Mis2Far = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, int>(AmgKernels.Mis2Far);
        TentativeCount = acc.LoadStreamKernel<ArrayView<int>, ArrayView<long>, int>(AmgKernels.TentativeCount);
        TentativeColumns = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, int>(AmgKernels.TentativeColumns);
        CompileSeconds = sw.Elapsed.TotalSeconds;
    }
}
