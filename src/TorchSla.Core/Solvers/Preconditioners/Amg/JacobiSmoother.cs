using System.Numerics;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Damped Jacobi x ← x + ω·D⁻¹(b − A·x) (Saad, "Iterative Methods for Sparse Linear Systems",
/// 2nd ed., §4.1), with D = diag(A) and ω = 4/(3·λ̂), λ̂ ≈ λ_max(D⁻¹A), or the ℓ1 variant with
/// D_ii = Σ_j |a_ij| and ω = 1, which converges for every SPD matrix because
/// 2·D_ℓ1 − A is positive definite (Baker, Falgout, Kolev &amp; Yang 2011, §5).
/// Two SpMVs and a copy per sweep; symmetric, so one smoother serves both halves of the cycle.
/// </summary>
internal sealed class JacobiSmoother<T> : Smoother<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SparseTensor<T> _inverseDiagonal;
    private readonly Tensor<T> _r;
    private readonly T _omega;
    private readonly double _rho;

    public JacobiSmoother(SparseTensor<T> inverseDiagonal, double omega, double rho)
    {
        _inverseDiagonal = inverseDiagonal;
        _omega = T.CreateTruncating(omega);
        _rho = rho;
        _r = Vector(inverseDiagonal.Rows, inverseDiagonal.Device);
    }

    public override double SpectralRadius => _rho;

    public override void Smooth(SparseTensor<T> a, Tensor<T> x, Tensor<T> b, int sweeps, bool zeroGuess, bool backward)
    {
        for (int s = 0; s < sweeps; s++)
        {
            if (s == 0 && zeroGuess) { SpMV(_inverseDiagonal, b, x, _omega, T.Zero); continue; }
            Residual(a, x, b, _r);
            SpMV(_inverseDiagonal, _r, x, _omega, T.One);
        }
    }

    public override void Dispose() { _inverseDiagonal.Dispose(); _r.Dispose(); }
}
