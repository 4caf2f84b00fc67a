using System.Runtime.CompilerServices;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// Host index algorithms behind the CPU backend's <see cref="CpuBackend.Transpose"/> and
/// <see cref="CpuBackend.CooToCsr"/>: stable counting sorts, O(entries + rows + cols), deterministic
/// (Davis 2006, "Direct Methods for Sparse Linear Systems", §2.4 cs_compress and §2.5 cs_transpose;
/// two counting-sort passes = an LSD radix sort on (row, col)).
/// </summary>
public static class CsrBuild
{
    /// <summary>The error naming the first COO entry whose row or column is out of range (every backend's message).</summary>
    public static ArgumentOutOfRangeException BadEntry(int k, int row, int col, int rows, int cols) =>
        (uint)row >= (uint)rows
            ? new ArgumentOutOfRangeException(nameof(row), $"entry {k}: row index {row} is out of range [0, {rows})")
            : new ArgumentOutOfRangeException(nameof(col), $"entry {k}: column index {col} is out of range [0, {cols})");

    /// <summary>
    /// The transpose of a canonical CSR pattern (rows × cols) and the map t ↦ source slot, so that
    /// valuesᵀ[t] = values[map[t]]: a counting sort over columns, rows ascending within each.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (int[] RowPtr, int[] ColInd, int[] Map) Transpose(ReadOnlySpan<int> rowPtr, ReadOnlySpan<int> colInd, int rows, int cols)
    {
        int nnz = colInd.Length;
        var count = new int[cols + 1];
        foreach (int c in colInd) count[c + 1]++;
        for (int c = 0; c < cols; c++) count[c + 1] += count[c];
        var rowPtrT = (int[])count.Clone();
        var colT = new int[nnz];
        var map = new int[nnz];
        var next = count; // reused as the insertion cursor
        for (int r = 0; r < rows; r++)
            for (int k = rowPtr[r]; k < rowPtr[r + 1]; k++)
            {
                int dst = next[colInd[k]]++;
                colT[dst] = r;
                map[dst] = k;
            }
        return (rowPtrT, colT, map);
    }

    /// <summary>
    /// The transpose of a canonical CSR matrix with its values moved in the same counting sort (no slot map and no
    /// separate gather: for a transpose made once and kept, e.g. AMG's R = Pᵀ), in the order of <see cref="Transpose"/>
    /// (valuesᵀ[t] = values[map[t]]). Parallel over blocks of rows: each block counts its columns, a prefix over
    /// (column, block) gives every block its own cursor per column, and the blocks scatter independently. Within a
    /// column the blocks' entries follow each other in block order, so the result does not depend on the number of threads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // its offsets loop would run as tier-0 code in a first large setup
    public static (int[] RowPtr, int[] ColInd, T[] Values) TransposeWithValues<T>(int[] rowPtr, int[] colInd, T[] values, int rows, int cols)
    {
        int nnz = rowPtr[rows];
        int blocks = CursorBlocks(nnz, cols);
        // cursor[b·cols + c]: first the count of column c in block b, then block b's next slot in row c of the transpose.
        var cursor = new int[(long)blocks * cols];
        ParallelBlocks.Run(blocks, b => CountColumns(rowPtr, colInd, ParallelBlocks.Start(rows, blocks, b), ParallelBlocks.Start(rows, blocks, b + 1),
            cursor.AsSpan(b * cols, cols), skipDiagonal: false));
        var rowPtrT = new int[cols + 1];
        ColumnOffsets(cursor, blocks, cols, rowPtrT, null);
        var colT = GC.AllocateUninitializedArray<int>(nnz); // the scatter writes every slot
        var valT = GC.AllocateUninitializedArray<T>(nnz);
        ParallelBlocks.Run(blocks, b => Scatter(rowPtr, colInd, values, ParallelBlocks.Start(rows, blocks, b), ParallelBlocks.Start(rows, blocks, b + 1),
            cursor, b * cols, colT, valT));
        return (rowPtrT, colT, valT);
    }

    /// <summary>Blocks of rows for a counting sort by column: the cursors cost blocks·cols ints, so no more blocks than keep
    /// them within about nnz (a wide, sparse matrix gets one), and one per 32K entries.</summary>
    internal static int CursorBlocks(int nnz, int cols) => (int)Math.Min(ParallelBlocks.CountFor(nnz, 1 << 15), Math.Max(1, (long)nnz / Math.Max(1, cols)));

    /// <summary>count[c] += the entries of column c in rows [r0, r1) (with <paramref name="skipDiagonal"/>, those off the diagonal).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void CountColumns(int[] rowPtr, int[] colInd, int r0, int r1, Span<int> count, bool skipDiagonal)
    {
        if (!skipDiagonal)
        {
            for (int k = rowPtr[r0]; k < rowPtr[r1]; k++) count[colInd[k]]++;
            return;
        }
        for (int r = r0; r < r1; r++)
            for (int k = rowPtr[r]; k < rowPtr[r + 1]; k++)
                if (colInd[k] != r) count[colInd[k]]++;
    }

    /// <summary>
    /// The counting sort's offsets: row c of the result starts at rowPtrOut[c] and holds block 0's entries of column c, then
    /// block 1's, …, then <paramref name="trailing"/>'s row c if given (rows appended after the sorted part); each cursor
    /// becomes its block's first slot. Returns the entries in all, stopping early (and writing nothing more) once it passes
    /// <see cref="Array.MaxLength"/>, for the caller to report.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static long ColumnOffsets(int[] cursor, int blocks, int cols, int[] rowPtrOut, int[]? trailing)
    {
        long at = 0;
        for (int c = 0; c < cols; c++)
        {
            rowPtrOut[c] = (int)at;
            for (int b = 0; b < blocks; b++)
            {
                int count = cursor[b * cols + c];
                cursor[b * cols + c] = (int)at;
                at += count;
            }
            if (trailing is not null) at += trailing[c + 1] - trailing[c];
            if (at > Array.MaxLength) return at;
        }
        rowPtrOut[cols] = (int)at;
        return at;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scatter<T>(int[] rowPtr, int[] colInd, T[] values, int r0, int r1, int[] cursor, int offset, int[] colT, T[] valT)
    {
        for (int r = r0; r < r1; r++)
            for (int k = rowPtr[r]; k < rowPtr[r + 1]; k++)
            {
                int dst = cursor[offset + colInd[k]]++;
                colT[dst] = r;
                valT[dst] = values[k];
            }
    }

    /// <summary>
    /// COO triplets in any order, duplicates allowed, to canonical CSR (rows sorted, columns sorted within
    /// rows, duplicates merged), with entryToSlot[k] = the CSR slot entry k falls into.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the shape; the message names the first such entry.</exception>
    public static (int[] RowPtr, int[] ColInd, int[] EntryToSlot) CooToCsr(ReadOnlySpan<int> row, ReadOnlySpan<int> col, int rows, int cols)
    {
        if (row.Length != col.Length)
            throw new ShapeMismatchException($"row has {row.Length} indices but col has {col.Length}", nameof(col));
        int m = row.Length;
        bool sorted = true;
        for (int k = 0; k < m; k++)
        {
            int r = row[k], c = col[k];
            if ((uint)r >= (uint)rows || (uint)c >= (uint)cols) throw BadEntry(k, r, c, rows, cols);
            if (k > 0 && sorted && (r < row[k - 1] || (r == row[k - 1] && c <= col[k - 1]))) sorted = false;
        }

        var rowPtr = new int[rows + 1];
        if (sorted)
        {
            // Already canonical (the common case for files written from CSR): no permutation.
            foreach (int r in row) rowPtr[r + 1]++;
            for (int i = 0; i < rows; i++) rowPtr[i + 1] += rowPtr[i];
            var identity = new int[m];
            for (int k = 0; k < m; k++) identity[k] = k;
            return (rowPtr, col.ToArray(), identity);
        }

        // Pass 1: stable bucket by column.
        var cnt = new int[cols + 1];
        foreach (int c in col) cnt[c + 1]++;
        for (int c = 0; c < cols; c++) cnt[c + 1] += cnt[c];
        var byCol = new int[m];
        for (int k = 0; k < m; k++) byCol[cnt[col[k]]++] = k;
        // Pass 2: stable bucket by row, keeping the column order inside each row.
        foreach (int r in row) rowPtr[r + 1]++;
        for (int i = 0; i < rows; i++) rowPtr[i + 1] += rowPtr[i];
        var cursor = (int[])rowPtr.Clone();
        var order = new int[m];
        foreach (int k in byCol) order[cursor[row[k]]++] = k;

        // Merge duplicates: a new slot whenever (row, col) changes along the sorted order.
        var entryToSlot = new int[m];
        var colInd = new List<int>(m);
        var newRowPtr = new int[rows + 1];
        int slot = -1;
        for (int i = 0; i < rows; i++)
        {
            int prevCol = -1;
            for (int p = rowPtr[i]; p < rowPtr[i + 1]; p++)
            {
                int k = order[p];
                if (col[k] != prevCol) { slot++; colInd.Add(col[k]); prevCol = col[k]; }
                entryToSlot[k] = slot;
            }
            newRowPtr[i + 1] = slot + 1;
        }
        return (newRowPtr, [.. colInd], entryToSlot);
    }
}
