using System.Numerics;
using TorchSla.Kernels.Memory;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Chebyshev smoothing: the polynomial in D⁻¹A of given degree that is smallest on
/// [λ_low, λ_high] = [λ̂/ratio, 1.1·λ̂], so it damps the upper part of the spectrum of D⁻¹A
/// (oscillatory error) and leaves the lower part to the coarse grid (Adams, Brezina, Hu &amp;
/// Tuminaro, J. Comput. Phys. 188 (2003) 593–610). The three-term recurrence is Saad's
/// Chebyshev acceleration (Saad, 2nd ed., §12.3.2, Algorithm 12.1) with the Jacobi
/// preconditioner: θ = (λ_high + λ_low)/2, δ = (λ_high − λ_low)/2, σ = θ/δ,
/// d₀ = D⁻¹r/θ, x ← x + d_k, r ← r − A·d_k, ρ_{k+1} = 1/(2σ − ρ_k),
/// d_{k+1} = ρ_{k+1}ρ_k·d_k + (2ρ_{k+1}/δ)·D⁻¹r.
/// A polynomial in a symmetric operator is symmetric, so the V-cycle stays symmetric. Per sweep
/// of degree m: m SpMVs with A (m − 1 with a zero guess) and m fused vector passes (Backend.AmgSmoothingStep).
/// </summary>
internal sealed class ChebyshevSmoother<T> : Smoother<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Storage<T> _inverseDiagonal;
    private readonly Tensor<T> _r, _d;
    private readonly int _degree;
    private readonly double _theta, _delta, _rho;

    /// <summary>Takes ownership of <paramref name="inverseDiagonal"/> (D⁻¹ as a vector of n entries); <paramref name="residual"/> is the level's work vector (borrowed).</summary>
    public ChebyshevSmoother(Storage<T> inverseDiagonal, Tensor<T> residual, int n, Device device, double rho, int degree, double ratio)
    {
        _inverseDiagonal = inverseDiagonal;
        _rho = rho;
        _degree = degree;
        double hi = 1.1 * rho, lo = rho / ratio;
        _theta = (hi + lo) / 2;
        _delta = (hi - lo) / 2;
        _r = residual;
        _d = Vector(n, device);
    }

    public override double SpectralRadius => _rho;

    public override void Smooth(SparseTensor<T> a, Tensor<T> x, Tensor<T> b, int sweeps, bool zeroGuess, bool backward)
    {
        var be = a.Backend;
        int n = a.Rows;
        double sigma = _theta / _delta;
        var w = _inverseDiagonal;
        for (int s = 0; s < sweeps; s++)
        {
            // d₀ = D⁻¹r/θ and x += d₀ in one pass; from a zero guess r = b and x = d₀.
            bool zero = s == 0 && zeroGuess;
            if (zero) be.AmgSmoothingStep(w, b.Storage, _d.Storage, x.Storage, n, T.CreateTruncating(1 / _theta), T.Zero, overwriteX: true);
            else
            {
                Residual(a, x, b, _r);
                be.AmgSmoothingStep(w, _r.Storage, _d.Storage, x.Storage, n, T.CreateTruncating(1 / _theta), T.Zero, overwriteX: false);
            }
            double rho = 1 / sigma;
            for (int k = 1; k < _degree; k++)
            {
                // r ← r − A·d_{k−1} (from a zero guess r = b first), then d_k and x += d_k in one pass.
                if (zero && k == 1) be.Copy(b.Storage, 0, _r.Storage, 0, n);
                SpMV(a, _d, _r, -T.One, T.One);
                double rhoNew = 1 / (2 * sigma - rho);
                be.AmgSmoothingStep(w, _r.Storage, _d.Storage, x.Storage, n, T.CreateTruncating(2 * rhoNew / _delta), T.CreateTruncating(rhoNew * rho), overwriteX: false);
                rho = rhoNew;
            }
        }
    }

    public override void Dispose() { _inverseDiagonal.Dispose(); _d.Dispose(); }
}
