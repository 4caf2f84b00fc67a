namespace TorchSla.Kernels.Memory;

/// <summary>
/// The index arrays of a CSR pattern on one device: <c>RowPtr</c> (rows+1 offsets) and
/// <c>ColInd</c> (column of each stored entry, sorted within each row, no duplicates).
/// Immutable; backends may hang analysis (row partitions, kernel choice) on <see cref="BackendCache"/>.
/// </summary>
public sealed class CsrIndices : IDisposable
{
    /// <summary>Wraps the two index storages (no validation: callers build them canonical).</summary>
    public CsrIndices(int rows, int cols, Storage<int> rowPtr, Storage<int> colInd)
    {
        Rows = rows; Cols = cols; RowPtr = rowPtr; ColInd = colInd;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }
    /// <summary>Number of columns.</summary>
    public int Cols { get; }
    /// <summary>Row offsets, length Rows+1.</summary>
    public Storage<int> RowPtr { get; }
    /// <summary>Column indices, length Nnz.</summary>
    public Storage<int> ColInd { get; }
    /// <summary>Number of stored entries.</summary>
    public int Nnz => ColInd.Length;
    /// <summary>The device holding the indices.</summary>
    public Device Device => RowPtr.Device;
    /// <summary>A slot where the backend keeps its analysis of this pattern.</summary>
    public object? BackendCache { get; set; }

    /// <summary>Frees the index storages.</summary>
    public void Dispose()
    {
        RowPtr.Dispose();
        ColInd.Dispose();
        (BackendCache as IDisposable)?.Dispose();
    }
}
