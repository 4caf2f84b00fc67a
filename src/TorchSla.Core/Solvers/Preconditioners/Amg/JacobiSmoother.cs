using System.Numerics;
using TorchSla.Kernels.Memory;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Damped Jacobi x ← x + ω·D⁻¹(b − A·x) (Saad, "Iterative Methods for Sparse Linear Systems",
/// 2nd ed., §4.1), with D = diag(A) and ω = 4/(3·λ̂), λ̂ ≈ λ_max(D⁻¹A), or the ℓ1 variant with
/// D_ii = Σ_j |a_ij| and ω = 1, which converges for every SPD matrix because
/// 2·D_ℓ1 − A is positive definite (Baker, Falgout, Kolev &amp; Yang 2011, §5).
/// One SpMV, a copy and one fused vector pass per sweep; symmetric, so one smoother serves both halves of the cycle.
/// </summary>
internal sealed class JacobiSmoother<T> : Smoother<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Storage<T> _inverseDiagonal;
    private readonly Tensor<T> _r;
    private readonly T _omega;
    private readonly double _rho;

    /// <summary>Takes ownership of <paramref name="inverseDiagonal"/> (D⁻¹ as a vector of n entries); <paramref name="residual"/> is the level's work vector (borrowed).</summary>
    public JacobiSmoother(Storage<T> inverseDiagonal, Tensor<T> residual, double omega, double rho)
    {
        _inverseDiagonal = inverseDiagonal;
        _omega = T.CreateTruncating(omega);
        _rho = rho;
        _r = residual;
    }

    public override double SpectralRadius => _rho;

    public override void Smooth(SparseTensor<T> a, Tensor<T> x, Tensor<T> b, int sweeps, bool zeroGuess, bool backward)
    {
        var be = a.Backend;
        int n = a.Rows;
        for (int s = 0; s < sweeps; s++)
        {
            // x ← x + ω·D⁻¹(b − A·x) as one fused pass after the residual (from a zero guess: x ← ω·D⁻¹b).
            if (s == 0 && zeroGuess) { be.AmgSmoothingStep(_inverseDiagonal, b.Storage, _r.Storage, x.Storage, n, _omega, T.Zero, overwriteX: true); continue; }
            Residual(a, x, b, _r);
            be.AmgSmoothingStep(_inverseDiagonal, _r.Storage, _r.Storage, x.Storage, n, _omega, T.Zero, overwriteX: false);
        }
    }

    public override void Dispose() => _inverseDiagonal.Dispose();
}
