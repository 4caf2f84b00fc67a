using TorchSla.Kernels;
using TorchSla.Kernels.Memory;

namespace TorchSla;

public sealed partial class SparseTensor<T>
{
    /// <summary>
    /// The matrix norm of each matrix, shape <c>[B...]</c> (rank 0 for a single matrix).
    /// Implicit zeros contribute nothing to any of them, so all are computed from the stored values:
    /// <list type="bullet">
    /// <item>Frobenius: (Σ v²)^½, rescaled by max|v| when the squares overflow or underflow.</item>
    /// <item>One: max_j Σ_i |a_ij| — row sums of |Aᵀ| through the cached transposition map.</item>
    /// <item>Infinity: max_i Σ_j |a_ij| — row sums of |A|.</item>
    /// <item>Two: σ_max by power iteration on AᵀA (Golub &amp; Van Loan, "Matrix Computations", 4th ed., §8.2.1):
    /// v ← Aᵀ(A v)/‖Aᵀ(A v)‖ from a fixed pseudo-random start, σ ≈ ‖A v‖, stopping when the
    /// remaining error extrapolated from the last two steps (Aitken) is below
    /// <paramref name="tolerance"/>·σ. The iteration converges like (σ₂/σ₁)^{2k}: clustered top
    /// singular values (e.g. a fine-grid Laplacian) need very many iterations, and then the cap
    /// raises <see cref="NotConvergedException"/> rather than returning a low estimate.</item>
    /// </list>
    /// </summary>
    /// <param name="ord">Which norm.</param>
    /// <param name="tolerance">Relative error of σ (extrapolated) at which the power iteration stops (2-norm only).</param>
    /// <param name="maxIterations">Iteration cap of the power iteration (2-norm only).</param>
    /// <exception cref="NotConvergedException">The power iteration reached <paramref name="maxIterations"/>
    /// before the tolerance; <c>Residual</c> is the last estimated relative error of σ.</exception>
    public Tensor<T> Norm(MatrixNorm ord = MatrixNorm.Frobenius, double tolerance = 1e-10, int maxIterations = 10_000) =>
        RecordNorm(ord, PerMatrix(b => Norm(ord, b, tolerance, maxIterations)));

    /// <summary>The norm named as in torch-sla: <c>"fro"</c>, <c>"1"</c>, <c>"2"</c> or <c>"inf"</c> (see <see cref="Norm(MatrixNorm, double, int)"/>).</summary>
    public Tensor<T> Norm(string ord) => Norm(MatrixNorms.Parse(ord));

    /// <summary>The norm of matrix <paramref name="batchIndex"/> (see <see cref="Norm(MatrixNorm, double, int)"/>).</summary>
    public T Norm(MatrixNorm ord, int batchIndex, double tolerance = 1e-10, int maxIterations = 10_000)
    {
        CheckBatchIndex(batchIndex);
        if (Nnz == 0) return T.Zero;
        int off = batchIndex * Nnz;
        switch (ord)
        {
            case MatrixNorm.Frobenius: return Frobenius(off);
            case MatrixNorm.Infinity: return MaxRowAbsSum(Indices, Values, off);
            case MatrixNorm.One:
            {
                var t = TransposedValues(off);
                using var vt = t.Values;
                return MaxRowAbsSum(t.Indices, vt, 0);
            }
            case MatrixNorm.Two: return SpectralNorm(off, tolerance, maxIterations);
            default: throw new ArgumentOutOfRangeException(nameof(ord), ord, "unknown matrix norm");
        }
    }

    private T Frobenius(int off)
    {
        T s = Backend.Reduce(ReduceOp.SumSquares, Values, off, Nnz);
        if (T.IsNormal(s) || s == T.Zero || T.IsNaN(s)) return T.Sqrt(s);
        // The squares overflowed or underflowed: scale by the largest magnitude first (LAPACK dnrm2's remedy).
        T m = Backend.Reduce(ReduceOp.MaxAbs, Values, off, Nnz);
        if (m == T.Zero || !T.IsFinite(m)) return m;
        using var scaled = Backend.Allocate<T>(Nnz);
        Backend.Map(UnaryOp.Identity, T.One / m, Values, off, scaled, 0, Nnz);
        return m * T.Sqrt(Backend.Reduce(ReduceOp.SumSquares, scaled, 0, Nnz));
    }

    private T MaxRowAbsSum(CsrIndices idx, Storage<T> vals, int off)
    {
        if (idx.Rows == 0) return T.Zero;
        using var sums = Backend.Allocate<T>(idx.Rows);
        Backend.RowReduce(ReduceOp.SumAbs, idx, vals, off, sums, 0);
        return Backend.Reduce(ReduceOp.Max, sums, 0, idx.Rows);
    }

    /// <summary>
    /// The transposed pattern on this device and the values of the matrix stored at <paramref name="off"/>
    /// gathered into its order through the cached transposition map (Aᵀ without re-sorting). The caller disposes the values.
    /// </summary>
    private (CsrIndices Indices, Storage<T> Values) TransposedValues(int off)
    {
        var (pt, _) = Pattern.Transpose();
        var vt = Backend.Allocate<T>(Nnz);
        Backend.Gather(Values, off, Pattern.TransposeMap.On(Device), 0, vt, 0, Nnz, T.One, accumulate: false);
        return (pt.On(Device), vt);
    }

    /// <summary>
    /// The unit start vector of the power iterations on AᵀA (the 2-norm and its gradient): fixed pseudo-random
    /// entries in [0.5, 1.5), because a constant vector can be orthogonal to the top singular vector.
    /// </summary>
    private Storage<T> PowerIterationStart()
    {
        var rng = new Random(12345);
        var start = new T[Cols];
        for (int i = 0; i < start.Length; i++) start[i] = T.CreateTruncating(rng.NextDouble() + 0.5);
        var v = Backend.Upload<T>(start);
        Backend.Map(UnaryOp.Identity, T.One / T.Sqrt(Backend.Dot(v, 0, v, 0, Cols)), v, 0, v, 0, Cols);
        return v;
    }

    private T SpectralNorm(int off, double tolerance, int maxIterations)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxIterations);
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        var t = TransposedValues(off);
        var idxT = t.Indices;
        using var vt = t.Values;
        using var v = PowerIterationStart();
        using var w = Backend.Allocate<T>(Rows);
        using var z = Backend.Allocate<T>(Cols);
        // Below a few ulps the estimate only jitters with rounding: never ask for less.
        T ulp = T.BitIncrement(T.One) - T.One;
        T tol = T.Max(T.CreateTruncating(tolerance), T.CreateTruncating(8) * ulp);
        T sigmaPrev = T.Zero, diffPrev = T.Zero;
        double errorEstimate = double.NaN;
        for (int it = 1; it <= maxIterations; it++)
        {
            Backend.SpMV(Indices, Values, off, v, 0, w, 0, T.One, T.Zero);          // w = A v
            T sigma = T.Sqrt(Backend.Dot(w, 0, w, 0, Rows));                        // ‖A v‖, ‖v‖ = 1
            if (sigma == T.Zero || !T.IsFinite(sigma)) return sigma;                // A v = 0 only for A = 0 from a generic start
            Backend.SpMV(idxT, vt, 0, w, 0, z, 0, T.One, T.Zero);                   // z = Aᵀ w
            T zn = T.Sqrt(Backend.Dot(z, 0, z, 0, Cols));
            Backend.Map(UnaryOp.Identity, T.One / zn, z, 0, v, 0, Cols);
            // The estimates increase towards σ₁ geometrically, σ₁ − σ_k ≈ c·ρ^k: from two successive
            // steps Δ_k and Δ_{k−1}, ρ ≈ Δ_k/Δ_{k−1} and the remaining error ≈ Δ_k·ρ/(1 − ρ) (Aitken's
            // extrapolation). Stopping on this estimate rather than on Δ_k alone keeps a slowly
            // converging iteration (clustered σ₁ ≈ σ₂) from stopping far from σ₁.
            T diff = sigma - sigmaPrev;
            if (it > 2)
            {
                T err;
                if (diff <= T.Zero) err = T.Zero;                                  // stagnated at rounding level
                else
                {
                    T rho = diffPrev > T.Zero ? diff / diffPrev : T.One;
                    err = rho < T.One ? diff * rho / (T.One - rho) : T.PositiveInfinity;
                }
                errorEstimate = double.CreateTruncating(err / sigma);
                if (err <= tol * sigma) return sigma;
            }
            sigmaPrev = sigma; diffPrev = diff;
        }
        throw new NotConvergedException(
            $"2-norm of a matrix of shape {Shapes.Str(Shape)}: power iteration did not reach relative error {tolerance:g3} in {maxIterations} iterations (estimated relative error {errorEstimate:g3}, estimate {double.CreateTruncating(sigmaPrev):g17}; the largest singular values are clustered)",
            maxIterations, errorEstimate);
    }
}
