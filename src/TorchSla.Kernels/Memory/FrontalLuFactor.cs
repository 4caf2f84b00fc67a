namespace TorchSla.Kernels.Memory;

/// <summary>
/// The factors of a multifrontal LU factorization (P·A·Q = L·U, pivots chosen inside each front) on one device, in the
/// layout the fronts left them: front f has m_f = IndexPtr[f+1] − IndexPtr[f] row variables RowIndex[IndexPtr[f] …] and
/// as many column variables ColIndex[IndexPtr[f] …] (ordered numbering; its Pivots[f] pivot rows and columns first),
/// its m_f×npiv block of L and U11 (column-major, leading dimension m_f: L strictly below the diagonal, unit diagonal
/// implied; U's pivot block on and above it) from L[LOffset[f]], and the npiv×(m_f−npiv) rest of U's rows, U12
/// (column-major, leading dimension npiv), from U[UOffset[f]]: u_jc = L[LOffset[f] + j + c·m_f] for c &lt; npiv and
/// U[UOffset[f] + j + (c−npiv)·npiv] for c ≥ npiv. The level schedule of
/// the assembly tree comes with it: the fronts of level l are LevelNodes[LevelPtr[l] … LevelPtr[l+1]) and a front's
/// descendants all lie on lower levels, so the fronts of one level are independent in every triangular sweep.
/// </summary>
public sealed class FrontalLuFactor : IDisposable
{
    /// <summary>Wraps the storages (no validation: the direct solver builds them from its factorization).</summary>
    public FrontalLuFactor(int n, int frontCount, Storage<int> indexPtr, Storage<int> rowIndex, Storage<int> colIndex,
        Storage<int> pivots, Storage<long> lOffset, Storage<long> uOffset, Storage<double> l, Storage<double> u,
        Storage<int> levelNodes, int[] levelPtr)
    {
        N = n; FrontCount = frontCount; IndexPtr = indexPtr; RowIndex = rowIndex; ColIndex = colIndex; Pivots = pivots;
        LOffset = lOffset; UOffset = uOffset; L = l; U = u; LevelNodes = levelNodes; LevelPtr = levelPtr;
    }

    /// <summary>Order of A.</summary>
    public int N { get; }
    /// <summary>Number of fronts.</summary>
    public int FrontCount { get; }
    /// <summary>Offsets into <see cref="RowIndex"/> and <see cref="ColIndex"/>, FrontCount + 1 entries.</summary>
    public Storage<int> IndexPtr { get; }
    /// <summary>Row variables of every front, its pivot rows first.</summary>
    public Storage<int> RowIndex { get; }
    /// <summary>Column variables of every front, its pivot columns first.</summary>
    public Storage<int> ColIndex { get; }
    /// <summary>Pivots eliminated in each front.</summary>
    public Storage<int> Pivots { get; }
    /// <summary>Where each front's block of L starts in <see cref="L"/>.</summary>
    public Storage<long> LOffset { get; }
    /// <summary>Where each front's block of U starts in <see cref="U"/>.</summary>
    public Storage<long> UOffset { get; }
    /// <summary>The m×npiv blocks of L, with U11 above their diagonals.</summary>
    public Storage<double> L { get; }
    /// <summary>The npiv×(m−npiv) blocks U12 of U.</summary>
    public Storage<double> U { get; }
    /// <summary>Fronts ordered by level of the assembly tree.</summary>
    public Storage<int> LevelNodes { get; }
    /// <summary>Level offsets into <see cref="LevelNodes"/> (host array: the launches are planned on the host).</summary>
    public int[] LevelPtr { get; }
    /// <summary>The device holding the factors.</summary>
    public Device Device => L.Device;

    /// <summary>Frees the storages.</summary>
    public void Dispose()
    {
        IndexPtr.Dispose(); RowIndex.Dispose(); ColIndex.Dispose(); Pivots.Dispose(); LOffset.Dispose(); UOffset.Dispose();
        L.Dispose(); U.Dispose(); LevelNodes.Dispose();
    }
}
