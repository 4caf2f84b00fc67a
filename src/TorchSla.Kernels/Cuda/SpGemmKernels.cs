using System.Numerics;
using ILGPU;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// Row-wise hash SpGEMM C = A·B (Nagasaka, Nukada &amp; Matsuoka 2017, "High-performance and
/// memory-saving sparse general matrix-matrix multiplication for NVIDIA Pascal GPU", ICPP), symbolic
/// phase with one open-addressing hash table per row of C in global memory, and a numeric phase that
/// needs no table at all:
/// <list type="number">
/// <item><see cref="RowWork"/>: products per row f_i = Σ_k nnz(B_k) and table sizes 2·min(f_i, N) (load ≤ ½).
/// Rows with at most <see cref="ShortRow"/> products skip the table: one thread sorts their columns in local memory
/// (<see cref="CountShortRows"/>, <see cref="FillShortRows"/>), the paper's treatment of short rows without shared memory.</item>
/// <item><see cref="Insert"/>: one thread per entry a_ik inserts the columns of B's row k into row i's table
/// (linear probing, compare-and-swap) and counts each new column once (integer atomics: exact).</item>
/// <item><see cref="Compact"/> and <see cref="Rank"/>: each row's keys are packed, then each key is written at
/// its rank among the row's keys, so columns come out sorted whatever order the races left in the table.</item>
/// <item>Under a memory budget (<c>IlgpuBackend.SpGemmTableBudget</c>, 128 MB by default): tables larger than it are made for one chunk of
/// consecutive rows at a time (<see cref="ChunkBounds"/>, the paper's row grouping used as a memory bound): a first sweep of
/// the chunks counts (<see cref="InsertRange"/>), a second inserts again, packs and ranks (<see cref="CompactRange"/>,
/// <see cref="RankHashed"/>), so that the tables never hold more than about one chunk's worth of ints.</item>
/// <item><see cref="Numeric{T}"/>: one thread per slot (i, j) of C sums a_ik·b_kj over row i of A in increasing k,
/// finding b_kj by binary search in B's sorted row k — a fixed order, so the same bits on every run,
/// and no floating-point atomics.</item>
/// </list>
/// </summary>
internal static class SpGemmKernels
{
    /// <summary>The row r of slot s: rowPtr[r] ≤ s &lt; rowPtr[r + 1] (binary search over the rows + 1 offsets).</summary>
    public static int RowOf(ArrayView<int> rowPtr, int rows, int s)
    {
        int lo = 0, hi = rows;
        while (hi - lo > 1)
        {
            int mid = (lo + hi) >> 1;
            if (rowPtr[mid] <= s) lo = mid;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>Rows with at most this many scalar products are sorted in the thread's local memory instead of hashed.</summary>
    public const int ShortRow = 32;

    /// <summary>
    /// flops[i + 1] = f_i and tableSize[i + 1] = 2·min(f_i, n) for row i of A (0 for a short row, which needs no
    /// table); element 0 of both is 0 (for the scans).
    /// </summary>
    public static void RowWork(ArrayView<int> aRowPtr, ArrayView<int> aColInd, ArrayView<int> bRowPtr,
        ArrayView<long> flops, ArrayView<long> tableSize, int m, int n)
    {
        int i = Grid.GlobalIndex.X;
        if (i >= m) return;
        if (i == 0) { flops[0] = 0; tableSize[0] = 0; }
        long f = 0;
        for (int p = aRowPtr[i]; p < aRowPtr[i + 1]; p++)
        {
            int k = aColInd[p];
            f += bRowPtr[k + 1] - bRowPtr[k];
        }
        flops[i + 1] = f;
        tableSize[i + 1] = f <= ShortRow ? 0 : 2 * (f < n ? f : n);
    }

    /// <summary>
    /// A short row's distinct columns, sorted, in buffer[0 … return value): its products' columns gathered
    /// into the thread's local memory, insertion-sorted and deduplicated (no table, no atomics).
    /// </summary>
    private static int SortedColumns(ArrayView<int> aRowPtr, ArrayView<int> aColInd, ArrayView<int> bRowPtr, ArrayView<int> bColInd,
        int i, ArrayView<int> buffer)
    {
        int len = 0;
        for (int pa = aRowPtr[i]; pa < aRowPtr[i + 1]; pa++)
        {
            int k = aColInd[pa];
            for (int pb = bRowPtr[k]; pb < bRowPtr[k + 1]; pb++)
            {
                int j = bColInd[pb], q = len++;
                while (q > 0 && buffer[q - 1] > j) { buffer[q] = buffer[q - 1]; q--; }
                buffer[q] = j;
            }
        }
        int u = 0;
        for (int q = 0; q < len; q++)
            if (u == 0 || buffer[q] != buffer[u - 1]) buffer[u++] = buffer[q];
        return u;
    }

    /// <summary>Thread per short row (1 ≤ f_i ≤ <see cref="ShortRow"/>): count[i + 1] = its number of distinct columns.</summary>
    public static void CountShortRows(ArrayView<int> aRowPtr, ArrayView<int> aColInd, ArrayView<int> bRowPtr, ArrayView<int> bColInd,
        ArrayView<long> flops, ArrayView<long> count, int m)
    {
        int i = Grid.GlobalIndex.X;
        if (i >= m) return;
        long f = flops[i + 1] - flops[i];
        if (f == 0 || f > ShortRow) return;
        var buffer = LocalMemory.Allocate<int>(ShortRow);
        count[i + 1] = SortedColumns(aRowPtr, aColInd, bRowPtr, bColInd, i, buffer);
    }

    /// <summary>Thread per short row: writes its sorted distinct columns to unsorted[rowPtr[i] …] (the rank step keeps them in place).</summary>
    public static void FillShortRows(ArrayView<int> aRowPtr, ArrayView<int> aColInd, ArrayView<int> bRowPtr, ArrayView<int> bColInd,
        ArrayView<long> flops, ArrayView<int> rowPtr, ArrayView<int> unsorted, int m)
    {
        int i = Grid.GlobalIndex.X;
        if (i >= m) return;
        long f = flops[i + 1] - flops[i];
        if (f == 0 || f > ShortRow) return;
        var buffer = LocalMemory.Allocate<int>(ShortRow);
        int u = SortedColumns(aRowPtr, aColInd, bRowPtr, bColInd, i, buffer);
        int c = rowPtr[i];
        for (int q = 0; q < u; q++) unsorted[c + q] = buffer[q];
    }

    /// <summary>
    /// Thread per entry a_ik: inserts every column j of B's row k into row i's table (slots
    /// [tableStart[i], tableStart[i + 1]), empty = −1) and adds 1 to count[i + 1] for each column it
    /// was first to insert. Multiplicative hashing (Knuth, TAOCP vol. 3, §6.4) then linear probing.
    /// </summary>
    public static void Insert(ArrayView<int> aRowPtr, ArrayView<int> aColInd, ArrayView<int> bRowPtr, ArrayView<int> bColInd,
        ArrayView<long> tableStart, ArrayView<int> table, ArrayView<long> count, int m)
    {
        int pa = Grid.GlobalIndex.X;
        if (pa >= aColInd.IntLength) return;
        int i = RowOf(aRowPtr, m, pa);
        int k = aColInd[pa];
        long t0 = tableStart[i];
        ulong size = (ulong)(tableStart[i + 1] - t0);
        if (size == 0) return; // a short row: sorted in local memory instead
        int added = 0;
        for (int pb = bRowPtr[k]; pb < bRowPtr[k + 1]; pb++)
        {
            int j = bColInd[pb];
            long h = (long)((uint)j * 2654435761u % size);
            while (true)
            {
                int old = Atomic.CompareExchange(ref table[t0 + h], -1, j);
                if (old == -1) { added++; break; }
                if (old == j) break;
                h = h + 1 == (long)size ? 0 : h + 1;
            }
        }
        if (added > 0) Atomic.Add(ref count[i + 1], added);
    }

    /// <summary>Thread per row: packs the keys of row i's table into unsorted[rowPtr[i] …] (table order).</summary>
    public static void Compact(ArrayView<long> tableStart, ArrayView<int> table, ArrayView<int> rowPtr, ArrayView<int> unsorted, int m)
    {
        int i = Grid.GlobalIndex.X;
        if (i >= m) return;
        int c = rowPtr[i];
        for (long t = tableStart[i]; t < tableStart[i + 1]; t++)
        {
            int v = table[t];
            if (v >= 0) unsorted[c++] = v;
        }
    }

    /// <summary>Thread per slot: writes its column at its rank among the row's (distinct) columns, sorting each row.</summary>
    public static void Rank(ArrayView<int> rowPtr, ArrayView<int> unsorted, ArrayView<int> colInd, int m)
    {
        int s = Grid.GlobalIndex.X;
        if (s >= colInd.IntLength) return;
        int i = RowOf(rowPtr, m, s);
        int c0 = rowPtr[i], c1 = rowPtr[i + 1];
        int v = unsorted[s], r = 0;
        for (int t = c0; t < c1; t++)
            if (unsorted[t] < v) r++;
        colInd[c0 + r] = v;
    }

    // ---- Chunked symbolic phase (products whose tables exceed IlgpuBackend.SpGemmTableBudget; 0 turns it off). Tested on
    // ILGPU's CPU emulator against the one-table plan and measured on an H100 (2026-12-06: the same iterations, AMG setup
    // 0.137 → 0.140 s and device peak 322 → 268 B/DOF on 2D Poisson 16M).

    /// <summary>
    /// Thread per entry a_ik of the chunk (slots [paStart, paEnd) of A): inserts every column j of B's row k into row
    /// i's table (slots [tableStart[i], tableStart[i + 1]) of the matrix, found at tableStart[i] − tableBase in this
    /// chunk's <paramref name="table"/>, empty = −1) and, when <paramref name="countNew"/> is 1, adds 1 to count[i + 1]
    /// for each column it was first to insert. Multiplicative hashing (Knuth, TAOCP vol. 3, §6.4) then linear probing.
    /// </summary>
    public static void InsertRange(ArrayView<int> aRowPtr, ArrayView<int> aColInd, ArrayView<int> bRowPtr, ArrayView<int> bColInd,
        ArrayView<long> tableStart, ArrayView<int> table, ArrayView<long> count, int m, int paStart, int paEnd, long tableBase, int countNew)
    {
        int pa = paStart + Grid.GlobalIndex.X;
        if (pa >= paEnd) return;
        int i = RowOf(aRowPtr, m, pa);
        int k = aColInd[pa];
        long t0 = tableStart[i] - tableBase;
        ulong size = (ulong)(tableStart[i + 1] - tableStart[i]);
        if (size == 0) return; // a short row: sorted in local memory instead
        int added = 0;
        for (int pb = bRowPtr[k]; pb < bRowPtr[k + 1]; pb++)
        {
            int j = bColInd[pb];
            long h = (long)((uint)j * 2654435761u % size);
            while (true)
            {
                int old = Atomic.CompareExchange(ref table[t0 + h], -1, j);
                if (old == -1) { added++; break; }
                if (old == j) break;
                h = h + 1 == (long)size ? 0 : h + 1;
            }
        }
        if (added > 0 && countNew != 0) Atomic.Add(ref count[i + 1], added);
    }

    /// <summary>
    /// Thread per row i of the chunk [r0, r1): packs the keys of row i's table (at tableStart[i] − tableBase in the chunk's
    /// table) into unsorted[rowPtr[i] − rowPtr[r0] …] (table order; unsorted holds the chunk's slots only).
    /// </summary>
    public static void CompactRange(ArrayView<long> tableStart, ArrayView<int> table, ArrayView<int> rowPtr, ArrayView<int> unsorted, int r0, int r1, long tableBase)
    {
        int i = r0 + Grid.GlobalIndex.X;
        if (i >= r1) return;
        int c = rowPtr[i] - rowPtr[r0];
        for (long t = tableStart[i] - tableBase; t < tableStart[i + 1] - tableBase; t++)
        {
            int v = table[t];
            if (v >= 0) unsorted[c++] = v;
        }
    }

    /// <summary>
    /// Chunk c ∈ [0, chunks] of rows for tables of at most about <paramref name="budget"/> ints: bounds[c] = the last row r
    /// with tableStart[r] ≤ c·budget (tableStart is the exclusive prefix of the table sizes, so chunk c = rows
    /// [bounds[c], bounds[c + 1]) spans at most budget ints plus the table of its first row; one row larger than the budget
    /// is a chunk of its own, and a chunk may be empty). bounds[chunks] = m when chunks·budget ≥ the total.
    /// </summary>
    public static void ChunkBounds(ArrayView<long> tableStart, int m, long budget, ArrayView<long> bounds)
    {
        int c = Grid.GlobalIndex.X;
        if (c >= bounds.IntLength) return;
        long limit = c * budget;
        int lo = 0, hi = m; // tableStart[0] = 0 ≤ limit: the answer is in [lo, hi]
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >> 1;
            if (tableStart[mid] <= limit) lo = mid;
            else hi = mid - 1;
        }
        bounds[c] = lo;
    }

    /// <summary>
    /// Thread per slot s ∈ [s0, s1) of a chunk's rows whose row was hashed: writes its column (at unsorted[s − s0]) at its
    /// rank among the row's (distinct) columns, sorting each row. Slots of short rows (no table: already sorted in place
    /// by <see cref="FillShortRows"/>, given C's column array) are left alone.
    /// </summary>
    public static void RankHashed(ArrayView<int> rowPtr, ArrayView<long> tableStart, ArrayView<int> unsorted, ArrayView<int> colInd, int m, int s0, int s1)
    {
        int s = s0 + Grid.GlobalIndex.X;
        if (s >= s1) return;
        int i = RowOf(rowPtr, m, s);
        if (tableStart[i + 1] == tableStart[i]) return;
        int c0 = rowPtr[i], c1 = rowPtr[i + 1];
        int v = unsorted[s - s0], r = 0;
        for (int t = c0; t < c1; t++)
            if (unsorted[t - s0] < v) r++;
        colInd[c0 + r] = v;
    }

    /// <summary>dst[e] = (int)src[e] (row offsets counted in 64 bits, checked on the host to fit).</summary>
    public static void Narrow(ArrayView<long> src, ArrayView<int> dst)
    {
        int e = Grid.GlobalIndex.X;
        if (e < dst.IntLength) dst[e] = (int)src[e];
    }

    /// <summary>Thread per slot (i, j) of C: c_ij = Σ_k a_ik·b_kj over row i of A in increasing k.</summary>
    public static void Numeric<T>(ArrayView<int> aRowPtr, ArrayView<int> aColInd, ArrayView<T> aValues,
        ArrayView<int> bRowPtr, ArrayView<int> bColInd, ArrayView<T> bValues,
        ArrayView<int> cRowPtr, ArrayView<int> cColInd, ArrayView<T> cValues)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = Grid.GlobalIndex.X;
        if (s >= cColInd.IntLength) return;
        int i = RowOf(cRowPtr, cRowPtr.IntLength - 1, s);
        int j = cColInd[s];
        T sum = T.Zero;
        for (int pa = aRowPtr[i]; pa < aRowPtr[i + 1]; pa++)
        {
            int k = aColInd[pa];
            int lo = bRowPtr[k], hi = bRowPtr[k + 1] - 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >> 1;
                int c = bColInd[mid];
                if (c == j) { sum += aValues[pa] * bValues[mid]; break; }
                if (c < j) lo = mid + 1;
                else hi = mid - 1;
            }
        }
        cValues[s] = sum;
    }
}
