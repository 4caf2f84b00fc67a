using TorchSla.Autodiff;
using TorchSla.Solvers;
using TorchSla.Solvers.Direct;

namespace TorchSla;

/// <summary>
/// Determinants from a sparse factorization (float64 on the host, one analysis for a whole batch), recorded
/// on the tape with one node per call. det A = sign·exp(log|det A|) with log|det A| summed over the pivots:
/// Π l_jj² (Cholesky), Π d_j (LDLᵀ), sign(P)·sign(Q)·Π u_kk (LU).
/// </summary>
public sealed partial class SparseTensor<T>
{
    /// <summary>
    /// det A of each matrix, shape <c>[B...]</c> (rank 0 for a single matrix), differentiable with respect to the stored
    /// values: ∂det A/∂a_ij = det A·(A⁻ᵀ)_ij on the pattern (Jacobi's formula), from the selected inverse of the factors.
    /// The value overflows to ±∞ or underflows to 0 for large matrices: prefer <see cref="LogDet"/> or <see cref="SlogDet"/>.
    /// </summary>
    /// <param name="method">The factorization: <see cref="SolveMethod.Auto"/> (Cholesky for a symmetric positive definite matrix,
    /// else LU with partial pivoting), <see cref="SolveMethod.Cholesky"/>, <see cref="SolveMethod.Ldlt"/> (1×1/2×2 pivots; its gradient is
    /// computed from an LU of the same matrix) or <see cref="SolveMethod.Lu"/>.</param>
    /// <exception cref="ShapeMismatchException">A is not square.</exception>
    /// <exception cref="ArgumentException">The method is not a factorization, or a symmetric one was named for an unsymmetric A.</exception>
    /// <exception cref="SingularMatrixException">A is singular (LU found no pivot): its determinant is 0 and the factors do not exist.</exception>
    /// <exception cref="NotPositiveDefiniteException">Cholesky was named and A is not positive definite.</exception>
    /// <exception cref="NonFiniteValueException">A holds NaN or ±∞.</exception>
    public Tensor<T> Det(SolveMethod method = SolveMethod.Auto)
    {
        var (f, logAbs, sign) = Determinant(method);
        var det = new double[BatchSize];
        for (int b = 0; b < BatchSize; b++) det[b] = sign[b] * Math.Exp(logAbs[b]);
        return RecordDeterminant(PerMatrix(b => T.CreateChecked(det[b])), f, det, "det");
    }

    /// <summary>
    /// log|det A| of each matrix, shape <c>[B...]</c>, differentiable: ∂log|det A|/∂a_ij = (A⁻ᵀ)_ij on the pattern
    /// (from the selected inverse of the factors; no dense inverse). Finite for any nonsingular A, however large
    /// (unlike <see cref="Det"/>); the sign of the determinant comes from <see cref="SlogDet"/>. Unlike torch's
    /// <c>logdet</c>, a negative determinant gives log|det A|, not NaN.
    /// </summary>
    /// <param name="method">The factorization (see <see cref="Det"/>).</param>
    /// <exception cref="ShapeMismatchException">A is not square.</exception>
    /// <exception cref="ArgumentException">The method is not a factorization, or a symmetric one was named for an unsymmetric A.</exception>
    /// <exception cref="SingularMatrixException">A is singular.</exception>
    /// <exception cref="NotPositiveDefiniteException">Cholesky was named and A is not positive definite.</exception>
    /// <exception cref="NonFiniteValueException">A holds NaN or ±∞.</exception>
    public Tensor<T> LogDet(SolveMethod method = SolveMethod.Auto) => SlogDet(method).LogAbsDet;

    /// <summary>
    /// sign(det A) ∈ {−1, +1} (not differentiable) and log|det A| (differentiable, as <see cref="LogDet"/>) of each
    /// matrix, both of shape <c>[B...]</c>: torch's <c>slogdet</c>.
    /// </summary>
    /// <param name="method">The factorization (see <see cref="Det"/>).</param>
    /// <exception cref="ShapeMismatchException">A is not square.</exception>
    /// <exception cref="ArgumentException">The method is not a factorization, or a symmetric one was named for an unsymmetric A.</exception>
    /// <exception cref="SingularMatrixException">A is singular.</exception>
    /// <exception cref="NotPositiveDefiniteException">Cholesky was named and A is not positive definite.</exception>
    /// <exception cref="NonFiniteValueException">A holds NaN or ±∞.</exception>
    public (Tensor<T> Sign, Tensor<T> LogAbsDet) SlogDet(SolveMethod method = SolveMethod.Auto)
    {
        var (f, logAbs, sign) = Determinant(method);
        var ones = new double[BatchSize];
        Array.Fill(ones, 1.0);
        var s = PerMatrix(b => T.CreateChecked(sign[b]));
        return (s, RecordDeterminant(PerMatrix(b => T.CreateChecked(logAbs[b])), f, ones, "logdet"));
    }

    /// <summary>The factorization and log|det|, sign of every matrix of the batch.</summary>
    private (SparseFactorization<T> F, double[] LogAbs, int[] Sign) Determinant(SolveMethod method)
    {
        if (!IsSquare) throw new ShapeMismatchException($"a determinant needs square matrices, got shape {ShapeMismatchException.Format(Shape)}", "a");
        SparseFactorization<T> f;
        using (GradMode.NoGrad()) f = FactorForDeterminant(Device == Device.Cpu ? this : Cpu(), method);
        var logAbs = new double[BatchSize];
        var sign = new int[BatchSize];
        for (int b = 0; b < BatchSize; b++) { logAbs[b] = f.LogAbsDet(b); sign[b] = f.Sign(b); }
        return (f, logAbs, sign);
    }

    private static SparseFactorization<T> FactorForDeterminant(SparseTensor<T> host, SolveMethod method)
    {
        switch (method)
        {
            case SolveMethod.Auto:
                // An indefinite symmetric matrix goes to LU rather than LDLᵀ: the gradient needs the selected inverse,
                // which the LU factors give directly (LDLᵀ's would come from a second, LU, factorization).
                if (host.Nnz > 0 && host.IsSymmetric())
                    try { return host.Cholesky(); }
                    catch (NotPositiveDefiniteException) { }
                return host.Lu();
            case SolveMethod.Cholesky: return host.Cholesky();
            case SolveMethod.Ldlt: return host.Ldlt();
            case SolveMethod.Lu: return host.Lu();
            default:
                throw new ArgumentException($"a determinant comes from a factorization: the method must be auto, cholesky, ldlt or lu, got {method.Name()}", nameof(method));
        }
    }
}
