using TorchSla.Kernels;
using TorchSla.Solvers;
using TorchSla.Solvers.Direct;

namespace TorchSla;

/// <summary>
/// Matrix properties: diagonal, symmetry, definiteness, and torch-sla's matrix-type label.
/// For a batch, the predicates take a batch index; the default −1 asks about every matrix of
/// the batch at once (true only when all of them have the property).
/// </summary>
public sealed partial class SparseTensor<T>
{
    /// <summary>Default relative tolerance of <see cref="IsSymmetric"/>.</summary>
    public const double DefaultSymmetryTolerance = 1e-12;

    /// <summary>Default relative pivot tolerance of the Cholesky test in <see cref="IsPositiveDefinite"/>.</summary>
    public const double DefaultPivotTolerance = 1e-12;

    /// <summary>Default budget of nnz(L) for the Cholesky test (2·10⁸ entries, about 2.4 GB of factor).</summary>
    public const long DefaultCholeskyBudget = 200_000_000;

    /// <summary>
    /// The main diagonal a_ii, i &lt; min(M, N), of each matrix: shape <c>[B..., min(M, N)]</c>
    /// (zeros where nothing is stored). One gather through the cached diagonal slots.
    /// </summary>
    public Tensor<T> Diagonal()
    {
        var map = Pattern.DiagonalMap;
        int k = map.Length;
        var r = Backend.Allocate<T>(checked(BatchSize * k));
        for (int b = 0; b < BatchSize; b++)
            Backend.Gather(Values, b * Nnz, map.On(Device), 0, r, b * k, k, T.One, accumulate: false);
        return new Tensor<T>(r, [.. _batchShape, k]);
    }

    /// <summary>
    /// Whether A = Aᵀ: square, and |a_ij − a_ji| ≤ <paramref name="tolerance"/> · max|a| for every
    /// pair, where a missing entry counts as 0 (so the patterns may differ by explicit zeros).
    /// Pass 0 for an exact test. The union of the pattern with its transpose and the slot maps
    /// are computed once per pattern; the values are compared by two gathers and a max-reduction
    /// on the tensor's device. NaN anywhere makes the answer false.
    /// </summary>
    /// <param name="tolerance">Relative tolerance (default 1e-12; 0: exact equality).</param>
    /// <param name="batchIndex">Which matrix of the batch; −1 (default): all of them.</param>
    public bool IsSymmetric(double tolerance = DefaultSymmetryTolerance, int batchIndex = -1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        if (!IsSquare) return false;
        foreach (int b in BatchIndices(batchIndex))
            if (!IsSymmetricAt(b, tolerance)) return false;
        return true;
    }

    /// <summary>Whether A = Aᴴ; for real values the same as <see cref="IsSymmetric"/>.</summary>
    public bool IsHermitian(double tolerance = DefaultSymmetryTolerance, int batchIndex = -1) => IsSymmetric(tolerance, batchIndex);

    private IEnumerable<int> BatchIndices(int batchIndex)
    {
        if (batchIndex == -1) return Enumerable.Range(0, BatchSize);
        CheckBatchIndex(batchIndex);
        return [batchIndex];
    }

    private bool IsSymmetricAt(int b, double tolerance)
    {
        if (Nnz == 0) return true;
        int off = b * Nnz;
        var plan = Pattern.SymmetryPlan();
        int nu = plan.Pattern.Nnz;
        using var d = Backend.Allocate<T>(nu);
        Backend.Gather(Values, off, plan.MapA.On(Device), 0, d, 0, nu, T.One, accumulate: false);
        Backend.Gather(Values, off, plan.MapB.On(Device), 0, d, 0, nu, -T.One, accumulate: true);
        T maxDiff = Backend.Reduce(ReduceOp.MaxAbs, d, 0, nu);
        T maxA = Backend.Reduce(ReduceOp.MaxAbs, Values, off, Nnz);
        return maxDiff <= T.CreateTruncating(tolerance) * maxA; // false for NaN
    }

    /// <summary>
    /// Whether A is symmetric positive definite (xᵀAx &gt; 0 for x ≠ 0), decided by a real test:
    /// see <see cref="CheckPositiveDefinite"/>, of which this returns the verdict.
    /// </summary>
    public bool IsPositiveDefinite(int batchIndex = -1, double pivotTolerance = DefaultPivotTolerance, long maxFactorEntries = DefaultCholeskyBudget) =>
        CheckPositiveDefinite(batchIndex, pivotTolerance, maxFactorEntries).IsPositiveDefinite;

    /// <summary>
    /// Tests positive definiteness and reports how:
    /// <list type="number">
    /// <item>not square → false (<see cref="DefinitenessMethod.NotSquare"/>);</item>
    /// <item>not symmetric to <see cref="DefaultSymmetryTolerance"/> → false (<see cref="DefinitenessMethod.NotSymmetric"/>);</item>
    /// <item>if the symbolic analysis (approximate minimum degree ordering, elimination tree, column
    /// counts) predicts at most <paramref name="maxFactorEntries"/> entries in L, a sparse
    /// Cholesky factorization (<see cref="SimplicialCholesky"/>) is attempted: success → true,
    /// a pivot d_k ≤ <paramref name="pivotTolerance"/>·max|a_ii| → false (both certain);</item>
    /// <item>otherwise a Lanczos estimate of λ_min (200 steps): a smallest Ritz value below
    /// −10⁻¹⁰·‖T‖ → false (certain: a direction of negative curvature exists); else true, not certain.</item>
    /// </list>
    /// The symmetric part used by Cholesky is the upper triangle of the ordered matrix. The
    /// analysis is cached per pattern; every matrix of a batch is factored with it.
    /// </summary>
    /// <param name="batchIndex">Which matrix of the batch; −1 (default): all of them.</param>
    /// <param name="pivotTolerance">Relative pivot tolerance (default 1e-12): matrices whose
    /// smallest eigenvalue is below about this times the largest diagonal entry count as not
    /// positive definite (numerically semidefinite).</param>
    /// <param name="maxFactorEntries">Budget of nnz(L) beyond which Lanczos decides instead of Cholesky.</param>
    public DefinitenessReport CheckPositiveDefinite(int batchIndex = -1, double pivotTolerance = DefaultPivotTolerance, long maxFactorEntries = DefaultCholeskyBudget)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pivotTolerance);
        var indices = BatchIndices(batchIndex).ToArray();
        if (!IsSquare)
            return new DefinitenessReport(false, DefinitenessMethod.NotSquare, true, $"shape {Shapes.Str(Shape)} is not square");
        foreach (int b in indices)
            if (!IsSymmetricAt(b, DefaultSymmetryTolerance))
                return new DefinitenessReport(false, DefinitenessMethod.NotSymmetric, true, $"matrix {b} of shape {Shapes.Str(Shape)} is not symmetric");
        if (Rows == 0) return new DefinitenessReport(true, DefinitenessMethod.Cholesky, true, "empty matrix");
        var symbolic = CholeskyCache.Get(Pattern, maxFactorEntries);
        if (symbolic is not null)
        {
            var all = GetValues();
            var vals = new double[Nnz];
            foreach (int b in indices)
            {
                for (int k = 0; k < Nnz; k++) vals[k] = double.CreateTruncating(all[b * Nnz + k]);
                try { SimplicialCholesky.Factor(symbolic, vals, Pattern.DiagonalSlots(), pivotTolerance); }
                catch (NotPositiveDefiniteException e)
                {
                    return new DefinitenessReport(false, DefinitenessMethod.Cholesky, true, $"matrix {b}: {e.Message}");
                }
            }
            return new DefinitenessReport(true, DefinitenessMethod.Cholesky, true, $"Cholesky succeeded, nnz(L) = {symbolic.NnzL}");
        }
        string detail = "";
        foreach (int b in indices)
        {
            var (lmin, lmax, steps) = LanczosExtremes.Estimate(Backend, Indices, Values, b * Nnz, 200, 4242);
            double scale = Math.Max(Math.Abs(lmin), Math.Abs(lmax));
            if (lmin < -1e-10 * scale)
                return new DefinitenessReport(false, DefinitenessMethod.Lanczos, true, $"matrix {b}: Lanczos Ritz value {lmin:g6} < 0 after {steps} steps (nnz(L) beyond {maxFactorEntries:N0})");
            detail = $"smallest Lanczos Ritz value {lmin:g6} after {steps} steps (nnz(L) beyond {maxFactorEntries:N0})";
        }
        return new DefinitenessReport(true, DefinitenessMethod.Lanczos, false, detail);
    }

    /// <summary>
    /// torch-sla's <c>detect_matrix_type</c>: the most specialised of General, Symmetric and
    /// SymmetricPositiveDefinite that the matrix satisfies (for a batch with −1: that every matrix
    /// satisfies). Unlike torch-sla, whose definiteness test is a Gershgorin guess (sufficient, not
    /// necessary), SPD here is decided by <see cref="IsPositiveDefinite"/> (Cholesky). A matrix
    /// with no stored entry is General, as in torch-sla.
    /// </summary>
    public MatrixType DetectMatrixType(int batchIndex = -1)
    {
        if (Nnz == 0 || !IsSquare) return MatrixType.General;
        if (!IsSymmetric(DefaultSymmetryTolerance, batchIndex)) return MatrixType.General;
        return IsPositiveDefinite(batchIndex) ? MatrixType.SymmetricPositiveDefinite : MatrixType.Symmetric;
    }
}
