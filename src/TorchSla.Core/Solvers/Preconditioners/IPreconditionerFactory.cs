using System.Numerics;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// The extension point for preconditioners: a named setup phase that turns a sparse matrix
/// into an <see cref="IPreconditioner{T}"/>. Register an implementation with
/// <see cref="PreconditionerRegistry.Register"/> and it becomes selectable by name in
/// <see cref="SolveOptions.Preconditioner"/> and on the command line (<c>--precond NAME</c>).
/// </summary>
public interface IPreconditionerFactory
{
    /// <summary>The registry name, lower case (<c>jacobi</c>, <c>ilu0</c>, <c>amg</c>, ...).</summary>
    string Name { get; }

    /// <summary>A one-line description for help texts.</summary>
    string Description { get; }

    /// <summary>
    /// Builds the preconditioner of matrix <paramref name="batchIndex"/> of <paramref name="a"/>
    /// (0 for an unbatched matrix) on A's device.
    /// </summary>
    /// <param name="a">A square sparse matrix, possibly batched.</param>
    /// <param name="batchIndex">Which matrix of the batch.</param>
    /// <exception cref="ArgumentException">The matrix does not suit this preconditioner (e.g. a zero pivot), with the row named.</exception>
    IPreconditioner<T> Setup<T>(SparseTensor<T> a, int batchIndex = 0) where T : unmanaged, IFloatingPointIeee754<T>;
}
