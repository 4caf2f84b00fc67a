using ILGPU;
using ILGPU.Runtime;
using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cuda;

/// <summary>The GPU backend's transpose and COO→CSR (counting sort with a stable rank step: see <see cref="CsrBuildKernels"/>).</summary>
public sealed partial class IlgpuBackend
{
    /// <summary>
    /// Counts keys[e] into count[key + 1] (count zeroed, length buckets + 1), turns the counts into bucket
    /// starts (count[b] = first position of bucket b) and scatters entry ids into their buckets. Returns the
    /// first entry whose key (or other index) is out of range, or −1. Caller holds <see cref="Sync"/>.
    /// </summary>
    private int Bucket(IndexKernelSet x, ArrayView<int> keys, ArrayView<int> other, int buckets, int otherBound,
        ArrayView<long> count, ArrayView<int> unsorted)
    {
        int n = keys.IntLength;
        var err = Scratch<int>(1);
        Raw<int>().Fill(Cfg(1), err, 1, int.MaxValue);
        x.CountKeys(Cfg(n), keys, other, count, err, buckets, otherBound);
        Span<int> bad = stackalloc int[1];
        err.CopyToCPU(bad);
        if (bad[0] != int.MaxValue) return bad[0];
        ScanInclusive(x, count.SubView(1, buckets), buckets);
        using var cursor = (IlgpuStorage<int>)Allocate<int>(buckets);
        x.Scatter(Cfg(n), keys, count, cursor.View, unsorted);
        return -1;
    }

    /// <inheritdoc/>
    public override (CsrIndices Transposed, Storage<int> Map) Transpose(CsrIndices a)
    {
        ArgumentNullException.ThrowIfNull(a);
        var rp = View(a.RowPtr, 0, a.Rows + 1L, "a.RowPtr");
        var ci = View(a.ColInd, 0, a.Nnz, "a.ColInd");
        int n = a.Nnz;
        var x = Idx();
        lock (Sync)
        {
            Accelerator.Bind();
            var rowPtrT = (IlgpuStorage<int>)Allocate<int>(a.Cols + 1);
            var colIndT = AllocateUninitialized<int>(n);
            var map = AllocateUninitialized<int>(n);
            if (n > 0)
            {
                using var count = (IlgpuStorage<long>)Allocate<long>(a.Cols + 1);
                using var unsorted = AllocateUninitialized<int>(n);
                int bad = Bucket(x, ci, ci, a.Cols, a.Cols, count.View, unsorted.View);
                if (bad >= 0)
                    throw new ArgumentException($"slot {bad} of the pattern holds a column outside [0, {a.Cols}): CSR indices must be canonical", nameof(a));
                x.Narrow(Cfg(a.Cols + 1L), count.View, rowPtrT.View);
                // Each row of Aᵀ lists source slots; sorted, they ascend with the rows of A (stable order).
                x.Rank(Cfg(n), rowPtrT.View, unsorted.View, map.View, a.Cols);
                x.RowsOfSlots(Cfg(n), rp, map.View, colIndT.View, a.Rows);
            }
            return (new CsrIndices(a.Cols, a.Rows, rowPtrT, colIndT), map);
        }
    }

    /// <inheritdoc/>
    public override int CooToCsr(Storage<int> row, Storage<int> col, int count, int rows, int cols,
        Storage<int> rowPtr, Storage<int> colInd, Storage<int> entryToSlot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        var rv = View(row, 0, count, nameof(row));
        var cv = View(col, 0, count, nameof(col));
        var rpv = View(rowPtr, 0, rows + 1L, nameof(rowPtr));
        var civ = View(colInd, 0, count, nameof(colInd));
        var ev = View(entryToSlot, 0, count, nameof(entryToSlot));
        var x = Idx();
        lock (Sync)
        {
            Accelerator.Bind();
            if (count == 0)
            {
                Raw<int>().Fill(Cfg(rows + 1L), rpv, rows + 1, 0);
                return 0;
            }
            using var rowStart = (IlgpuStorage<long>)Allocate<long>(rows + 1);
            using var unsorted = AllocateUninitialized<int>(count);
            int bad = Bucket(x, rv, cv, rows, cols, rowStart.View, unsorted.View);
            if (bad >= 0)
            {
                Span<int> rc = stackalloc int[2];
                rv.SubView(bad, 1).CopyToCPU(rc[..1]);
                cv.SubView(bad, 1).CopyToCPU(rc[1..]);
                throw CsrBuild.BadEntry(bad, rc[0], rc[1], rows, cols);
            }
            using var bucketPtr = AllocateUninitialized<int>(rows + 1);
            x.Narrow(Cfg(rows + 1L), rowStart.View, bucketPtr.View);
            using var sorted = AllocateUninitialized<int>(count);
            x.RankByKey(Cfg(count), bucketPtr.View, unsorted.View, cv, sorted.View, rows);
            using var heads = AllocateUninitialized<long>(count);
            x.MarkHeads(Cfg(count), sorted.View, rv, cv, heads.View);
            ScanInclusive(x, heads.View, count);
            x.Finish(Cfg(count), sorted.View, cv, heads.View, civ, ev);
            x.RowPtrFromHeads(Cfg(rows + 1L), rowStart.View, heads.View, rpv);
            Own(colInd, nameof(colInd)).Touch(); Own(rowPtr, nameof(rowPtr)).Touch(); Own(entryToSlot, nameof(entryToSlot)).Touch();
            return (int)ReadOne(heads.View, count - 1);
        }
    }
}
