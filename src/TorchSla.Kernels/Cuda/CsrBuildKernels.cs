using ILGPU;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// Transpose and COO→CSR on the device as a counting sort (Davis 2006, §2.4–2.5, the same algorithm as
/// the host's <see cref="Cpu.CsrBuild"/>): count entries per bucket (integer atomics: exact), prefix-sum the
/// counts (<see cref="ScanKernels"/>), scatter entry ids into their buckets (atomic cursors: an arbitrary
/// order inside a bucket), then restore the stable order by writing each id at its rank inside its bucket
/// — so the result depends only on the input, never on the schedule. Duplicates (COO) are merged by
/// marking where (row, col) changes along the sorted order and prefix-summing the marks into slot numbers.
/// The rank step costs Σ (bucket length)² comparisons spread over one thread per entry.
/// </summary>
internal static class CsrBuildKernels
{
    /// <summary>
    /// count[key + 1] += 1 for each entry; an entry whose key is outside [0, buckets) or whose other index is
    /// outside [0, otherBound) lowers error[0] to its position instead (the first bad entry wins).
    /// </summary>
    public static void CountKeys(ArrayView<int> keys, ArrayView<int> other, ArrayView<long> count, ArrayView<int> error, int buckets, int otherBound)
    {
        int e = Grid.GlobalIndex.X;
        if (e >= keys.IntLength) return;
        int key = keys[e], o = other[e];
        if ((uint)key >= (uint)buckets || (uint)o >= (uint)otherBound) { Atomic.Min(ref error[0], e); return; }
        Atomic.Add(ref count[key + 1], 1L);
    }

    /// <summary>unsorted[start[key] + (atomic cursor of key)] = entry id.</summary>
    public static void Scatter(ArrayView<int> keys, ArrayView<long> start, ArrayView<int> cursor, ArrayView<int> unsorted)
    {
        int e = Grid.GlobalIndex.X;
        if (e >= keys.IntLength) return;
        int key = keys[e];
        unsorted[start[key] + Atomic.Add(ref cursor[key], 1)] = e;
    }

    /// <summary>Thread per position: writes its entry id at its rank by (key[id], id) inside its bucket.</summary>
    public static void RankByKey(ArrayView<int> bucketPtr, ArrayView<int> unsorted, ArrayView<int> key, ArrayView<int> sorted, int buckets)
    {
        int s = Grid.GlobalIndex.X;
        if (s >= unsorted.IntLength) return;
        int g = SpGemmKernels.RowOf(bucketPtr, buckets, s);
        int c0 = bucketPtr[g], c1 = bucketPtr[g + 1];
        int v = unsorted[s], kv = key[v], r = 0;
        for (int t = c0; t < c1; t++)
        {
            int u = unsorted[t], ku = key[u];
            if (ku < kv || (ku == kv && u < v)) r++;
        }
        sorted[c0 + r] = v;
    }

    /// <summary>colIndT[t] = the row of A holding source slot map[t].</summary>
    public static void RowsOfSlots(ArrayView<int> rowPtr, ArrayView<int> map, ArrayView<int> colIndT, int rows)
    {
        int t = Grid.GlobalIndex.X;
        if (t < map.IntLength) colIndT[t] = SpGemmKernels.RowOf(rowPtr, rows, map[t]);
    }

    /// <summary>heads[p] = 1 where (row, col) of the p-th sorted entry differs from the one before, else 0.</summary>
    public static void MarkHeads(ArrayView<int> sorted, ArrayView<int> row, ArrayView<int> col, ArrayView<long> heads)
    {
        int p = Grid.GlobalIndex.X;
        if (p >= sorted.IntLength) return;
        int e = sorted[p];
        bool head = p == 0;
        if (!head)
        {
            int q = sorted[p - 1];
            head = row[q] != row[e] || col[q] != col[e];
        }
        heads[p] = head ? 1 : 0;
    }

    /// <summary>From the inclusive scan of the head marks: entryToSlot of each entry, and the column of each slot.</summary>
    public static void Finish(ArrayView<int> sorted, ArrayView<int> col, ArrayView<long> headScan, ArrayView<int> colInd, ArrayView<int> entryToSlot)
    {
        int p = Grid.GlobalIndex.X;
        if (p >= sorted.IntLength) return;
        int e = sorted[p];
        int slot = (int)headScan[p] - 1;
        entryToSlot[e] = slot;
        if (p == 0 || headScan[p] != headScan[p - 1]) colInd[slot] = col[e];
    }

    /// <summary>rowPtr[r] = number of slots before row r's first sorted position (rowStart holds those positions).</summary>
    public static void RowPtrFromHeads(ArrayView<long> rowStart, ArrayView<long> headScan, ArrayView<int> rowPtr)
    {
        int r = Grid.GlobalIndex.X;
        if (r >= rowPtr.IntLength) return;
        long s = rowStart[r];
        rowPtr[r] = s == 0 ? 0 : (int)headScan[s - 1];
    }
}
