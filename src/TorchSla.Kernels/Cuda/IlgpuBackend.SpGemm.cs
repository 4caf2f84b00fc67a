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

    /// <summary>
    /// Ints the symbolic SpGEMM's hash tables may hold at once (default 2²⁵ = 128 MB): larger tables are built one chunk of
    /// rows at a time. Tests lower it to force many chunks on tiny inputs.
    /// </summary>
    internal long SpGemmTableBudget { get; set; } = 1L << 25;

    /// <summary>One chunk of rows [R0, R1) of the symbolic product: its tables' span [T0, T1) and its entries of A [P0, P1).</summary>
    private readonly record struct RowChunk(int R0, int R1, long T0, long T1, int P0, int P1);

    /// <summary>
    /// The row chunks whose tables fit the budget (<see cref="SpGemmKernels.ChunkBounds"/>), empty chunks dropped; one chunk of
    /// every row when the whole table fits. Reads 3 numbers per chunk back to the host.
    /// </summary>
    private List<RowChunk> TableChunks(IndexKernelSet x, ArrayView<long> tableStart, ArrayView<int> aRowPtr, int m, int nnzA, long tableLength)
    {
        long budget = Math.Max(1, SpGemmTableBudget);
        if (tableLength <= budget) return [new RowChunk(0, m, 0, tableLength, 0, nnzA)];
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

    /// <inheritdoc/>
    /// <remarks>
    /// Hash SpGEMM on the device (<see cref="SpGemmKernels"/>): temporary tables of 2·min(f_i, N) ints per row
    /// (at most twice the scalar products), made for chunks of rows of at most <see cref="SpGemmTableBudget"/> ints
    /// (plus one row) at a time, so that the tables do not set the peak of device memory (an AMG setup's R·(A·P) would
    /// otherwise hold ~20 ints per fine row at once, more than the product itself). Chunked, the keys are inserted
    /// twice (to count, then to pack); one chunk inserts once. Values read back by the host: products, table size,
    /// nnz(C), and per chunk its bounds.
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
            var rowPtr = (IlgpuStorage<int>)Allocate<int>(m + 1);
            if (m == 0 || a.Nnz == 0 || b.Nnz == 0)
                return new Plan(a, b, new CsrIndices(m, n, rowPtr, Allocate<int>(0)), 0, this);
            using var flops = AllocateUninitialized<long>(m + 1);
            using var tableStart = AllocateUninitialized<long>(m + 1);
            x.RowWork(Cfg(m), aRp, aCi, bRp, flops.View, tableStart.View, m, n);
            ScanInclusive(x, flops.View.SubView(1, m), m);
            ScanInclusive(x, tableStart.View.SubView(1, m), m);
            long totalFlops = ReadOne(flops.View, m), tableLength = ReadOne(tableStart.View, m);
            if (totalFlops > Array.MaxLength || tableLength > Array.MaxLength) throw Gustavson.TooLarge(a, b);
            var chunks = TableChunks(x, tableStart.View, aRp, m, a.Nnz, tableLength);
            long tableSize = chunks.Count == 0 ? 0 : chunks.Max(c => c.T1 - c.T0);

            // Pass 1: distinct columns per row (short rows in local memory, hashed rows chunk by chunk).
            using var table = AllocateUninitialized<int>((int)tableSize);
            var count = (IlgpuStorage<long>)Allocate<long>(m + 1);
            x.CountShortRows(Cfg(m), aRp, aCi, bRp, bCi, flops.View, count.View, m);
            foreach (var c in chunks) InsertChunk(x, c, aRp, aCi, bRp, bCi, tableStart.View, table.View, count.View, m, countNew: 1);
            ScanInclusive(x, count.View.SubView(1, m), m);
            long nnz = ReadOne(count.View, m);
            if (nnz > Array.MaxLength) { count.Dispose(); throw Gustavson.TooLarge(a, b); }
            x.Narrow(Cfg(m + 1L), count.View, rowPtr.View);
            count.Dispose();

            // Pass 2: the columns, sorted: short rows straight to their place, hashed rows packed and ranked per chunk
            // (a single chunk still holds its keys; more chunks insert theirs again).
            var colInd = AllocateUninitialized<int>((int)nnz);
            if (nnz > 0)
            {
                x.FillShortRows(Cfg(m), aRp, aCi, bRp, bCi, flops.View, rowPtr.View, colInd.View, m);
                // No hashed row (every row short, e.g. the products of a fine level's 5- or 7-point rows): nothing to rank.
                if (tableSize == 0) return new Plan(a, b, new CsrIndices(m, n, rowPtr, colInd), totalFlops, this);
                var slots = chunks.Select(c => (S0: ReadOne(rowPtr.View, c.R0), S1: ReadOne(rowPtr.View, c.R1))).ToList();
                using var unsorted = AllocateUninitialized<int>(slots.Count == 0 ? 0 : slots.Max(q => q.S1 - q.S0));
                for (int q = 0; q < chunks.Count; q++)
                {
                    var c = chunks[q];
                    var (s0, s1) = slots[q];
                    if (s1 == s0) continue;
                    // countNew 0: nothing is counted (count is freed; tableStart stands in for the unused argument).
                    if (chunks.Count > 1) InsertChunk(x, c, aRp, aCi, bRp, bCi, tableStart.View, table.View, tableStart.View, m, countNew: 0);
                    x.Compact(Cfg(c.R1 - c.R0), tableStart.View, table.View, rowPtr.View, unsorted.View, c.R0, c.R1, c.T0);
                    x.RankHashed(Cfg(s1 - s0), rowPtr.View, tableStart.View, unsorted.View, colInd.View, m, s0, s1);
                }
            }
            return new Plan(a, b, new CsrIndices(m, n, rowPtr, colInd), totalFlops, this);
        }
    }

    /// <summary>Clears a chunk's tables and inserts its rows' keys (counting the new ones into count when <paramref name="countNew"/> is 1).</summary>
    private void InsertChunk(IndexKernelSet x, RowChunk c, ArrayView<int> aRp, ArrayView<int> aCi, ArrayView<int> bRp, ArrayView<int> bCi,
        ArrayView<long> tableStart, ArrayView<int> table, ArrayView<long> count, int m, int countNew)
    {
        long size = c.T1 - c.T0;
        if (size == 0 || c.P1 == c.P0) return;
        Raw<int>().Fill(Cfg(size), table, (int)size, -1);
        x.Insert(Cfg(c.P1 - c.P0), aRp, aCi, bRp, bCi, tableStart, table, count, m, c.P0, c.P1, c.T0, countNew);
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
