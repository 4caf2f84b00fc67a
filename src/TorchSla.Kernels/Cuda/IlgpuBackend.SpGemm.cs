using ILGPU;
using ILGPU.Runtime;
using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cuda;

/// <summary>The GPU backend's SpGEMM (row-wise hash symbolic phase, table-free numeric phase: see <see cref="SpGemmKernels"/>).</summary>
public sealed partial class IlgpuBackend
{
    /// <summary>A product plan of this backend: C's pattern on the device; the numeric phase reads A's and B's indices directly.</summary>
    private sealed class Plan(CsrIndices left, CsrIndices right, CsrIndices product, long flops, IlgpuBackend owner)
        : SpGemmPlan(left, right, product, flops)
    {
        public IlgpuBackend Owner { get; } = owner;
    }

    private IndexKernelSet Idx() => Compiled(a => new IndexKernelSet(a), k => k.CompileSeconds);

    /// <summary>data[i] ← data[0] + … + data[i] on the device (64-bit, exact); see <see cref="ScanKernels"/>. Caller holds <see cref="Sync"/>.</summary>
    private void ScanInclusive(IndexKernelSet x, ArrayView<long> data, int n)
    {
        if (n == 0) return;
        int groups = (int)((n + (long)ScanKernels.Chunk - 1) / ScanKernels.Chunk);
        using var totals = AllocateUninitialized<long>(groups);
        x.ScanChunks(new KernelConfig(new Index1D(groups), new Index1D(ScanKernels.GroupSize)), data, totals.View, n);
        if (groups == 1) return;
        ScanInclusive(x, totals.View, groups);
        x.AddChunkOffsets(Cfg(n), data, totals.View, n);
    }

    /// <summary>Element <paramref name="index"/> of a device view, read by the host (waits for the queued work).</summary>
    private static long ReadOne(ArrayView<long> view, long index)
    {
        Span<long> one = stackalloc long[1];
        view.SubView(index, 1).CopyToCPU(one);
        return one[0];
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Hash SpGEMM on the device (<see cref="SpGemmKernels"/>): temporary tables of 2·min(f_i, N) ints per row
    /// (at most twice the scalar products), three values read back by the host (products, table size, nnz(C)).
    /// </remarks>
    public override SpGemmPlan SpGemmSymbolic(CsrIndices a, CsrIndices b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Cols != b.Rows)
            throw new ShapeMismatchException($"patterns of shapes [{a.Rows}, {a.Cols}] and [{b.Rows}, {b.Cols}] cannot be multiplied", nameof(b));
        var aRp = View(a.RowPtr, 0, a.Rows + 1L, "a.RowPtr");
        var aCi = View(a.ColInd, 0, a.Nnz, "a.ColInd");
        var bRp = View(b.RowPtr, 0, b.Rows + 1L, "b.RowPtr");
        var bCi = View(b.ColInd, 0, b.Nnz, "b.ColInd");
        int m = a.Rows, n = b.Cols;
        var x = Idx();
        lock (Sync)
        {
            Accelerator.Bind();
            var rowPtr = Allocate<int>(m + 1);
            if (m == 0 || a.Nnz == 0 || b.Nnz == 0)
                return new Plan(a, b, new CsrIndices(m, n, rowPtr, Allocate<int>(0)), 0, this);
            using var flops = AllocateUninitialized<long>(m + 1);
            using var tableStart = AllocateUninitialized<long>(m + 1);
            x.RowWork(Cfg(m), aRp, aCi, bRp, flops.View, tableStart.View, m, n);
            ScanInclusive(x, flops.View.SubView(1, m), m);
            ScanInclusive(x, tableStart.View.SubView(1, m), m);
            long totalFlops = ReadOne(flops.View, m), tableLength = ReadOne(tableStart.View, m);
            if (totalFlops > Array.MaxLength || tableLength > Array.MaxLength) throw Gustavson.TooLarge(a, b);

            using var table = AllocateUninitialized<int>((int)tableLength);
            Raw<int>().Fill(Cfg(tableLength), table.View, (int)tableLength, -1);
            using var count = (IlgpuStorage<long>)Allocate<long>(m + 1);
            x.Insert(Cfg(a.Nnz), aRp, aCi, bRp, bCi, tableStart.View, table.View, count.View, m);
            ScanInclusive(x, count.View.SubView(1, m), m);
            long nnz = ReadOne(count.View, m);
            if (nnz > Array.MaxLength) throw Gustavson.TooLarge(a, b);

            x.Narrow(Cfg(m + 1L), count.View, ((IlgpuStorage<int>)rowPtr).View);
            var colInd = AllocateUninitialized<int>((int)nnz);
            if (nnz > 0)
            {
                using var unsorted = AllocateUninitialized<int>((int)nnz);
                x.Compact(Cfg(m), tableStart.View, table.View, ((IlgpuStorage<int>)rowPtr).View, unsorted.View, m);
                x.Rank(Cfg(nnz), ((IlgpuStorage<int>)rowPtr).View, unsorted.View, colInd.View, m);
            }
            return new Plan(a, b, new CsrIndices(m, n, rowPtr, colInd), totalFlops, this);
        }
    }

    /// <inheritdoc/>
    public override void SpGemmNumeric<T>(SpGemmPlan plan, Storage<T> aValues, int aOffset, Storage<T> bValues, int bOffset,
        Storage<T> cValues, int cOffset)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan is not Plan p || !ReferenceEquals(p.Owner, this))
            throw new ArgumentException($"the plan was made by the backend of {plan.Device}, not by this backend of {_device}", nameof(plan));
        p.CheckValues(aValues, aOffset, bValues, bOffset, cValues, cOffset);
        CsrIndices a = p.Left, b = p.Right, c = p.Product;
        if (c.Nnz == 0) return;
        var av = View(aValues, aOffset, a.Nnz, nameof(aValues));
        var bv = View(bValues, bOffset, b.Nnz, nameof(bValues));
        var cv = View(cValues, cOffset, c.Nnz, nameof(cValues));
        var k = K<T>();
        lock (Sync)
        {
            Accelerator.Bind();
            k.SpGemmNumeric(Cfg(c.Nnz),
                View(a.RowPtr, 0, a.Rows + 1L, "a.RowPtr"), View(a.ColInd, 0, a.Nnz, "a.ColInd"), av,
                View(b.RowPtr, 0, b.Rows + 1L, "b.RowPtr"), View(b.ColInd, 0, b.Nnz, "b.ColInd"), bv,
                View(c.RowPtr, 0, c.Rows + 1L, "c.RowPtr"), View(c.ColInd, 0, c.Nnz, "c.ColInd"), cv);
        }
    }
}
