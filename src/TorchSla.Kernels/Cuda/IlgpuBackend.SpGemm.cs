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
    private static TElement ReadOne<TElement>(ArrayView<TElement> view, long index) where TElement : unmanaged
    {
        Span<TElement> one = stackalloc TElement[1];
        view.SubView(index, 1).CopyToCPU(one);
        return one[0];
    }

    /// <summary>The default <see cref="SpGemmTableBudget"/>: 2²⁵ ints (128 MB).</summary>
    public const long DefaultSpGemmTableBudget = 1L << 25;

    /// <summary>
    /// Ints the symbolic SpGEMM's hash tables may hold at once (default <see cref="DefaultSpGemmTableBudget"/>, 128 MB); 0: no
    /// limit, one table per product. Products whose tables would be larger are built one chunk of rows at a time
    /// (<see cref="SymbolicChunked"/>): an AMG setup's R·(A·P) holds ~83 B of tables per fine row at once on 2D Poisson, so
    /// without the budget the tables alone set the device-memory peak. Measured on an H100 (2026-12-06, 2D Poisson 16M
    /// AMG-PCG): peak 322 → 268 B/DOF, whole solve 0.299 → 0.301 s; 3D Poisson 200³: 571 → 354 B/DOF, 0.224 → 0.242 s.
    /// </summary>
    public long SpGemmTableBudget { get; set; } = DefaultSpGemmTableBudget;

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
            if (SpGemmTableBudget > 0 && tableLength > SpGemmTableBudget)
                return SymbolicChunked(x, a, b, (IlgpuStorage<int>)rowPtr, flops.View, tableStart.View, totalFlops, tableLength);

            using var table = AllocateUninitialized<int>((int)tableLength);
            if (tableLength > 0) Raw<int>().Fill(Cfg(tableLength), table.View, (int)tableLength, -1);
            using var count = (IlgpuStorage<long>)Allocate<long>(m + 1);
            x.CountShortRows(Cfg(m), aRp, aCi, bRp, bCi, flops.View, count.View, m);
            if (tableLength > 0) x.Insert(Cfg(a.Nnz), aRp, aCi, bRp, bCi, tableStart.View, table.View, count.View, m);
            ScanInclusive(x, count.View.SubView(1, m), m);
            long nnz = ReadOne(count.View, m);
            if (nnz > Array.MaxLength) throw Gustavson.TooLarge(a, b);

            x.Narrow(Cfg(m + 1L), count.View, ((IlgpuStorage<int>)rowPtr).View);
            var colInd = AllocateUninitialized<int>((int)nnz);
            if (nnz > 0)
            {
                using var unsorted = AllocateUninitialized<int>((int)nnz);
                x.FillShortRows(Cfg(m), aRp, aCi, bRp, bCi, flops.View, ((IlgpuStorage<int>)rowPtr).View, unsorted.View, m);
                if (tableLength > 0) x.Compact(Cfg(m), tableStart.View, table.View, ((IlgpuStorage<int>)rowPtr).View, unsorted.View, m);
                x.Rank(Cfg(nnz), ((IlgpuStorage<int>)rowPtr).View, unsorted.View, colInd.View, m);
            }
            return new Plan(a, b, new CsrIndices(m, n, rowPtr, colInd), totalFlops, this);
        }
    }

    /// <summary>One chunk of rows [R0, R1) of the symbolic product: its tables' span [T0, T1) and its entries of A [P0, P1).</summary>
    private readonly record struct RowChunk(int R0, int R1, long T0, long T1, int P0, int P1);

    /// <summary>
    /// The row chunks whose tables fit the budget (<see cref="SpGemmKernels.ChunkBounds"/>), empty chunks dropped. Reads 3
    /// numbers per chunk back to the host.
    /// </summary>
    private List<RowChunk> TableChunks(IndexKernelSet x, ArrayView<long> tableStart, ArrayView<int> aRowPtr, int m, long tableLength)
    {
        long budget = SpGemmTableBudget;
        int chunks = (int)((tableLength + budget - 1) / budget);
        using var bounds = AllocateUninitialized<long>(chunks + 1);
        x.ChunkBounds(Cfg(chunks + 1L), tableStart, m, budget, bounds.View);
        var rows = new long[chunks + 1];
        bounds.View.CopyToCPU(rows);
        var list = new List<RowChunk>();
        for (int c = 0; c < chunks; c++)
        {
            int r0 = (int)rows[c], r1 = (int)rows[c + 1];
            if (r1 == r0) continue;
            list.Add(new RowChunk(r0, r1, ReadOne(tableStart, r0), ReadOne(tableStart, r1), ReadOne(aRowPtr, r0), ReadOne(aRowPtr, r1)));
        }
        return list;
    }

    /// <summary>
    /// The symbolic phase with tables of at most <see cref="SpGemmTableBudget"/> ints (plus one row) at a time: pass 1 inserts
    /// each chunk's keys and counts the new ones (short rows counted in local memory as in the one-table path); pass 2 writes
    /// the short rows' sorted columns straight to C, then per chunk inserts the keys again, packs them into a buffer of one
    /// chunk's entries and ranks them into C. Same pattern as the one-table path (test: ChunkedTablesGiveTheSamePlanAsOneTable).
    /// Caller holds <see cref="Sync"/>.
    /// </summary>
    private Plan SymbolicChunked(IndexKernelSet x, CsrIndices a, CsrIndices b, IlgpuStorage<int> rowPtr, ArrayView<long> flops,
        ArrayView<long> tableStart, long totalFlops, long tableLength)
    {
        var aRp = View(a.RowPtr, 0, a.Rows + 1L, "a.RowPtr");
        var aCi = View(a.ColInd, 0, a.Nnz, "a.ColInd");
        var bRp = View(b.RowPtr, 0, b.Rows + 1L, "b.RowPtr");
        var bCi = View(b.ColInd, 0, b.Nnz, "b.ColInd");
        int m = a.Rows, n = b.Cols;
        var chunks = TableChunks(x, tableStart, aRp, m, tableLength);
        long tableSize = chunks.Max(c => c.T1 - c.T0);
        using var table = AllocateUninitialized<int>((int)tableSize);
        var count = (IlgpuStorage<long>)Allocate<long>(m + 1);
        x.CountShortRows(Cfg(m), aRp, aCi, bRp, bCi, flops, count.View, m);
        foreach (var c in chunks) InsertChunk(x, c, aRp, aCi, bRp, bCi, tableStart, table.View, count.View, m, countNew: 1);
        ScanInclusive(x, count.View.SubView(1, m), m);
        long nnz = ReadOne(count.View, m);
        if (nnz > Array.MaxLength) { count.Dispose(); throw Gustavson.TooLarge(a, b); }
        x.Narrow(Cfg(m + 1L), count.View, rowPtr.View);
        count.Dispose();
        var colInd = AllocateUninitialized<int>((int)nnz);
        if (nnz > 0)
        {
            // Short rows: their sorted columns straight to C (the rank step leaves them alone).
            x.FillShortRows(Cfg(m), aRp, aCi, bRp, bCi, flops, rowPtr.View, colInd.View, m);
            var slots = chunks.Select(c => (S0: ReadOne(rowPtr.View, c.R0), S1: ReadOne(rowPtr.View, c.R1))).ToList();
            using var unsorted = AllocateUninitialized<int>(slots.Max(q => q.S1 - q.S0));
            for (int q = 0; q < chunks.Count; q++)
            {
                var c = chunks[q];
                var (s0, s1) = slots[q];
                if (s1 == s0) continue;
                // countNew 0: nothing is counted (count is freed; tableStart stands in for the unused argument).
                InsertChunk(x, c, aRp, aCi, bRp, bCi, tableStart, table.View, tableStart, m, countNew: 0);
                x.CompactRange(Cfg(c.R1 - c.R0), tableStart, table.View, rowPtr.View, unsorted.View, c.R0, c.R1, c.T0);
                x.RankHashed(Cfg(s1 - s0), rowPtr.View, tableStart, unsorted.View, colInd.View, m, s0, s1);
            }
        }
        return new Plan(a, b, new CsrIndices(m, n, rowPtr, colInd), totalFlops, this);
    }

    /// <summary>Clears a chunk's tables and inserts its rows' keys (counting the new ones into count when <paramref name="countNew"/> is 1).</summary>
    private void InsertChunk(IndexKernelSet x, RowChunk c, ArrayView<int> aRp, ArrayView<int> aCi, ArrayView<int> bRp, ArrayView<int> bCi,
        ArrayView<long> tableStart, ArrayView<int> table, ArrayView<long> count, int m, int countNew)
    {
        long size = c.T1 - c.T0;
        if (size == 0 || c.P1 == c.P0) return;
        Raw<int>().Fill(Cfg(size), table, (int)size, -1);
        x.InsertRange(Cfg(c.P1 - c.P0), aRp, aCi, bRp, bCi, tableStart, table, count, m, c.P0, c.P1, c.T0, countNew);
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
