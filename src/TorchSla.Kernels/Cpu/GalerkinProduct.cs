using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// The Galerkin operator C = R·A·P (R = Pᵀ, A symmetric) of an AMG level without storing A·P: the rows of A·P that a run
/// of coarse rows needs are formed in a per-thread window, used, and dropped. Row I of C sums R_Ik·(A·P)_k over the
/// fine rows k of row I of R, so a run of consecutive coarse rows needs the rows k of A·P in the union of their rows of R;
/// with aggregates numbered in order of their fine rows these runs of fine rows overlap from one run of coarse rows to the
/// next, and a row of A·P already formed for the previous run is copied instead of formed again. Only the upper triangle
/// (J ≥ I) is summed, as in <see cref="Gustavson.SymmetricProduct{T}"/>, and the strictly lower triangle is its mirror
/// image, written straight into C (no transposed copy, no merge).
/// <para>Memory: the two-product form (A·P, then the upper triangle of R·(A·P), its transpose, the merged C) wrote 3–4×
/// nnz(C) entries besides C, A·P alone 15 MB at 3D Poisson 50³ (level 0) and ~120 MB at 100³, all fresh memory a first
/// setup faults in 4 KB pages at ~3 ms per MB on the benchmark VM (bench/RESULTS.md, AMG session 6). Here: C, the upper
/// triangle in per-block buffers, and per thread two windows of A·P rows, an accumulator of coarse width and two stamps per
/// fine row. A window must hold the rows of A·P between two uses of a row, about the span of a row of R in fine rows (two
/// to three planes of a 3D grid in natural order); where that is not small against n (coarse levels, orderings without
/// locality) the level takes the two products. Measured (TORCHSLA_AMG_PROFILE=1): level 0 of 3D Poisson 100³ allocates
/// 131 MB against 216 MB, of 50³ 18.7 MB against 26.4 MB; their level 1 takes the two products.</para>
/// <para>Bits: each row of A·P is summed in the order of <see cref="Gustavson.Product{T}"/> (A's columns ascending, the first
/// product assigned) and each upper entry of C in increasing k from the first column ≥ I of each sorted row of A·P, so C is
/// the two-product form's result bit for bit, and exactly symmetric.</para>
/// </summary>
internal static class GalerkinProduct
{
    /// <summary>The fewest fine rows a run forms before the next run starts.</summary>
    private const int MinRunRows = 256;

    /// <summary>R·A·P for R = Pᵀ and a symmetric A (P's and R's rows sorted), pattern and values.</summary>
    public static (int[] RowPtr, int[] ColInd, T[] Values) Multiply<T>(CsrIndices r, T[] rv, CsrIndices a, T[] av, CsrIndices p, T[] pv)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (r.Cols != a.Rows || a.Cols != p.Rows || r.Rows != p.Cols)
            throw new ShapeMismatchException($"a Galerkin product needs R [{p.Cols}, {p.Rows}], A [{p.Rows}, {p.Rows}] and P [{p.Rows}, {p.Cols}]; got R [{r.Rows}, {r.Cols}], A [{a.Rows}, {a.Cols}], P [{p.Rows}, {p.Cols}]", nameof(r));
        var m = new Operands<T>(CpuBackend.ArrayOf(r.RowPtr), CpuBackend.ArrayOf(r.ColInd), rv, CpuBackend.ArrayOf(a.RowPtr), CpuBackend.ArrayOf(a.ColInd), av,
            CpuBackend.ArrayOf(p.RowPtr), CpuBackend.ArrayOf(p.ColInd), pv);
        int nc = r.Rows, n = a.Rows;
        // Each block is a range of coarse rows whose first run forms its window of A·P from scratch (the rows it shares
        // with the previous block are formed twice): two blocks per thread balance the load at a few percent more products.
        int blocks = (long)r.Nnz * 8 < 1 << 15 ? 1 : Math.Min(CpuBackend.Threads * 2, Math.Max(1, nc));
        // A run ends once it has formed or copied as many rows of A·P as a row of R spans (largest minus smallest fine
        // row; the 90th percentile of a sample of rows, so that a few wide rows do not set it): a row of A·P is needed by the
        // few coarse rows whose rows of R hold it, which lie within about that distance of each other, so it is still in the
        // current or the previous window when they come (runs of a fixed third of a plane of 3D Poisson 100³ formed each row
        // of A·P several times). Windows start at 12 entries per row and grow by half when full.
        int span = SpanOfRows(m.RRp, m.RCi, nc);
        if (4L * CpuBackend.Threads * Math.Max(span, 64) > n)
        {
            // The windows would hold a good part of A·P anyway (coarse levels, orderings without locality): two products.
            var (apRp, apCi, apV) = Gustavson.Product(a, av, p, pv);
            return Gustavson.SymmetricProduct(r, rv, new CsrIndices(n, nc, new CpuStorage<int>(apRp), new CpuStorage<int>(apCi)), apV);
        }
        int runRows = (int)Math.Clamp(span, MinRunRows, Math.Max(MinRunRows, n));
        int capacity = (int)Math.Min(Array.MaxLength / 2, 12L * runRows);
        var upperCount = new int[nc];
        var outputs = new Output<T>[blocks];
        var workers = new ConcurrentBag<Window<T>>();
        ParallelBlocks.Run(blocks, blk =>
        {
            if (!workers.TryTake(out var w)) w = new Window<T>(n, nc, runRows, capacity);
            int i0 = ParallelBlocks.Start(nc, blocks, blk), i1 = ParallelBlocks.Start(nc, blocks, blk + 1);
            var output = new Output<T>(Math.Max(16, (int)Math.Min(Array.MaxLength, (long)(i1 - i0) * 16)));
            UpperRows(i0, i1, m, w, output, upperCount);
            outputs[blk] = output;
            workers.Add(w);
        });
        return Mirror(outputs, blocks, nc, upperCount, r, a);
    }

    /// <summary>The 90th percentile of (last − first fine row + 1) over every 16th nonempty row of R (rows sorted).</summary>
    private static int SpanOfRows(int[] rRp, int[] rCi, int nc)
    {
        var spans = new List<int>(nc / 16 + 1);
        for (int i = 0; i < nc; i += 16)
            if (rRp[i + 1] > rRp[i]) spans.Add(rCi[rRp[i + 1] - 1] - rCi[rRp[i]] + 1);
        if (spans.Count == 0) return 0;
        spans.Sort();
        return spans[(int)(0.9 * (spans.Count - 1))];
    }

    /// <summary>The arrays of R, A and P.</summary>
    private readonly record struct Operands<T>(int[] RRp, int[] RCi, T[] RV, int[] ARp, int[] ACi, T[] AV, int[] PRp, int[] PCi, T[] PV);

    /// <summary>
    /// One thread's state: the windows of A·P rows (the current run's and the previous one's), where each fine row's row of
    /// A·P sits in them (<see cref="Where"/>, valid when <see cref="When"/> is the current or previous run's stamp), and a
    /// dense accumulator over the coarse columns whose entries are claimed by a stamp per row formed.
    /// </summary>
    private sealed class Window<T> where T : unmanaged
    {
        public readonly int[] Where;
        public readonly int[] When;   // zero from the start: run stamps begin at 2, so that no row counts as formed
        public readonly Gustavson.Accumulator<T>[] Acc;
        public readonly int RunRows;
        public int Run = 1;
        public int RowStamp;
        public RowBuffer<T> Current, Previous;

        public Window(int n, int nc, int runRows, int capacity)
        {
            RunRows = runRows;
            Current = new RowBuffer<T>(capacity, runRows);
            Previous = new RowBuffer<T>(capacity, runRows);
            Where = GC.AllocateUninitializedArray<int>(n);
            When = new int[n];
            Acc = Gustavson.NewAccumulator<T>(nc);
        }
    }

    /// <summary>Rows of A·P, packed: row j spans [Start[j], Start[j + 1]) of Ci/V.</summary>
    private sealed class RowBuffer<T>(int capacity, int rows) where T : unmanaged
    {
        public int[] Start = GC.AllocateUninitializedArray<int>(rows + 1024);
        public int Rows;
        public int[] Ci = GC.AllocateUninitializedArray<int>(capacity);
        public T[] V = GC.AllocateUninitializedArray<T>(capacity);

        public int Used => Start[Rows];

        public void Clear() { Rows = 0; Start[0] = 0; }

        /// <summary>Room for one more row of up to <paramref name="entries"/> entries.</summary>
        public void Reserve(int entries)
        {
            if (Rows + 2 > Start.Length) Array.Resize(ref Start, Start.Length * 2);
            long need = (long)Used + entries;
            if (need > Ci.Length)
            {
                int size = (int)Math.Min(Array.MaxLength, Math.Max(need, Ci.Length + Ci.Length / 2L));
                Array.Resize(ref Ci, size);
                Array.Resize(ref V, size);
            }
        }
    }

    /// <summary>A block's upper rows, packed in row order (each row's length is in the shared upperCount).</summary>
    private sealed class Output<T>(int capacity) where T : unmanaged
    {
        public int[] Ci = GC.AllocateUninitializedArray<int>(capacity);
        public T[] V = GC.AllocateUninitializedArray<T>(capacity);
        public int Used;

        public void Reserve(long entries)
        {
            long need = Used + entries;
            if (need <= Ci.Length) return;
            if (need > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(entries), "a Galerkin product's block needs more than 2³¹ entries: too large for 32-bit indices");
            int size = (int)Math.Min(Array.MaxLength, Math.Max(need, 2L * Ci.Length));
            Array.Resize(ref Ci, size);
            Array.Resize(ref V, size);
        }
    }

    /// <summary>The upper rows of C for coarse rows [i0, i1), run by run.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UpperRows<T>(int i0, int i1, Operands<T> m, Window<T> w, Output<T> output, int[] upperCount)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int[] rRp = m.RRp, rCi = m.RCi, when = w.When, where = w.Where;
        int run = 0;
        for (int i = i0; i < i1; i++)
        {
            // A new run when the window is full (and at the block's first row): the current window becomes the previous one.
            if (i == i0 || w.Current.Rows >= w.RunRows)
            {
                run = ++w.Run;
                (w.Current, w.Previous) = (w.Previous, w.Current);
                w.Current.Clear();
            }
            var cur = w.Current;
            for (int q = rRp[i]; q < rRp[i + 1]; q++)
            {
                int k = rCi[q];
                int t = when[k];
                if (t == run) continue;
                if (t == run - 1) CopyRow(w.Previous, where[k], cur);
                else FormRow(k, m, w, cur);
                when[k] = run;
                where[k] = cur.Rows - 1;
            }
            upperCount[i] = UpperRow(i, m, w, cur, output);
        }
    }

    /// <summary>Row k of A·P appended to <paramref name="buffer"/>, sorted: Gustavson's row product (the first product assigned).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FormRow<T>(int k, Operands<T> m, Window<T> w, RowBuffer<T> buffer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int[] aRp = m.ARp, aCi = m.ACi, pRp = m.PRp, pCi = m.PCi;
        T[] av = m.AV, pv = m.PV;
        int bound = 0;
        for (int pa = aRp[k]; pa < aRp[k + 1]; pa++) bound += pRp[aCi[pa] + 1] - pRp[aCi[pa]];
        buffer.Reserve(bound);
        var acc = w.Acc;
        int stamp = w.RowStamp++;
        int[] ci = buffer.Ci;
        int c0 = buffer.Used, used = c0;
        for (int pa = aRp[k]; pa < aRp[k + 1]; pa++)
        {
            int j = aCi[pa];
            T x = av[pa];
            for (int pb = pRp[j]; pb < pRp[j + 1]; pb++) Add(acc, pCi[pb], stamp, x * pv[pb], ci, ref used);
        }
        SortAndGather(acc, ci, buffer.V, c0, used);
        buffer.Start[++buffer.Rows] = used;
    }

    /// <summary>Row <paramref name="row"/> of <paramref name="from"/> appended to <paramref name="to"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyRow<T>(RowBuffer<T> from, int row, RowBuffer<T> to) where T : unmanaged
    {
        int s0 = from.Start[row], len = from.Start[row + 1] - s0;
        to.Reserve(len);
        int at = to.Used;
        Array.Copy(from.Ci, s0, to.Ci, at, len);
        Array.Copy(from.V, s0, to.V, at, len);
        to.Start[++to.Rows] = at + len;
    }

    /// <summary>The entries (i, J ≥ i) of row i of C appended to the output, sorted; returns their count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int UpperRow<T>(int i, Operands<T> m, Window<T> w, RowBuffer<T> cur, Output<T> output) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int[] rRp = m.RRp, rCi = m.RCi, start = cur.Start, where = w.Where;
        T[] rv = m.RV;
        long bound = 0;
        for (int q = rRp[i]; q < rRp[i + 1]; q++) { int row = where[rCi[q]]; bound += start[row + 1] - start[row]; }
        output.Reserve(bound);
        int[] ci = cur.Ci, oc = output.Ci;
        T[] v = cur.V;
        var acc = w.Acc;
        int stamp = w.RowStamp++;
        int c0 = output.Used, used = c0;
        for (int q = rRp[i]; q < rRp[i + 1]; q++)
        {
            int row = where[rCi[q]];
            T x = rv[q];
            for (int s = Gustavson.FirstAtLeast(ci, start[row], start[row + 1], i); s < start[row + 1]; s++) Add(acc, ci[s], stamp, x * v[s], oc, ref used);
        }
        SortAndGather(acc, oc, output.V, c0, used);
        output.Used = used;
        return used - c0;
    }

    /// <summary>Adds a product to column <paramref name="col"/> of the row being summed (stamp): the first one is assigned and the column listed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add<T>(Gustavson.Accumulator<T>[] acc, int col, int stamp, T product, int[] ci, ref int used) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref var slot = ref acc[col];
        if (slot.Row != stamp) { slot.Row = stamp; slot.Sum = product; ci[used++] = col; }
        else slot.Sum += product;
    }

    /// <summary>Sorts the row's listed columns ci[c0..used) and gathers their sums into v.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SortAndGather<T>(Gustavson.Accumulator<T>[] acc, int[] ci, T[] v, int c0, int used) where T : unmanaged
    {
        Gustavson.SortRow(ci, c0, used);
        for (int s = c0; s < used; s++) v[s] = acc[ci[s]].Sum;
    }

    /// <summary>
    /// C from the upper rows: row J is its strictly lower part (the entries (I, J) of the upper rows I &lt; J, in increasing
    /// I) followed by its upper part. Parallel over ranges of destination rows; each range scans every upper entry and
    /// keeps its own, so no two threads write the same row.
    /// </summary>
    private static (int[] RowPtr, int[] ColInd, T[] Values) Mirror<T>(Output<T>[] outputs, int blocks, int nc, int[] upperCount, CsrIndices r, CsrIndices a)
        where T : unmanaged
    {
        var lower = new int[nc];
        long upperTotal = 0;
        foreach (var o in outputs) upperTotal += o.Used;
        int parts = upperTotal < 1 << 15 ? 1 : CpuBackend.Threads;
        ParallelBlocks.Run(parts, part => CountLower(outputs, blocks, nc, upperCount, lower,
            ParallelBlocks.Start(nc, parts, part), ParallelBlocks.Start(nc, parts, part + 1)));
        var rowPtr = new int[nc + 1];
        for (int i = 0; i < nc; i++)
        {
            long e = (long)rowPtr[i] + lower[i] + upperCount[i];
            if (e > Array.MaxLength) throw Gustavson.TooLarge(r, a);
            rowPtr[i + 1] = (int)e;
        }
        var colInd = GC.AllocateUninitializedArray<int>(rowPtr[nc]);
        var values = GC.AllocateUninitializedArray<T>(rowPtr[nc]);
        ParallelBlocks.Run(parts, part => FillRows(outputs, blocks, nc, upperCount, rowPtr, colInd, values,
            ParallelBlocks.Start(nc, parts, part), ParallelBlocks.Start(nc, parts, part + 1)));
        return (rowPtr, colInd, values);
    }

    /// <summary>lower[J] for J in [j0, j1): the upper entries (I &lt; J, J).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CountLower<T>(Output<T>[] outputs, int blocks, int nc, int[] upperCount, int[] lower, int j0, int j1) where T : unmanaged
    {
        for (int blk = 0; blk < blocks; blk++)
        {
            int[] oc = outputs[blk].Ci;
            int s = 0;
            for (int i = ParallelBlocks.Start(nc, blocks, blk), i1 = ParallelBlocks.Start(nc, blocks, blk + 1); i < i1; i++)
                for (int e = s + upperCount[i]; s < e; s++)
                {
                    int j = oc[s];
                    if (j > i && j >= j0 && j < j1) lower[j]++;
                }
        }
    }

    /// <summary>Rows [j0, j1) of C: the mirrored lower parts in increasing I, then the upper parts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillRows<T>(Output<T>[] outputs, int blocks, int nc, int[] upperCount, int[] rowPtr, int[] colInd, T[] values, int j0, int j1)
        where T : unmanaged
    {
        var cursor = new int[j1 - j0];
        for (int j = j0; j < j1; j++) cursor[j - j0] = rowPtr[j];
        for (int blk = 0; blk < blocks; blk++)
        {
            int[] oc = outputs[blk].Ci;
            T[] ov = outputs[blk].V;
            int s = 0;
            for (int i = ParallelBlocks.Start(nc, blocks, blk), i1 = ParallelBlocks.Start(nc, blocks, blk + 1); i < i1; i++)
            {
                int rowStart = s;
                for (int e = s + upperCount[i]; s < e; s++)
                {
                    int j = oc[s];
                    if (j > i && j >= j0 && j < j1) { int at = cursor[j - j0]++; colInd[at] = i; values[at] = ov[s]; }
                }
                if (i >= j0 && i < j1)
                {
                    int at = rowPtr[i + 1] - upperCount[i];
                    Array.Copy(oc, rowStart, colInd, at, upperCount[i]);
                    Array.Copy(ov, rowStart, values, at, upperCount[i]);
                }
            }
        }
    }
}
