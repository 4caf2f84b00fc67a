namespace TorchSla.Kernels.Memory;

/// <summary>
/// A supernodal lower-triangular factor L (of a Cholesky factorization P·A·Pᵀ = L·Lᵀ) on one device, in the layout of
/// the multifrontal factorization: supernode s owns the columns [SuperStart[s], SuperStart[s+1]) and the rows
/// Rows[RowPtr[s] … RowPtr[s+1]) (ascending, its own columns first); its r×k block of L is stored column-major from
/// Values[ValueOffset[s]]. The level schedule of the assembly tree comes with it: the supernodes of level l are
/// LevelNodes[LevelPtr[l] … LevelPtr[l+1]) and a supernode's descendants all lie on lower levels (leaves on level 0),
/// so the supernodes of one level are independent in either triangular sweep.
/// </summary>
public sealed class SupernodalFactor : IDisposable
{
    /// <summary>Wraps the storages (no validation: the direct solver builds them from its analysis).</summary>
    public SupernodalFactor(int n, int superCount, Storage<int> superStart, Storage<int> rowPtr, Storage<int> rows,
        Storage<long> valueOffset, Storage<double> values, Storage<int> levelNodes, int[] levelPtr, int maxRows)
    {
        N = n; SuperCount = superCount; SuperStart = superStart; RowPtr = rowPtr; Rows = rows; ValueOffset = valueOffset;
        Values = values; LevelNodes = levelNodes; LevelPtr = levelPtr; MaxRows = maxRows;
    }

    /// <summary>Order of L.</summary>
    public int N { get; }
    /// <summary>Number of supernodes.</summary>
    public int SuperCount { get; }
    /// <summary>First column of each supernode, SuperCount + 1 entries (the last is N).</summary>
    public Storage<int> SuperStart { get; }
    /// <summary>Offsets into <see cref="Rows"/>, SuperCount + 1 entries.</summary>
    public Storage<int> RowPtr { get; }
    /// <summary>Row structure of every supernode.</summary>
    public Storage<int> Rows { get; }
    /// <summary>Where each supernode's block starts in <see cref="Values"/>.</summary>
    public Storage<long> ValueOffset { get; }
    /// <summary>The blocks of L, column-major per supernode.</summary>
    public Storage<double> Values { get; }
    /// <summary>Supernodes ordered by level of the assembly tree.</summary>
    public Storage<int> LevelNodes { get; }
    /// <summary>Level offsets into <see cref="LevelNodes"/> (host array: the launches are planned on the host).</summary>
    public int[] LevelPtr { get; }
    /// <summary>Largest number of rows of a supernode.</summary>
    public int MaxRows { get; }
    /// <summary>The device holding the factor.</summary>
    public Device Device => Values.Device;

    /// <summary>Frees the storages.</summary>
    public void Dispose()
    {
        SuperStart.Dispose(); RowPtr.Dispose(); Rows.Dispose(); ValueOffset.Dispose(); Values.Dispose(); LevelNodes.Dispose();
    }
}
