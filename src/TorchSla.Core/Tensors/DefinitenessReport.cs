namespace TorchSla;

/// <summary>How <see cref="SparseTensor{T}.CheckPositiveDefinite"/> reached its answer.</summary>
public enum DefinitenessMethod
{
    /// <summary>The matrix is not square: not positive definite, certainly.</summary>
    NotSquare,
    /// <summary>The matrix failed the symmetry test: not (symmetric) positive definite, certainly.</summary>
    NotSymmetric,
    /// <summary>A sparse Cholesky factorization was attempted: success proves definiteness, a failed pivot disproves it.</summary>
    Cholesky,
    /// <summary>The Cholesky factor would have exceeded the budget; a Lanczos estimate of λ_min decided.</summary>
    Lanczos,
}

/// <summary>The answer of a positive-definiteness test and how much it can be trusted.</summary>
/// <param name="IsPositiveDefinite">Whether every tested matrix was found symmetric positive definite.</param>
/// <param name="Method">The test that decided (for a batch: the one that decided the first failing
/// matrix, or the weakest used when all passed).</param>
/// <param name="Certain">True for an answer that is proven up to rounding: a completed or failed
/// Cholesky factorization, a failed shape or symmetry test, or a Lanczos Ritz value clearly below
/// zero (a vector with xᵀAx &lt; 0 was found). False for a Lanczos "yes": the smallest Ritz value was
/// positive, but Lanczos can miss an eigenvalue that the start vector barely touches.</param>
/// <param name="Detail">A one-line account (failing column and pivot, or the Ritz value and iterations).</param>
public sealed record DefinitenessReport(bool IsPositiveDefinite, DefinitenessMethod Method, bool Certain, string Detail);
