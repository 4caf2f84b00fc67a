using TorchSla.Kernels;
using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Memory;

namespace TorchSla;

/// <summary>
/// An immutable CSR pattern (rows sorted, no duplicates) shared by every value set of a
/// sparse tensor and by tensors derived from it with the same pattern (scaled, abs, ...).
/// Holds the host index arrays, their copies on devices, and analyses computed once on
/// first use: the transposition map and the diagonal slots. A pattern built on a GPU (a product,
/// a transpose, an AMG level) starts with its device copy only and downloads the host arrays when
/// something first asks for them, so that work which stays on the device never copies them.
/// </summary>
internal sealed partial class SparsePattern
{
    private readonly Dictionary<Device, CsrIndices> _onDevice = [];
    private (SparsePattern Pattern, int[] Map)? _transpose;
    private int[]? _diagonalSlots;

    /// <summary>Takes ownership of canonical index arrays (callers guarantee sortedness and range).</summary>
    public SparsePattern(int rows, int cols, int[] rowPtr, int[] colInd)
    {
        Rows = rows; Cols = cols; _rowPtr = rowPtr; _colInd = colInd; Nnz = colInd.Length;
    }

    /// <summary>Takes ownership of canonical indices built on a device; the host arrays are downloaded on first use.</summary>
    public SparsePattern(CsrIndices onDevice)
    {
        Rows = onDevice.Rows; Cols = onDevice.Cols; Nnz = onDevice.Nnz;
        if (onDevice.Device.IsCpu) { _rowPtr = CpuBackend.ArrayOf(onDevice.RowPtr); _colInd = CpuBackend.ArrayOf(onDevice.ColInd); }
        _onDevice[onDevice.Device] = onDevice;
    }

    private int[]? _rowPtr, _colInd;

    public int Rows { get; }
    public int Cols { get; }
    public int[] RowPtr => _rowPtr ?? Download().RowPtr;
    public int[] ColInd => _colInd ?? Download().ColInd;
    public int Nnz { get; }

    /// <summary>The host arrays from the (single) device copy of a pattern built on a device.</summary>
    private (int[] RowPtr, int[] ColInd) Download()
    {
        lock (_onDevice)
        {
            if (_rowPtr is null || _colInd is null)
            {
                var c = _onDevice.Values.First();
                _colInd = c.ColInd.ToArray();
                _rowPtr = c.RowPtr.ToArray();
            }
            return (_rowPtr, _colInd);
        }
    }

    /// <summary>The indices on <paramref name="device"/>, uploaded on first use (the CPU shares the host arrays).</summary>
    public CsrIndices On(Device device)
    {
        lock (_onDevice)
        {
            if (_onDevice.TryGetValue(device, out var c)) return c;
            var b = BackendRegistry.Get(device);
            var (rp, ci) = _rowPtr is not null && _colInd is not null ? (_rowPtr, _colInd) : Download();
            c = device.IsCpu
                ? new CsrIndices(Rows, Cols, new CpuStorage<int>(rp), new CpuStorage<int>(ci))
                : new CsrIndices(Rows, Cols, b.Upload<int>(rp), b.Upload<int>(ci));
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
        if (_structurallySymmetric == true && SymmetricTransposeMap(withMap: true) is { } symmetric)
        {
            // Known to equal its transpose (IsStructurallySymmetric): the map in one pass, no counting sort.
            _transpose = (this, symmetric);
            return _transpose.Value;
        }
        if (_deviceTranspose is { } d && _transposeMap is { } m)
        {
            // Built on a device: the host copies of its map come down now.
            _transpose = (d, m.Host);
            return _transpose.Value;
        }
        var (rp, ci, map) = CsrBuild.Transpose(RowPtr, ColInd, Rows, Cols);
        _transpose = (new SparsePattern(Cols, Rows, rp, ci), map);
        return _transpose.Value;
    }

    private SparsePattern? _deviceTranspose;

    /// <summary>
    /// The transposed pattern, computed on <paramref name="device"/> when that is a GPU and the pattern is large
    /// (<see cref="Backend.Transpose"/>): the result and the map (<see cref="TransposeMap"/>) then stay on the device,
    /// their host copies made only if something asks for them.
    /// </summary>
    public SparsePattern TransposeOn(Device device)
    {
        if (_transpose is { } t) return t.Pattern;
        if (_deviceTranspose is { } d) return d;
        if (device.IsCpu || Nnz < DeviceIndexMinEntries) return Transpose().Pattern;
        var (ti, tm) = BackendRegistry.Get(device).Transpose(On(device));
        _transposeMap ??= new IndexMap(tm);
        _deviceTranspose = new SparsePattern(ti);
        return _deviceTranspose;
    }

    /// <summary>
    /// Frees the device copy of the transposition map and forgets the transposed pattern (a later transpose
    /// computes both again): for hierarchies that transpose once and keep only the result (AMG's R = Pᵀ).
    /// </summary>
    public void ReleaseTranspose()
    {
        if (_transposeMap is { } m && _transpose is null) m.ReleaseDeviceCopies();
        _transposeMap = null;
        _deviceTranspose = null;
    }

    /// <summary>
    /// Frees this pattern's device copies. Only for a pattern that is no longer used (e.g. the middle factor of a
    /// product chain whose result is kept): a later use of it on a device would fail.
    /// </summary>
    public void ReleaseDeviceCopies()
    {
        lock (_onDevice)
        {
            foreach (var (device, c) in _onDevice.ToArray())
                if (!device.IsCpu) { c.Dispose(); _onDevice.Remove(device); }
        }
    }

    /// <summary>For each row i &lt; min(rows, cols), the slot of entry (i, i), or −1 when not stored.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public int[] DiagonalSlots()
    {
        if (_diagonalSlots is { } d) return d;
        int n = Math.Min(Rows, Cols);
        d = FindDiagonalSlots(n, RowPtr, ColInd);
        _diagonalSlots = d;
        return d;
    }

    /// <summary>Each row's diagonal slot (−1: none): a linear scan of short rows (a generic binary search per row cost 5 ms at
    /// 125 000 rows of 7 entries, the serial part of an AMG smoother's setup), a binary search of long ones.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int[] FindDiagonalSlots(int n, int[] rowPtr, int[] colInd)
    {
        var d = new int[n];
        for (int i = 0; i < n; i++)
        {
            int lo = rowPtr[i], hi = rowPtr[i + 1], k = -1;
            if (hi - lo <= 32)
            {
                for (int q = lo; q < hi; q++)
                    if (colInd[q] >= i) { if (colInd[q] == i) k = q; break; }
            }
            else
            {
                k = Array.BinarySearch(colInd, lo, hi - lo, i);
                if (k < 0) k = -1;
            }
            d[i] = k;
        }
        return d;
    }

    /// <summary>Whether two patterns are the same object or hold the same indices.</summary>
    public bool SameAs(SparsePattern other) =>
        ReferenceEquals(this, other) ||
        (Rows == other.Rows && Cols == other.Cols && RowPtr.AsSpan().SequenceEqual(other.RowPtr) && ColInd.AsSpan().SequenceEqual(other.ColInd));
}
