using System.Numerics;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Incomplete Cholesky with no fill, IC(0) (Meijerink &amp; van der Vorst 1977; Saad,
/// "Iterative Methods for Sparse Linear Systems", 2nd ed., §10.3.2): L keeps the pattern of the
/// lower triangle of A and M = L·Lᵀ. IC(0) can meet a non-positive pivot even for an SPD A;
/// then the factorization is retried on A + α·diag(A) with α = 10⁻³, doubled until it succeeds
/// (Manteuffel 1980, the shifted incomplete Cholesky; <see cref="Shift"/> reports α).
/// Factored on the host at setup; applied as z = L⁻ᵀL⁻¹r by two triangular solves on A's device (Lᵀ stored
/// explicitly; <see cref="TriangularPreconditioner{T}"/>: level-scheduled on a GPU, sequential sweeps on the CPU).
/// </summary>
public sealed class Ic0Preconditioner<T> : TriangularPreconditioner<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] _ptr, _col; // lower triangle, diagonal last in each row
    private readonly T[] _l;

    /// <summary>Factors matrix <paramref name="batchIndex"/> of <paramref name="a"/> (its lower triangle is read).</summary>
    /// <exception cref="ArgumentException">A diagonal entry is missing or not positive (the row is named).</exception>
    public Ic0Preconditioner(SparseTensor<T> a, int batchIndex = 0) : base("ic0", a?.Rows ?? 0, a?.Device ?? Device.Cpu)
    {
        var values = HostValues(a!, batchIndex, Name);
        int n = a!.Rows;
        var rowPtr = a.Pattern.RowPtr;
        var colInd = a.Pattern.ColInd;
        var diag = a.Pattern.DiagonalSlots();
        _ptr = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            if (diag[i] < 0 || !(values[diag[i]] > T.Zero))
                throw new ArgumentException($"IC(0) needs a positive diagonal; a[{i},{i}] is {(diag[i] < 0 ? "not stored" : values[diag[i]].ToString())}", nameof(a));
            _ptr[i + 1] = _ptr[i] + (diag[i] - rowPtr[i] + 1);
        }
        _col = new int[_ptr[n]];
        var lower = new T[_ptr[n]];
        for (int i = 0; i < n; i++)
            for (int k = rowPtr[i], d = _ptr[i]; k <= diag[i]; k++, d++) { _col[d] = colInd[k]; lower[d] = values[k]; }
        _l = new T[lower.Length];
        for (double alpha = 0; ; alpha = alpha == 0 ? 1e-3 : 2 * alpha)
        {
            if (TryFactor(lower, T.CreateTruncating(alpha))) { Shift = alpha; break; }
            if (alpha > 1e3) throw new ArgumentException("IC(0) breaks down even on A + 1000·diag(A)", nameof(a));
        }
        PlaceFactors();
    }

    /// <summary>The α of the factored A + α·diag(A) (0 when A itself factored).</summary>
    public double Shift { get; }

    private bool TryFactor(T[] lower, T alpha)
    {
        int n = Rows;
        var pos = new int[n];
        Array.Fill(pos, -1);
        for (int i = 0; i < n; i++)
        {
            int end = _ptr[i + 1] - 1; // the diagonal slot
            for (int k = _ptr[i]; k <= end; k++) pos[_col[k]] = k;
            // l_ij = (a_ij − Σ_{m<j} l_im·l_jm) / l_jj for j < i in the pattern; l_ii = √(a_ii − Σ_m l_im²).
            for (int s = _ptr[i]; s < end; s++)
            {
                int j = _col[s];
                T v = lower[s];
                for (int t = _ptr[j]; t < _ptr[j + 1] - 1; t++)
                {
                    int p = pos[_col[t]];
                    if (p >= 0 && p < s) v -= _l[p] * _l[t];
                }
                _l[s] = v / _l[_ptr[j + 1] - 1];
            }
            T dv = lower[end] * (T.One + alpha);
            for (int s = _ptr[i]; s < end; s++) dv -= _l[s] * _l[s];
            for (int k = _ptr[i]; k <= end; k++) pos[_col[k]] = -1;
            if (!(dv > T.Zero) || !T.IsFinite(dv)) return false;
            _l[end] = T.Sqrt(dv);
        }
        return true;
    }

    /// <summary>L's strict lower part and diagonal, and Lᵀ's strict upper part (the transpose, built once) with the same diagonal.</summary>
    private void PlaceFactors()
    {
        int n = Rows;
        var lp = new int[n + 1]; var d = new T[n]; var up = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            lp[i + 1] = lp[i] + (_ptr[i + 1] - _ptr[i] - 1);
            d[i] = _l[_ptr[i + 1] - 1];
            for (int k = _ptr[i]; k < _ptr[i + 1] - 1; k++) up[_col[k] + 1]++;
        }
        for (int i = 0; i < n; i++) up[i + 1] += up[i];
        var lc = new int[lp[n]]; var lv = new T[lp[n]]; var uc = new int[up[n]]; var uv = new T[up[n]];
        var fill = (int[])up.Clone();
        for (int i = 0; i < n; i++)
            for (int k = _ptr[i], t = lp[i]; k < _ptr[i + 1] - 1; k++, t++)
            {
                lc[t] = _col[k]; lv[t] = _l[k];
                int slot = fill[_col[k]]++; // row _col[k] of Lᵀ gets column i (ascending, as i ascends)
                uc[slot] = i; uv[slot] = _l[k];
            }
        SetFactors(lp, lc, lv, d, up, uc, uv, d);
    }
}


/// <summary>Builds <see cref="Ic0Preconditioner{T}"/> (name <c>ic0</c>).</summary>
public sealed class Ic0PreconditionerFactory : IPreconditionerFactory
{
    /// <inheritdoc/>
    public string Name => "ic0";

    /// <inheritdoc/>
    public string Description => "incomplete Cholesky with the pattern of tril(A), shifted on breakdown (factored on the host, level-scheduled triangular solves on the device)";

    /// <inheritdoc/>
    public IPreconditioner<T> Setup<T>(SparseTensor<T> a, int batchIndex = 0) where T : unmanaged, IFloatingPointIeee754<T> =>
        new Ic0Preconditioner<T>(a, batchIndex);
}
