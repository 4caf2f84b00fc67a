using System.Numerics;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Incomplete LU factorization with no fill, ILU(0) (Saad, "Iterative Methods for Sparse
/// Linear Systems", 2nd ed., §10.3.2, Algorithm 10.4, the IKJ variant): L (unit lower) and U
/// keep exactly the pattern of A. The factorization runs on the host at setup; applied as z = U⁻¹L⁻¹r by two
/// triangular solves on A's device (<see cref="TriangularPreconditioner{T}"/>: level-scheduled on a GPU, sequential
/// sweeps on the CPU).
/// </summary>
public sealed class Ilu0Preconditioner<T> : TriangularPreconditioner<T> where T : unmanaged, IFloatingPointIeee754<T>
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
        PlaceFactors();
    }

    /// <summary>L's strict lower part (unit diagonal) and U's strict upper part with its diagonal, split out of the combined LU array.</summary>
    private void PlaceFactors()
    {
        int n = Rows;
        var lp = new int[n + 1]; var up = new int[n + 1];
        for (int i = 0; i < n; i++) { lp[i + 1] = lp[i] + (_diag[i] - _rowPtr[i]); up[i + 1] = up[i] + (_rowPtr[i + 1] - _diag[i] - 1); }
        var lc = new int[lp[n]]; var lv = new T[lp[n]]; var uc = new int[up[n]]; var uv = new T[up[n]]; var ud = new T[n];
        for (int i = 0; i < n; i++)
        {
            for (int k = _rowPtr[i], d = lp[i]; k < _diag[i]; k++, d++) { lc[d] = _colInd[k]; lv[d] = _lu[k]; }
            for (int k = _diag[i] + 1, d = up[i]; k < _rowPtr[i + 1]; k++, d++) { uc[d] = _colInd[k]; uv[d] = _lu[k]; }
            ud[i] = _lu[_diag[i]];
        }
        SetFactors(lp, lc, lv, null, up, uc, uv, ud);
    }
}

/// <summary>Builds <see cref="Ilu0Preconditioner{T}"/> (name <c>ilu0</c>).</summary>
public sealed class Ilu0PreconditionerFactory : IPreconditionerFactory
{
    /// <inheritdoc/>
    public string Name => "ilu0";

    /// <inheritdoc/>
    public string Description => "incomplete LU with the pattern of A (factored on the host, level-scheduled triangular solves on the device)";

    /// <inheritdoc/>
    public IPreconditioner<T> Setup<T>(SparseTensor<T> a, int batchIndex = 0) where T : unmanaged, IFloatingPointIeee754<T> =>
        new Ilu0Preconditioner<T>(a, batchIndex);
}
