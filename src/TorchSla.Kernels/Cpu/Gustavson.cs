using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// Gustavson's row-by-row sparse product (Gustavson 1978, "Two fast algorithms for sparse matrices:
/// multiplication and permuted transposition", ACM TOMS 4(3)), symbolic part, on the host: row i of
/// C is the union of the rows k of B for the columns k of row i of A, found with a dense marker of N
/// entries per block of rows (one marker per worker, no sharing). Pass 1 counts nnz(C) and products
/// per row; pass 2 fills and sorts each row's columns. The numeric product accumulates each row in a dense
/// array on that pattern (<see cref="Numeric{T}"/>); the expansion matrix of <see cref="CpuSpGemmPlan"/>, which
/// only the product's gradient uses, is built on first use (<see cref="Expansion"/>).
/// </summary>
internal static class Gustavson
{
    public static CpuSpGemmPlan Symbolic(CsrIndices a, CsrIndices b)
    {
        if (a.Cols != b.Rows)
            throw new ShapeMismatchException($"patterns of shapes [{a.Rows}, {a.Cols}] and [{b.Rows}, {b.Cols}] cannot be multiplied", nameof(b));
        int[] aRp = CpuBackend.ArrayOf(a.RowPtr), aCi = CpuBackend.ArrayOf(a.ColInd);
        int[] bRp = CpuBackend.ArrayOf(b.RowPtr), bCi = CpuBackend.ArrayOf(b.ColInd);
        int m = a.Rows, n = b.Cols;
        var nnzRow = new int[m];
        var flopsRow = new long[m];
        // Below ~32k scalar steps a fork/join costs more than it saves.
        int blocks = (long)a.Nnz * 4 < 1 << 15 ? 1 : Math.Min(CpuBackend.Threads * 4, Math.Max(1, m));
        Parallel.For(0, blocks, blk =>
        {
            var marker = new int[n];
            Array.Fill(marker, -1);
            int r0 = (int)((long)m * blk / blocks), r1 = (int)((long)m * (blk + 1) / blocks);
            for (int i = r0; i < r1; i++)
            {
                int cnt = 0; long fl = 0;
                for (int pa = aRp[i]; pa < aRp[i + 1]; pa++)
                {
                    int k = aCi[pa];
                    fl += bRp[k + 1] - bRp[k];
                    for (int pb = bRp[k]; pb < bRp[k + 1]; pb++)
                    {
                        int j = bCi[pb];
                        if (marker[j] != i) { marker[j] = i; cnt++; }
                    }
                }
                nnzRow[i] = cnt; flopsRow[i] = fl;
            }
        });
        var rowPtr = new int[m + 1];
        var flopsStart = new long[m + 1];
        for (int i = 0; i < m; i++)
        {
            long r = (long)rowPtr[i] + nnzRow[i];
            flopsStart[i + 1] = flopsStart[i] + flopsRow[i];
            if (r > Array.MaxLength || flopsStart[i + 1] > Array.MaxLength)
                throw TooLarge(a, b);
            rowPtr[i + 1] = (int)r;
        }
        int nnzC = rowPtr[m];
        var colInd = new int[nnzC];
        Parallel.For(0, blocks, blk =>
        {
            var pos = new int[n];
            Array.Fill(pos, -1);
            int r0 = (int)((long)m * blk / blocks), r1 = (int)((long)m * (blk + 1) / blocks);
            for (int i = r0; i < r1; i++)
            {
                int c0 = rowPtr[i], cnt = c0;
                for (int pa = aRp[i]; pa < aRp[i + 1]; pa++)
                {
                    int k = aCi[pa];
                    for (int pb = bRp[k]; pb < bRp[k + 1]; pb++)
                    {
                        int j = bCi[pb];
                        if (pos[j] < c0) { pos[j] = c0; colInd[cnt++] = j; } // pos < c0: not yet seen in this row
                    }
                }
                SortRow(colInd, c0, rowPtr[i + 1]);
            }
        });
        var c = new CsrIndices(m, n, new CpuStorage<int>(rowPtr), new CpuStorage<int>(colInd));
        return new CpuSpGemmPlan(a, b, c, flopsStart[m]);
    }

    /// <summary>
    /// The expansion matrix E of a plan and its map to A's slots (see <see cref="CpuSpGemmPlan"/>), built on
    /// first use (the product's gradient needs it; the forward numeric does not): per row of C, products per
    /// slot, offsets, then one entry per product. A's columns k ascend, so each row of E comes out sorted.
    /// </summary>
    internal static (CsrIndices Expansion, int[] Map) Expansion(CpuSpGemmPlan plan)
    {
        CsrIndices a = plan.Left, b = plan.Right, c = plan.Product;
        int[] aRp = CpuBackend.ArrayOf(a.RowPtr), aCi = CpuBackend.ArrayOf(a.ColInd);
        int[] bRp = CpuBackend.ArrayOf(b.RowPtr), bCi = CpuBackend.ArrayOf(b.ColInd);
        int[] rowPtr = CpuBackend.ArrayOf(c.RowPtr), colInd = CpuBackend.ArrayOf(c.ColInd);
        int m = a.Rows, n = b.Cols, nnzC = c.Nnz;
        var flopsStart = new long[m + 1];
        for (int i = 0; i < m; i++)
        {
            long fl = 0;
            for (int pa = aRp[i]; pa < aRp[i + 1]; pa++) fl += bRp[aCi[pa] + 1] - bRp[aCi[pa]];
            flopsStart[i + 1] = flopsStart[i] + fl;
        }
        var ePtr = new int[nnzC + 1];
        var eCol = new int[flopsStart[m]];
        var eMap = new int[flopsStart[m]];
        int blocks = (long)a.Nnz * 4 < 1 << 15 ? 1 : Math.Min(CpuBackend.Threads * 4, Math.Max(1, m));
        Parallel.For(0, blocks, blk =>
        {
            var pos = new int[n];
            int r0 = (int)((long)m * blk / blocks), r1 = (int)((long)m * (blk + 1) / blocks);
            for (int i = r0; i < r1; i++)
            {
                int c0 = rowPtr[i], c1 = rowPtr[i + 1];
                for (int s = c0; s < c1; s++) { pos[colInd[s]] = s; ePtr[s + 1] = 0; }
                // Products per slot of C, then offsets inside this row's range of E.
                for (int pa = aRp[i]; pa < aRp[i + 1]; pa++)
                {
                    int k = aCi[pa];
                    for (int pb = bRp[k]; pb < bRp[k + 1]; pb++) ePtr[pos[bCi[pb]] + 1]++;
                }
                int start = (int)flopsStart[i];
                for (int s = c0; s < c1; s++) { int cnt = ePtr[s + 1]; ePtr[s + 1] = start; start += cnt; }
                // ePtr[s + 1] is now the cursor of slot s; after filling it is the end of slot s,
                // which is what the CSR row pointer of E needs.
                for (int pa = aRp[i]; pa < aRp[i + 1]; pa++)
                {
                    int k = aCi[pa];
                    for (int pb = bRp[k]; pb < bRp[k + 1]; pb++)
                    {
                        int q = ePtr[pos[bCi[pb]] + 1]++;
                        eCol[q] = pb; eMap[q] = pa;
                    }
                }
            }
        });
        return (new CsrIndices(nnzC, b.Nnz, new CpuStorage<int>(ePtr), new CpuStorage<int>(eCol)), eMap);
    }

    /// <summary>
    /// C.values on the plan's pattern, row by row: the products of row i accumulate in a dense array indexed by
    /// column (in increasing k, the order of the expansion's rows), then C's slots gather them and clear them.
    /// Parallel over row blocks; one accumulator per block.
    /// </summary>
    internal static void Numeric<T>(CpuSpGemmPlan plan, T[] av, int aOffset, T[] bv, int bOffset, T[] cv, int cOffset)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CsrIndices a = plan.Left, b = plan.Right, c = plan.Product;
        int[] aRp = CpuBackend.ArrayOf(a.RowPtr), aCi = CpuBackend.ArrayOf(a.ColInd);
        int[] bRp = CpuBackend.ArrayOf(b.RowPtr), bCi = CpuBackend.ArrayOf(b.ColInd);
        int[] cRp = CpuBackend.ArrayOf(c.RowPtr), cCi = CpuBackend.ArrayOf(c.ColInd);
        int m = a.Rows, n = b.Cols;
        int blocks = plan.Flops < 1 << 15 ? 1 : ParallelBlocks.CountFor(plan.Flops, 1 << 16);
        ParallelBlocks.Run(blocks, blk =>
        {
            var acc = new T[n];
            NumericRows(ParallelBlocks.Start(m, blocks, blk), ParallelBlocks.Start(m, blocks, blk + 1),
                aRp, aCi, av, aOffset, bRp, bCi, bv, bOffset, cRp, cCi, cv, cOffset, acc);
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NumericRows<T>(int r0, int r1, int[] aRp, int[] aCi, T[] av, int aOffset, int[] bRp, int[] bCi, T[] bv, int bOffset,
        int[] cRp, int[] cCi, T[] cv, int cOffset, T[] acc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = r0; i < r1; i++)
        {
            for (int pa = aRp[i]; pa < aRp[i + 1]; pa++)
            {
                int k = aCi[pa];
                T x = av[aOffset + pa];
                for (int pb = bRp[k]; pb < bRp[k + 1]; pb++) acc[bCi[pb]] += x * bv[bOffset + pb];
            }
            for (int s = cRp[i]; s < cRp[i + 1]; s++)
            {
                int j = cCi[s];
                cv[cOffset + s] = acc[j];
                acc[j] = T.Zero;
            }
        }
    }

    /// <summary>
    /// C = A·B, pattern and values, for a product used once (no plan kept, e.g. the products of an AMG setup): a count sweep
    /// (distinct columns per row, a marker only), then one sweep that lists each row's columns straight into C, sums its
    /// products in a dense accumulator, sorts the row and gathers the sums. Symbolic + numeric walk the products three times
    /// (count, fill + sort, sum) and keep a plan; this walks them twice and allocates only C (an earlier one-sweep version
    /// with per-block buffers was slower inside a whole setup: twice the memory, more collections). The sums are
    /// <see cref="Numeric{T}"/>'s bit for bit: each slot's products are added in increasing k, the first one assigned.
    /// </summary>
    internal static (int[] RowPtr, int[] ColInd, T[] Values) Product<T>(CsrIndices a, T[] av, CsrIndices b, T[] bv)
        where T : unmanaged, IFloatingPointIeee754<T> => Product(HostCsr.Of(a), av, default(Unscaled<T>), HostCsr.Of(b), bv);

    /// <summary>
    /// (diag(left)·A + shift·I)·B, pattern and values, without forming the left factor's values (A must store its diagonal,
    /// as the Jacobi iteration matrix I − ωD⁻¹A of prolongator smoothing needs: left = −ω/d, shift 1). Each left entry is
    /// computed as <see cref="CpuBackend.AmgScale{T}"/> computes it, so the result is the bits of AmgScale then
    /// <see cref="Product{T}"/>, without the nnz(A) values of the scaled copy (56 MB of fresh memory at 3D Poisson 100³).
    /// </summary>
    internal static (int[] RowPtr, int[] ColInd, T[] Values) ScaledProduct<T>(CsrIndices a, T[] av, T[] left, T shift, CsrIndices b, T[] bv)
        where T : unmanaged, IFloatingPointIeee754<T> => Product(HostCsr.Of(a), av, new RowScaled<T>(left, shift), HostCsr.Of(b), bv);

    /// <summary>A host CSR matrix's shape and index arrays (whose storages may be longer than its entries: a temporary in
    /// rented arrays, <see cref="HostArrays.Rent{T}"/>).</summary>
    private readonly record struct HostCsr(int Rows, int Cols, int[] RowPtr, int[] ColInd)
    {
        public static HostCsr Of(CsrIndices c) => new(c.Rows, c.Cols, CpuBackend.ArrayOf(c.RowPtr), CpuBackend.ArrayOf(c.ColInd));
        public int Nnz => RowPtr[Rows];
    }

    /// <summary>The product's sweeps; with <paramref name="upper"/> only the entries (i, j ≥ i) of C (B's rows must be sorted);
    /// with <paramref name="rent"/> C's column and value arrays are rented (<see cref="HostArrays.Rent{T}"/>: maybe longer than
    /// nnz(C)), for a temporary the caller hands back.</summary>
    private static (int[] RowPtr, int[] ColInd, T[] Values) Product<T, TScale>(HostCsr a, T[] av, TScale scale, HostCsr b, T[] bv, bool upper = false, bool rent = false)
        where T : unmanaged, IFloatingPointIeee754<T> where TScale : struct, ILeftEntry<T>
    {
        if (a.Cols != b.Rows)
            throw new ShapeMismatchException($"patterns of shapes [{a.Rows}, {a.Cols}] and [{b.Rows}, {b.Cols}] cannot be multiplied", nameof(b));
        int[] aRp = a.RowPtr, aCi = a.ColInd;
        int[] bRp = b.RowPtr, bCi = b.ColInd;
        int m = a.Rows, n = b.Cols;
        var rowPtr = new int[m + 1];
        int blocks = (long)a.Nnz * 4 < 1 << 15 ? 1 : Math.Min(CpuBackend.Threads * 4, Math.Max(1, m));
        // Markers and accumulators (n entries each) are handed from block to block: one per thread at work, not one per
        // block (3D Poisson 100³, level 0: 8 blocks × 121K columns × 16 B would be 16 MB of fresh memory per product).
        // A block's rows are disjoint from every other block's, so a marker left by one never matches in the next.
        var markers = new ConcurrentBag<int[]>();
        ParallelBlocks.Run(blocks, blk =>
        {
            if (!markers.TryTake(out var marker)) { marker = GC.AllocateUninitializedArray<int>(n); Array.Fill(marker, -1); }
            CountRows(ParallelBlocks.Start(m, blocks, blk), ParallelBlocks.Start(m, blocks, blk + 1), aRp, aCi, bRp, bCi, marker, rowPtr, upper);
            markers.Add(marker);
        });
        Offsets(rowPtr, m, a, b);
        // Every entry is written by the fill sweep.
        var colInd = rent ? HostArrays.Rent<int>(rowPtr[m]) : GC.AllocateUninitializedArray<int>(rowPtr[m]);
        var values = rent ? HostArrays.Rent<T>(rowPtr[m]) : GC.AllocateUninitializedArray<T>(rowPtr[m]);
        var accumulators = new ConcurrentBag<Accumulator<T>[]>();
        ParallelBlocks.Run(blocks, blk =>
        {
            if (!accumulators.TryTake(out var acc)) acc = NewAccumulator<T>(n);
            ProductRows(ParallelBlocks.Start(m, blocks, blk), ParallelBlocks.Start(m, blocks, blk + 1), aRp, aCi, av, scale, bRp, bCi, bv,
                acc, rowPtr, colInd, values, upper);
            accumulators.Add(acc);
        });
        return (rowPtr, colInd, values);
    }

    /// <summary>rowPtr[i + 1] ← the number of distinct columns of row i of A·B, for rows [r0, r1) (marker: no entry equal to a row of the range).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CountRows(int r0, int r1, int[] aRp, int[] aCi, int[] bRp, int[] bCi, int[] marker, int[] rowPtr, bool upper)
    {
        for (int i = r0; i < r1; i++)
        {
            int cnt = 0;
            for (int pa = aRp[i]; pa < aRp[i + 1]; pa++)
            {
                int k = aCi[pa];
                for (int pb = upper ? FirstAtLeast(bCi, bRp[k], bRp[k + 1], i) : bRp[k]; pb < bRp[k + 1]; pb++)
                {
                    // Branch-free: whether a column is new in the row is data-dependent and mispredicts often (3D Poisson 50³,
                    // level 1's A·P: 9.6 → 8.5 ms; the same trick in the product sweep, with every product added to a
                    // cleared sum, made level 0 slower and was not kept).
                    int j = bCi[pb];
                    cnt += marker[j] != i ? 1 : 0;
                    marker[j] = i;
                }
            }
            rowPtr[i + 1] = cnt;
        }
    }

    /// <summary>Per-row counts in rowPtr[1..m] to offsets, checking that they fit 32-bit indices.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Offsets(int[] rowPtr, int m, HostCsr a, HostCsr b)
    {
        for (int i = 0; i < m; i++)
        {
            long r = (long)rowPtr[i] + rowPtr[i + 1];
            if (r > Array.MaxLength) throw TooLarge(a, b);
            rowPtr[i + 1] = (int)r;
        }
    }

    /// <summary>A dense accumulator of n columns, every entry marked unused (the sums are assigned before they are read).
    /// Compiled optimized at once: its loop would otherwise run as tier-0 code in a process's first large setup.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Accumulator<T>[] NewAccumulator<T>(int n) where T : unmanaged
    {
        var acc = GC.AllocateUninitializedArray<Accumulator<T>>(n);
        for (int j = 0; j < n; j++) acc[j].Row = -1;
        return acc;
    }

    /// <summary>Rows [r0, r1) of <see cref="Product{T}"/>: columns into C's slots of the row, sorted, then the sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ProductRows<T, TScale>(int r0, int r1, int[] aRp, int[] aCi, T[] av, TScale scale, int[] bRp, int[] bCi, T[] bv,
        Accumulator<T>[] acc, int[] rowPtr, int[] colInd, T[] values, bool upper) where T : unmanaged, IFloatingPointIeee754<T> where TScale : struct, ILeftEntry<T>
    {
        for (int i = r0; i < r1; i++)
        {
            int c0 = rowPtr[i], used = c0;
            for (int pa = aRp[i]; pa < aRp[i + 1]; pa++)
            {
                int k = aCi[pa];
                T x = scale.Entry(i, k, av[pa]);
                for (int pb = upper ? FirstAtLeast(bCi, bRp[k], bRp[k + 1], i) : bRp[k]; pb < bRp[k + 1]; pb++)
                {
                    int j = bCi[pb];
                    ref var slot = ref acc[j];
                    if (slot.Row != i) { slot.Row = i; slot.Sum = x * bv[pb]; colInd[used++] = j; }
                    else slot.Sum += x * bv[pb];
                }
            }
            SortRow(colInd, c0, used);
            for (int s = c0; s < used; s++) values[s] = acc[colInd[s]].Sum;
        }
    }

    /// <summary>The first slot in [from, to) of an ascending run whose column is ≥ <paramref name="column"/> (binary search).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FirstAtLeast(int[] ci, int from, int to, int column)
    {
        while (from < to)
        {
            int mid = (from + to) >>> 1;
            if (ci[mid] < column) from = mid + 1; else to = mid;
        }
        return from;
    }

    /// <summary>
    /// A·B for a product known to be symmetric (the Galerkin operator Pᵀ·(A·P) of a symmetric A; B's rows sorted): the
    /// sweeps form only the upper triangle (j ≥ i: each row of B is entered at its first column ≥ i, so about half the
    /// scalar products are skipped), and the strictly lower triangle is its mirror image (a transpose of the upper part,
    /// then each row is its mirrored part followed by its upper part). The upper entries are <see cref="Product{T}"/>'s
    /// bits; a lower entry (j, i) is the upper entry (i, j), so the result is exactly symmetric, where the full product
    /// differs from its transpose by rounding.
    /// </summary>
    internal static (int[] RowPtr, int[] ColInd, T[] Values) SymmetricProduct<T>(CsrIndices a, T[] av, CsrIndices b, T[] bv)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Rows != b.Cols)
            throw new ShapeMismatchException($"a symmetric product must be square; [{a.Rows}, {a.Cols}] times [{b.Rows}, {b.Cols}] is not", nameof(b));
        return Symmetric(HostCsr.Of(a), av, HostCsr.Of(b), bv);
    }

    /// <summary>The upper triangle of A·B in rented arrays, then its mirror in arrays of its own (the triangle is handed back).</summary>
    private static (int[] RowPtr, int[] ColInd, T[] Values) Symmetric<T>(HostCsr a, T[] av, HostCsr b, T[] bv) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (urp, uci, uv) = Product(a, av, default(Unscaled<T>), b, bv, upper: true, rent: true);
        var c = Mirrored(urp, uci, uv, a.Rows, a, b);
        HostArrays.Return(uci);
        HostArrays.Return(uv);
        return c;
    }

    /// <summary>
    /// The Galerkin operator R·(A·P) of a symmetric A with R = Pᵀ: <see cref="SymmetricProduct{T}"/> of R and A·P, with A·P —
    /// the setup's largest temporary — in rented arrays handed back at once (<see cref="HostArrays"/>), so that the next
    /// level's products, and the next setup's, take memory that is already faulted in (3D Poisson 50³: level 0's A·P is
    /// 13 MB; level 1's products then rent it instead of faulting in 4 MB afresh).
    /// </summary>
    internal static (int[] RowPtr, int[] ColInd, T[] Values) Galerkin<T>(CsrIndices r, T[] rv, CsrIndices a, T[] av, CsrIndices p, T[] pv)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (r.Rows != p.Cols)
            throw new ShapeMismatchException($"a Galerkin product needs R [m, n], A [n, n], P [n, m]; got [{r.Rows}, {r.Cols}], [{a.Rows}, {a.Cols}], [{p.Rows}, {p.Cols}]", nameof(p));
        var (aprp, apci, apv) = Product(HostCsr.Of(a), av, default(Unscaled<T>), HostCsr.Of(p), pv, rent: true);
        var c = Symmetric(HostCsr.Of(r), rv, new HostCsr(a.Rows, p.Cols, aprp, apci), apv);
        HostArrays.Return(apci);
        HostArrays.Return(apv);
        return c;
    }

    /// <summary>
    /// The symmetric matrix whose upper triangle (rows sorted) is (urp, uci, uv), written straight into its arrays: row j is its
    /// strictly lower part — the entries (i, j) of the triangle's rows i &lt; j, in increasing i — then the triangle's row j. A
    /// counting sort like <see cref="CsrBuild.TransposeWithValues{T}"/>'s (per block of rows, the count of each column, then
    /// each block's cursor in each row), without the transposed triangle as a separate matrix (2.8 MB of fresh memory fewer
    /// at 3D Poisson 50³'s first Galerkin product). a and b name the factors in an overflow error.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int[] RowPtr, int[] ColInd, T[] Values) Mirrored<T>(int[] urp, int[] uci, T[] uv, int m, HostCsr a, HostCsr b)
    {
        int blocks = CsrBuild.CursorBlocks(urp[m], m);
        var cursor = new int[(long)blocks * m];
        ParallelBlocks.Run(blocks, blk => CsrBuild.CountColumns(urp, uci, ParallelBlocks.Start(m, blocks, blk), ParallelBlocks.Start(m, blocks, blk + 1),
            cursor.AsSpan(blk * m, m), skipDiagonal: true));
        var rowPtr = new int[m + 1];
        if (CsrBuild.ColumnOffsets(cursor, blocks, m, rowPtr, trailing: urp) > Array.MaxLength) throw TooLarge(a, b);
        var colInd = GC.AllocateUninitializedArray<int>(rowPtr[m]); // every slot is written: the lower parts by the scatter, the upper by the copy
        var values = GC.AllocateUninitializedArray<T>(rowPtr[m]);
        ParallelBlocks.Run(blocks, blk => MirrorRows(ParallelBlocks.Start(m, blocks, blk), ParallelBlocks.Start(m, blocks, blk + 1),
            urp, uci, uv, rowPtr, cursor, blk * m, colInd, values));
        return (rowPtr, colInd, values);
    }

    /// <summary>Rows [r0, r1) of the triangle: each row copied to the end of its full row, each strictly upper entry (i, j)
    /// written as (j, i) at this block's cursor in row j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MirrorRows<T>(int r0, int r1, int[] urp, int[] uci, T[] uv, int[] rowPtr, int[] cursor, int offset, int[] colInd, T[] values)
    {
        for (int i = r0; i < r1; i++)
        {
            int u0 = urp[i], upper = urp[i + 1] - u0, to = rowPtr[i + 1] - upper;
            Array.Copy(uci, u0, colInd, to, upper);
            Array.Copy(uv, u0, values, to, upper);
            for (int q = u0; q < u0 + upper; q++)
            {
                int j = uci[q];
                if (j == i) continue;
                int slot = cursor[offset + j]++;
                colInd[slot] = i;
                values[slot] = uv[q];
            }
        }
    }

    /// <summary>The left factor's entry (i, k) from A's stored value: A itself, or a row-scaled and shifted A (a struct, so that the product loop is compiled once per kind).</summary>
    private interface ILeftEntry<T> where T : unmanaged
    {
        T Entry(int i, int k, T value);
    }

    private readonly struct Unscaled<T> : ILeftEntry<T> where T : unmanaged
    {
        public T Entry(int i, int k, T value) => value;
    }

    /// <summary>left[i]·a_ik + (i = k ? shift : 0), in <see cref="CpuBackend.AmgScale{T}"/>'s order of operations.</summary>
    private readonly struct RowScaled<T>(T[] left, T shift) : ILeftEntry<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T Entry(int i, int k, T value)
        {
            T x = left[i] * value;
            return k == i ? x + shift : x;
        }
    }

    /// <summary>A column's entry of the dense accumulator: the row that last touched it, and that row's sum.</summary>
    private struct Accumulator<T> where T : unmanaged
    {
        public int Row;
        public T Sum;
    }

    /// <summary>The error for a product whose pattern or scalar products overflow 32-bit indices (shared by every backend).</summary>
    private static ArgumentOutOfRangeException TooLarge(HostCsr a, HostCsr b) =>
        new(nameof(b), $"the product of [{a.Rows}, {a.Cols}] (nnz {a.Nnz}) and [{b.Rows}, {b.Cols}] (nnz {b.Nnz}) needs more than {Array.MaxLength:N0} entries or scalar products: too large for 32-bit indices");

    internal static ArgumentOutOfRangeException TooLarge(CsrIndices a, CsrIndices b) =>
        new(nameof(b), $"the product of [{a.Rows}, {a.Cols}] (nnz {a.Nnz}) and [{b.Rows}, {b.Cols}] (nnz {b.Nnz}) needs more than {Array.MaxLength:N0} entries or scalar products: too large for 32-bit indices");

    /// <summary>Sorts a[from..to): insertion sort for the short rows of typical products (no call overhead), introsort beyond.
    /// Called once per row of every product: compiled optimized at once, so that a first setup in a process does not run it
    /// as tier-0 code (instrumented and unoptimized) until the tiered JIT gets to it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SortRow(int[] a, int from, int to)
    {
        if (to - from > 32) { Array.Sort(a, from, to - from); return; }
        for (int i = from + 1; i < to; i++)
        {
            int v = a[i], j = i - 1;
            while (j >= from && a[j] > v) { a[j + 1] = a[j]; j--; }
            a[j + 1] = v;
        }
    }
}
