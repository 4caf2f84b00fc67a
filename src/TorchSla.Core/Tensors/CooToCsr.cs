using TorchSla.Kernels;
using TorchSla.Kernels.Cpu;

namespace TorchSla;

/// <summary>
/// Converts coordinate (COO) triplets in any order, with duplicates, into canonical CSR
/// (rows sorted, columns sorted within rows, duplicates merged), and records for every given
/// entry the CSR slot it was added into — the map that lets gradients with respect to the
/// stored values travel back to the caller's values, entry by entry. The sort is the backend's
/// <see cref="Backend.CooToCsr"/>: on the host (<see cref="CsrBuild.CooToCsr"/>, two stable counting
/// sorts), or on the GPU for large inputs bound for it. Deterministic either way.
/// </summary>
internal static class CooToCsr
{
    /// <summary>Validates the indices and builds the pattern and entry→slot map.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative or beyond the shape; the message names the entry.</exception>
    public static (SparsePattern Pattern, int[] EntryToSlot) Build(ReadOnlySpan<int> row, ReadOnlySpan<int> col, int rows, int cols, Device device)
    {
        if (row.Length != col.Length)
            throw new ShapeMismatchException($"row has {row.Length} indices but col has {col.Length}", nameof(col));
        int m = row.Length;
        if (device.IsCpu || m < SparsePattern.DeviceIndexMinEntries)
        {
            var (rp, ci, map) = CsrBuild.CooToCsr(row, col, rows, cols);
            return (new SparsePattern(rows, cols, rp, ci), map);
        }
        var b = BackendRegistry.Get(device);
        using var r = b.Upload(row);
        using var c = b.Upload(col);
        using var rowPtr = b.Allocate<int>(rows + 1);
        using var colInd = b.Allocate<int>(m);
        using var entryToSlot = b.Allocate<int>(m);
        int nnz = b.CooToCsr(r, c, m, rows, cols, rowPtr, colInd, entryToSlot);
        var ciHost = new int[m];
        colInd.CopyTo(ciHost);
        return (new SparsePattern(rows, cols, rowPtr.ToArray(), ciHost[..nnz]), entryToSlot.ToArray());
    }
}
