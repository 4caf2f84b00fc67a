namespace TorchSla.Kernels.Cpu;

/// <summary>
/// Splits the rows of a CSR matrix into contiguous blocks holding about the same number of
/// stored entries, so that threads get equal work even when row lengths are skewed
/// (a power-law graph's long rows would otherwise land on one thread).
/// </summary>
internal sealed class RowPartition
{
    private RowPartition(int[] starts) { Starts = starts; }

    /// <summary>Block b covers rows [Starts[b], Starts[b+1]).</summary>
    public int[] Starts { get; }

    /// <summary>Number of blocks.</summary>
    public int Count => Starts.Length - 1;

    /// <summary>
    /// Cuts at row boundaries nearest to multiples of (nnz + rows)/blocks, found by binary search
    /// on rowPtr; a row counts as one unit of work plus its entries (empty rows still write y).
    /// </summary>
    public static RowPartition Build(ReadOnlySpan<int> rowPtr, int blocks)
    {
        int rows = rowPtr.Length - 1;
        blocks = Math.Max(1, Math.Min(blocks, Math.Max(1, rows)));
        long total = (long)rowPtr[rows] + rows;
        var starts = new int[blocks + 1];
        starts[blocks] = rows;
        for (int b = 1; b < blocks; b++)
        {
            long target = total * b / blocks;
            int lo = starts[b - 1], hi = rows;
            // smallest r with rowPtr[r] + r >= target
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if ((long)rowPtr[mid] + mid < target) lo = mid + 1; else hi = mid;
            }
            starts[b] = lo;
        }
        return new RowPartition(starts);
    }
}
