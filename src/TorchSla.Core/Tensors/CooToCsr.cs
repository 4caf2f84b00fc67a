namespace TorchSla;

/// <summary>
/// Converts coordinate (COO) triplets in any order, with duplicates, into canonical CSR
/// (rows sorted, columns sorted within rows, duplicates merged), and records for every given
/// entry the CSR slot it was added into — the map that lets gradients with respect to the
/// stored values travel back to the caller's values, entry by entry.
/// Two stable counting sorts (by column, then by row): O(nnz + rows + cols), deterministic.
/// </summary>
internal static class CooToCsr
{
    /// <summary>Validates the indices and builds the pattern and entry→slot map.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative or beyond the shape; the message names the entry.</exception>
    public static (SparsePattern Pattern, int[] EntryToSlot) Build(ReadOnlySpan<int> row, ReadOnlySpan<int> col, int rows, int cols)
    {
        if (row.Length != col.Length)
            throw new ShapeMismatchException($"row has {row.Length} indices but col has {col.Length}");
        int m = row.Length;
        bool sorted = true;
        for (int k = 0; k < m; k++)
        {
            int r = row[k], c = col[k];
            if ((uint)r >= (uint)rows)
                throw new ArgumentOutOfRangeException(nameof(row), $"entry {k}: row index {r} is out of range [0, {rows})");
            if ((uint)c >= (uint)cols)
                throw new ArgumentOutOfRangeException(nameof(col), $"entry {k}: column index {c} is out of range [0, {cols})");
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
            return (new SparsePattern(rows, cols, rowPtr, col.ToArray()), identity);
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
        return (new SparsePattern(rows, cols, newRowPtr, [.. colInd]), entryToSlot);
    }
}
