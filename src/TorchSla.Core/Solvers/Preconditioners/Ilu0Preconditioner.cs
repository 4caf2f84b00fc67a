using System.Numerics;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Incomplete LU factorization with no fill, ILU(0) (Saad, "Iterative Methods for Sparse
/// Linear Systems", 2nd ed., §10.3.2, Algorithm 10.4, the IKJ variant): L (unit lower) and U
/// keep exactly the pattern of A, stored together in one CSR value array. Applied as
/// z = U⁻¹L⁻¹r by plain sequential forward and backward sweeps on the host (not level-scheduled); on a GPU
/// the application copies r to the host and z back (host fallback: no device triangular solve yet).
/// </summary>
public sealed class Ilu0Preconditioner<T> : HostTriangularPreconditioner<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] _rowPtr, _colInd, _diag;
    private readonly T[] _lu;

    /// <summary>Factors matrix <paramref name="batchIndex"/> of <paramref name="a"/>.</summary>
    /// <exception cref="ArgumentException">A diagonal entry is not stored, or a pivot u_ii is zero (the row is named).</exception>
    public Ilu0Preconditioner(SparseTensor<T> a, int batchIndex = 0) : base("ilu0", a?.Rows ?? 0, a?.Device ?? Device.Cpu)
    {
        _lu = HostValues(a!, batchIndex, Name); // a fresh copy: factored in place
        int n = a!.Rows;
        _rowPtr = a.Pattern.RowPtr;
        _colInd = a.Pattern.ColInd;
        _diag = a.Pattern.DiagonalSlots();
        for (int i = 0; i < n; i++)
            if (_diag[i] < 0) throw new ArgumentException($"ILU(0) needs every diagonal entry stored; a[{i},{i}] is not", nameof(a));
        var pos = new int[n];
        Array.Fill(pos, -1);
        for (int i = 0; i < n; i++)
        {
            for (int k = _rowPtr[i]; k < _rowPtr[i + 1]; k++) pos[_colInd[k]] = k;
            // For each k < i in row i (ascending): l_ik = a_ik / u_kk, then a_ij −= l_ik·u_kj for the j > k present in row i.
            for (int s = _rowPtr[i]; s < _diag[i]; s++)
            {
                int k = _colInd[s];
                T lik = _lu[s] / _lu[_diag[k]];
                _lu[s] = lik;
                for (int t = _diag[k] + 1; t < _rowPtr[k + 1]; t++)
                {
                    int p = pos[_colInd[t]];
                    if (p >= 0) _lu[p] -= lik * _lu[t];
                }
            }
            for (int k = _rowPtr[i]; k < _rowPtr[i + 1]; k++) pos[_colInd[k]] = -1;
            T uii = _lu[_diag[i]];
            if (uii == T.Zero || !T.IsFinite(uii))
                throw new ArgumentException($"ILU(0) breaks down: pivot u[{i},{i}] is {uii}", nameof(a));
        }
    }

    /// <inheritdoc/>
    protected override void Sweep(T[] r, T[] z)
    {
        int n = Rows;
        for (int i = 0; i < n; i++) // L y = r, unit diagonal; y kept in z
        {
            T s = r[i];
            for (int k = _rowPtr[i]; k < _diag[i]; k++) s -= _lu[k] * z[_colInd[k]];
            z[i] = s;
        }
        for (int i = n - 1; i >= 0; i--) // U z = y
        {
            T s = z[i];
            for (int k = _diag[i] + 1; k < _rowPtr[i + 1]; k++) s -= _lu[k] * z[_colInd[k]];
            z[i] = s / _lu[_diag[i]];
        }
    }
}

/// <summary>Builds <see cref="Ilu0Preconditioner{T}"/> (name <c>ilu0</c>).</summary>
public sealed class Ilu0PreconditionerFactory : IPreconditionerFactory
{
    /// <inheritdoc/>
    public string Name => "ilu0";

    /// <inheritdoc/>
    public string Description => "incomplete LU with the pattern of A (host sweeps)";

    /// <inheritdoc/>
    public IPreconditioner<T> Setup<T>(SparseTensor<T> a, int batchIndex = 0) where T : unmanaged, IFloatingPointIeee754<T> =>
        new Ilu0Preconditioner<T>(a, batchIndex);
}
