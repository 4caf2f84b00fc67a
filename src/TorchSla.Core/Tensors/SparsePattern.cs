using TorchSla.Kernels;
using TorchSla.Kernels.Memory;

namespace TorchSla;

/// <summary>
/// An immutable CSR pattern (rows sorted, no duplicates) shared by every value set of a
/// sparse tensor and by tensors derived from it with the same pattern (scaled, abs, ...).
/// Holds the host index arrays, their copies on devices, and analyses computed once on
/// first use: the transposition map and the diagonal slots.
/// </summary>
internal sealed partial class SparsePattern
{
    private readonly Dictionary<Device, CsrIndices> _onDevice = [];
    private (SparsePattern Pattern, int[] Map)? _transpose;
    private int[]? _diagonalSlots;

    /// <summary>Takes ownership of canonical index arrays (callers guarantee sortedness and range).</summary>
    public SparsePattern(int rows, int cols, int[] rowPtr, int[] colInd)
    {
        Rows = rows; Cols = cols; RowPtr = rowPtr; ColInd = colInd;
    }

    public int Rows { get; }
    public int Cols { get; }
    public int[] RowPtr { get; }
    public int[] ColInd { get; }
    public int Nnz => ColInd.Length;

    /// <summary>The indices on <paramref name="device"/>, uploaded on first use (the CPU shares the host arrays).</summary>
    public CsrIndices On(Device device)
    {
        lock (_onDevice)
        {
            if (_onDevice.TryGetValue(device, out var c)) return c;
            var b = BackendRegistry.Get(device);
            c = device.IsCpu
                ? new CsrIndices(Rows, Cols, new CpuStorage<int>(RowPtr), new CpuStorage<int>(ColInd))
                : new CsrIndices(Rows, Cols, b.Upload<int>(RowPtr), b.Upload<int>(ColInd));
            _onDevice[device] = c;
            return c;
        }
    }

    /// <summary>Records indices already on <paramref name="device"/> (built there, e.g. by a GPU SpGEMM) as this pattern's copy.</summary>
    public void Adopt(Device device, CsrIndices indices)
    {
        lock (_onDevice) _onDevice.TryAdd(device, indices);
    }

    /// <summary>
    /// The transposed pattern and the map t ↦ source slot, so that valuesᵀ[t] = values[map[t]].
    /// Built by a counting sort over columns (CSparse cs_transpose, Davis 2006 §2.5), O(nnz + cols).
    /// </summary>
    public (SparsePattern Pattern, int[] Map) Transpose()
    {
        if (_transpose is { } t) return t;
        var count = new int[Cols + 1];
        foreach (int c in ColInd) count[c + 1]++;
        for (int c = 0; c < Cols; c++) count[c + 1] += count[c];
        var rowPtrT = (int[])count.Clone();
        var colT = new int[Nnz];
        var map = new int[Nnz];
        var next = count; // reuse as insertion cursor
        for (int r = 0; r < Rows; r++)
            for (int k = RowPtr[r]; k < RowPtr[r + 1]; k++)
            {
                int dst = next[ColInd[k]]++;
                colT[dst] = r;
                map[dst] = k;
            }
        var p = new SparsePattern(Cols, Rows, rowPtrT, colT);
        _transpose = (p, map);
        return _transpose.Value;
    }

    /// <summary>For each row i &lt; min(rows, cols), the slot of entry (i, i), or −1 when not stored.</summary>
    public int[] DiagonalSlots()
    {
        if (_diagonalSlots is { } d) return d;
        int n = Math.Min(Rows, Cols);
        d = new int[n];
        for (int i = 0; i < n; i++)
        {
            int k = Array.BinarySearch(ColInd, RowPtr[i], RowPtr[i + 1] - RowPtr[i], i);
            d[i] = k >= 0 ? k : -1;
        }
        _diagonalSlots = d;
        return d;
    }

    /// <summary>Whether two patterns are the same object or hold the same indices.</summary>
    public bool SameAs(SparsePattern other) =>
        ReferenceEquals(this, other) ||
        (Rows == other.Rows && Cols == other.Cols && RowPtr.AsSpan().SequenceEqual(other.RowPtr) && ColInd.AsSpan().SequenceEqual(other.ColInd));
}
