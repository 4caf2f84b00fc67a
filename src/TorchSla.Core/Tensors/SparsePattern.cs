using TorchSla.Kernels;
using TorchSla.Kernels.Cpu;
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
    /// Patterns with at least this many stored entries on a GPU are transposed and built from COO there
    /// (<see cref="Backend.Transpose"/>, <see cref="Backend.CooToCsr"/>); smaller ones on the host, where
    /// the copies to and from the device would cost more than the counting sort. Settable for tests.
    /// </summary>
    internal static int DeviceIndexMinEntries { get; set; } = 1 << 18;

    /// <summary>
    /// The transposed pattern and the map t ↦ source slot, so that valuesᵀ[t] = values[map[t]].
    /// Built by a counting sort over columns (<see cref="CsrBuild.Transpose"/>, CSparse cs_transpose, Davis 2006 §2.5), O(nnz + cols).
    /// </summary>
    public (SparsePattern Pattern, int[] Map) Transpose()
    {
        if (_transpose is { } t) return t;
        var (rp, ci, map) = CsrBuild.Transpose(RowPtr, ColInd, Rows, Cols);
        _transpose = (new SparsePattern(Cols, Rows, rp, ci), map);
        return _transpose.Value;
    }

    /// <summary>
    /// <see cref="Transpose()"/>, computed on <paramref name="device"/> when that is a GPU and the pattern is large
    /// (the result's indices and the map then stay on the device as well as coming back to the host).
    /// </summary>
    public (SparsePattern Pattern, int[] Map) Transpose(Device device)
    {
        if (_transpose is { } t) return t;
        if (device.IsCpu || Nnz < DeviceIndexMinEntries) return Transpose();
        var (ti, tm) = BackendRegistry.Get(device).Transpose(On(device));
        var p = new SparsePattern(Cols, Rows, ti.RowPtr.ToArray(), ti.ColInd.ToArray());
        p.Adopt(device, ti);
        var map = tm.ToArray();
        var indexMap = new IndexMap(map);
        indexMap.Adopt(device, tm);
        _transposeMap ??= indexMap;
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
