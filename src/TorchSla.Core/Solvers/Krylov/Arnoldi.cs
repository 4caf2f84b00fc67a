using System.Numerics;

namespace TorchSla.Solvers.Krylov;

/// <summary>
/// The Arnoldi process of the GMRES family and its small least-squares problem:
/// modified Gram–Schmidt with one reorthogonalisation pass when the norm drops by more than
/// a factor 0.7 (Daniel, Gragg, Kaufman &amp; Stewart, Math. Comp. 30 (1976) 772–795, "twice is
/// enough"), and the Hessenberg matrix reduced to triangular form by Givens rotations as the
/// columns arrive, so ‖r_j‖ = |g_{j+1}| is known at every step without forming x (Saad &amp; Schultz,
/// SIAM J. Sci. Stat. Comput. 7 (1986) 856–869; Saad, "Iterative Methods", §6.5.3).
/// The (m+1)×m matrix lives on the host in double precision: it is tiny.
/// </summary>
internal sealed class Arnoldi<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IVectorSpace<T> _space;
    private readonly double[,] _h;   // R after the rotations, column-major use: _h[i, j]
    private readonly double[] _cs, _sn, _g, _y;

    public Arnoldi(IVectorSpace<T> space, int restart)
    {
        _space = space;
        Restart = restart;
        V = new Tensor<T>[restart + 1];
        for (int i = 0; i <= restart; i++) V[i] = space.Create();
        _h = new double[restart + 1, restart];
        _cs = new double[restart];
        _sn = new double[restart];
        _g = new double[restart + 1];
        _y = new double[restart];
    }

    public int Restart { get; }

    /// <summary>The orthonormal basis v_0 … v_m.</summary>
    public Tensor<T>[] V { get; }

    /// <summary>Starts a cycle: v_0 = r/β, g = β·e_1.</summary>
    public void Start(Tensor<T> r, double beta)
    {
        _space.Axpby(T.CreateTruncating(1 / beta), r, T.Zero, V[0]);
        Array.Clear(_g);
        _g[0] = beta;
    }

    /// <summary>
    /// Orthogonalises w (= A·M⁻¹·v_j, held in V[j+1]) against v_0 … v_j, normalises it, and
    /// adds column j to the triangular factor. Returns the new residual estimate |g_{j+1}| and
    /// h_{j+1,j} (0: the Krylov space is invariant, "happy breakdown").
    /// </summary>
    public (double Residual, double SubDiagonal) Step(int j)
    {
        var w = V[j + 1];
        double norm0 = double.CreateTruncating(_space.Norm(w));
        for (int i = 0; i <= j; i++)
        {
            T hij = _space.Dot(V[i], w);
            _space.Axpby(-hij, V[i], T.One, w);
            _h[i, j] = double.CreateTruncating(hij);
        }
        double hNext = double.CreateTruncating(_space.Norm(w));
        if (hNext < 0.7 * norm0)
        {
            for (int i = 0; i <= j; i++)
            {
                T c = _space.Dot(V[i], w);
                _space.Axpby(-c, V[i], T.One, w);
                _h[i, j] += double.CreateTruncating(c);
            }
            hNext = double.CreateTruncating(_space.Norm(w));
        }
        if (hNext > 0 && double.IsFinite(hNext)) _space.Axpby(T.CreateTruncating(1 / hNext), w, T.Zero, w);
        // Apply the earlier rotations to the new column, then the one that zeroes h_{j+1,j}.
        for (int i = 0; i < j; i++)
        {
            double a = _h[i, j], b = _h[i + 1, j];
            _h[i, j] = _cs[i] * a + _sn[i] * b;
            _h[i + 1, j] = -_sn[i] * a + _cs[i] * b;
        }
        double d = double.Hypot(_h[j, j], hNext);
        if (d == 0) { _cs[j] = 1; _sn[j] = 0; }
        else { _cs[j] = _h[j, j] / d; _sn[j] = hNext / d; }
        _h[j, j] = d;
        _g[j + 1] = -_sn[j] * _g[j];
        _g[j] = _cs[j] * _g[j];
        return (Math.Abs(_g[j + 1]), hNext);
    }

    /// <summary>Whether the triangular factor of the first <paramref name="k"/> columns has a zero (or non-finite) pivot.</summary>
    public bool Singular(int k)
    {
        for (int i = 0; i < k; i++) if (!(Math.Abs(_h[i, i]) > 0) || !double.IsFinite(_h[i, i])) return true;
        return false;
    }

    /// <summary>
    /// Solves R·y = g for the first <paramref name="k"/> columns and accumulates
    /// target += Σ y_i·basis[i] (basis = V for GMRES, Z for FGMRES).
    /// </summary>
    public void Update(int k, Tensor<T>[] basis, Tensor<T> target)
    {
        for (int i = k - 1; i >= 0; i--)
        {
            double s = _g[i];
            for (int l = i + 1; l < k; l++) s -= _h[i, l] * _y[l];
            _y[i] = s / _h[i, i];
        }
        for (int i = 0; i < k; i++) _space.Axpby(T.CreateTruncating(_y[i]), basis[i], T.One, target);
    }
}
