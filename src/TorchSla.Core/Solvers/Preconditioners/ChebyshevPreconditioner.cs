using System.Numerics;
using TorchSla.Kernels;
using TorchSla.Kernels.Memory;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Polynomial preconditioning by a fixed number of Chebyshev iterations on A·z = r from z = 0
/// (Saad, "Iterative Methods for Sparse Linear Systems", 2nd ed., §12.3, Algorithm 12.1), for a
/// symmetric positive definite A with spectrum inside [λ_lo, λ_hi]. The bounds come from a few
/// Lanczos steps (<see cref="LanczosExtremes"/>): the largest Ritz value is raised by 10% since
/// Ritz values lie inside the spectrum and an underestimated λ_max would let the residual
/// polynomial exceed 1 in modulus there (M⁻¹ would lose definiteness); the smallest Ritz value
/// overestimates λ_min, which is harmless: on (0, λ_lo) the residual polynomial stays in (0, 1),
/// so M⁻¹ = q(A) keeps positive eigenvalues λ·q(λ) ∈ (0, 2). M⁻¹ is a fixed polynomial in A,
/// hence symmetric and usable inside CG. Every application costs <c>degree − 1</c> SpMVs and
/// about 5n values of vector traffic per step, all on A's device.
/// </summary>
public sealed class ChebyshevPreconditioner<T> : PreconditionerBase<T>, IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Backend _be;
    private readonly CsrIndices _indices;
    private readonly Storage<T> _values;
    private readonly int _valOffset;
    private readonly Storage<T> _res, _d;

    /// <summary>Estimates the spectrum of matrix <paramref name="batchIndex"/> of <paramref name="a"/> and prepares the work vectors.</summary>
    /// <param name="a">A symmetric positive definite matrix.</param>
    /// <param name="degree">Polynomial degree (Chebyshev steps per application), at least 1.</param>
    /// <param name="batchIndex">Which matrix of the batch.</param>
    /// <param name="lanczosSteps">Lanczos steps for the bounds.</param>
    /// <exception cref="ArgumentException">The estimated spectrum is not positive (A is not positive definite).</exception>
    public ChebyshevPreconditioner(SparseTensor<T> a, int degree = 4, int batchIndex = 0, int lanczosSteps = 20)
        : base("chebyshev", a?.Rows ?? 0, a?.Device ?? Device.Cpu)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ShapeMismatchException($"Chebyshev preconditioner needs a square matrix; A is {a.Rows}×{a.Cols}", nameof(a));
        ArgumentOutOfRangeException.ThrowIfLessThan(degree, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(lanczosSteps, 1);
        if ((uint)batchIndex >= (uint)a.BatchSize)
            throw new ArgumentOutOfRangeException(nameof(batchIndex), $"batch index {batchIndex} is out of range [0, {a.BatchSize})");
        Degree = degree;
        _be = a.Backend;
        _indices = a.Indices;
        _values = a.Values;
        _valOffset = batchIndex * a.Nnz;
        if (a.Rows > 0)
        {
            var (lo, hi, _) = LanczosExtremes.Estimate(_be, _indices, _values, _valOffset, lanczosSteps, seed: 12345);
            if (!(lo > 0) || !double.IsFinite(hi))
                throw new ArgumentException($"Chebyshev preconditioner needs a positive definite matrix; Lanczos estimates its spectrum as [{lo:G3}, {hi:G3}]", nameof(a));
            LowerBound = lo;
            UpperBound = 1.1 * hi;
        }
        _res = _be.Allocate<T>(a.Rows);
        _d = _be.Allocate<T>(a.Rows);
    }

    /// <summary>Chebyshev steps per application.</summary>
    public int Degree { get; }

    /// <summary>λ_lo of the interval the polynomial is built for.</summary>
    public double LowerBound { get; }

    /// <summary>λ_hi of the interval the polynomial is built for.</summary>
    public double UpperBound { get; }

    /// <inheritdoc/>
    protected override void ApplyCore(Tensor<T> r, Tensor<T> z)
    {
        int n = Rows;
        if (n == 0) return;
        double theta = 0.5 * (UpperBound + LowerBound), delta = 0.5 * (UpperBound - LowerBound);
        double sigma = theta / delta, rho = 1 / sigma;
        var zs = z.Storage;
        _be.Copy(r.Storage, 0, _res, 0, n);                                            // res = r − A·0
        _be.Map(UnaryOp.Identity, T.CreateTruncating(1 / theta), _res, 0, _d, 0, n);    // d = res/θ
        _be.Fill(zs, 0, n, T.Zero);
        for (int k = 1; ; k++)
        {
            _be.Axpby(T.One, _d, 0, T.One, zs, 0, n);                                  // z += d
            if (k == Degree) break;
            _be.SpMV(_indices, _values, _valOffset, _d, 0, _res, 0, -T.One, T.One);     // res −= A·d
            double rhoNew = 1 / (2 * sigma - rho);
            _be.Axpby(T.CreateTruncating(2 * rhoNew / delta), _res, 0, T.CreateTruncating(rhoNew * rho), _d, 0, n); // d = ρ'ρ·d + (2ρ'/δ)·res
            rho = rhoNew;
        }
    }

    /// <summary>Frees the two work vectors.</summary>
    public void Dispose()
    {
        _res.Dispose();
        _d.Dispose();
    }
}

/// <summary>Builds <see cref="ChebyshevPreconditioner{T}"/> (name <c>chebyshev</c>, degree 4 unless told otherwise).</summary>
/// <param name="degree">Polynomial degree (default 4).</param>
public sealed class ChebyshevPreconditionerFactory(int degree = 4) : IPreconditionerFactory
{
    /// <inheritdoc/>
    public string Name => "chebyshev";

    /// <inheritdoc/>
    public string Description => $"Chebyshev polynomial of degree {degree} on Lanczos spectrum bounds (SPD)";

    /// <inheritdoc/>
    public IPreconditioner<T> Setup<T>(SparseTensor<T> a, int batchIndex = 0) where T : unmanaged, IFloatingPointIeee754<T> =>
        new ChebyshevPreconditioner<T>(a, degree, batchIndex);
}
