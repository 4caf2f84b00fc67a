using System.Numerics;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// A preconditioner that is a diagonal matrix, M⁻¹ = D. Solvers that know it fuse z = D·r into their vector
/// updates (CG's <see cref="IVectorSpace{T}.CgUpdate"/> and <see cref="IVectorSpace{T}.CgDirection"/>) instead of
/// applying it as an operator: an elementwise multiply inside a pass that reads r anyway, z never stored.
/// </summary>
/// <typeparam name="T"><see cref="double"/> or <see cref="float"/>.</typeparam>
public interface IDiagonalPreconditioner<T> : IPreconditioner<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The diagonal of M⁻¹ (a vector of <see cref="ILinearOperator{T}.Rows"/> entries on the preconditioner's device).</summary>
    Tensor<T> InverseDiagonal { get; }
}
