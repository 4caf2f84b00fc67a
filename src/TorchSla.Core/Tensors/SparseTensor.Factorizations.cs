using TorchSla.Kernels.Memory;
using TorchSla.Solvers.Direct;

namespace TorchSla;

public sealed partial class SparseTensor<T>
{
    /// <summary>
    /// Supernodal Cholesky factorization P·A·Pᵀ = L·Lᵀ of this symmetric positive definite matrix (each matrix of a
    /// batch, on one shared analysis). A must be stored with both triangles.
    /// </summary>
    /// <param name="ordering">Fill-reducing ordering (<see cref="CholeskyOrdering.Automatic"/> by default: the fewer flops of AMD and nested dissection).</param>
    /// <param name="pivotTolerance">A pivot is accepted only when above pivotTolerance·max_i |a_ii| (0: positivity only).</param>
    /// <exception cref="ShapeMismatchException">A is not square.</exception>
    /// <exception cref="ArgumentException">A is not symmetric (relative tolerance <see cref="DefaultSymmetryTolerance"/>).</exception>
    /// <exception cref="NotPositiveDefiniteException">A pivot failed; <see cref="NotPositiveDefiniteException.Column"/> names the column of A.</exception>
    /// <exception cref="NonFiniteValueException">A has a NaN or infinite value.</exception>
    public CholeskyFactorization<T> Cholesky(CholeskyOrdering ordering = CholeskyOrdering.Automatic, double pivotTolerance = 0)
    {
        CheckSymmetricForFactorization("Cholesky");
        return new CholeskyFactorization<T>(this, ordering, pivotTolerance);
    }

    /// <summary>
    /// Multifrontal LDLᵀ factorization of this symmetric (possibly indefinite) matrix with 1×1/2×2 pivoting inside fronts, delayed pivots and
    /// iterative refinement in the solves (see <see cref="LdltFactorization{T}"/>). A must be stored with both triangles.
    /// </summary>
    /// <param name="ordering">Fill-reducing ordering (<see cref="CholeskyOrdering.Automatic"/> by default: the fewer flops of AMD and nested dissection).</param>
    /// <exception cref="ShapeMismatchException">A is not square.</exception>
    /// <exception cref="ArgumentException">A is not symmetric.</exception>
    /// <exception cref="NonFiniteValueException">A has a NaN or infinite value.</exception>
    public LdltFactorization<T> Ldlt(CholeskyOrdering ordering = CholeskyOrdering.Automatic)
    {
        CheckSymmetricForFactorization("LDLᵀ");
        return new LdltFactorization<T>(this, ordering);
    }

    /// <summary>
    /// Sparse LU factorization P·A·Q = L·U with threshold partial pivoting of this square matrix (each matrix of a
    /// batch, on one shared analysis): multifrontal for nearly symmetric patterns, left-looking Gilbert–Peierls
    /// otherwise; see <see cref="LuFactorization{T}"/>.
    /// </summary>
    /// <param name="ordering">Fill-reducing ordering, computed on the pattern of A + Aᵀ (<see cref="CholeskyOrdering.Automatic"/>:
    /// as for Cholesky with the multifrontal algorithm, AMD with the left-looking one).</param>
    /// <param name="pivotThreshold">The diagonal is kept as pivot when |x_diag| ≥ pivotThreshold·max|x_i| (1: plain partial pivoting).</param>
    /// <param name="algorithm">Numeric algorithm (<see cref="LuAlgorithm.Automatic"/>: chosen by the pattern's symmetry).</param>
    /// <exception cref="ShapeMismatchException">A is not square.</exception>
    /// <exception cref="SingularMatrixException">A column has no nonzero pivot; <see cref="SingularMatrixException.Column"/> names it.</exception>
    /// <exception cref="NonFiniteValueException">A has a NaN or infinite value.</exception>
    /// <exception cref="ArgumentOutOfRangeException">pivotThreshold is not in (0, 1].</exception>
    public LuFactorization<T> Lu(CholeskyOrdering ordering = CholeskyOrdering.Automatic, double pivotThreshold = 0.1, LuAlgorithm algorithm = LuAlgorithm.Automatic)
    {
        if (!IsSquare) throw new ShapeMismatchException($"LU needs square matrices, got shape {ShapeMismatchException.Format(Shape)}", "a");
        return new LuFactorization<T>(this, ordering, pivotThreshold, algorithm);
    }

    private void CheckSymmetricForFactorization(string what)
    {
        if (!IsSquare) throw new ShapeMismatchException($"{what} needs square matrices, got shape {ShapeMismatchException.Format(Shape)}", "a");
        CheckFinite(Values is CpuStorage<T> host ? host.Span : GetValues()); // host values are read in place, not copied
        if (!IsSymmetric())
            throw new ArgumentException($"{what} needs a symmetric matrix stored with both triangles; this {Rows}×{Cols} matrix is not symmetric to relative tolerance {DefaultSymmetryTolerance:g2} (use Lu() for unsymmetric matrices)", "a");
    }
}
