using System.Numerics;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Registers smoothed-aggregation AMG as <c>amg</c> (<c>--precond amg</c>, <see cref="SolveOptions.Preconditioner"/>),
/// with <see cref="AmgOptions.Default"/>; build an <see cref="AmgPreconditioner{T}"/> directly for other settings.
/// </summary>
public sealed class AmgPreconditionerFactory : IPreconditionerFactory
{
    /// <inheritdoc/>
    public string Name => "amg";

    /// <inheritdoc/>
    public string Description => "smoothed-aggregation algebraic multigrid, one V-cycle (symmetric Gauss–Seidel smoothing on the CPU, Chebyshev elsewhere) per application; SPD matrices";

    /// <inheritdoc/>
    public IPreconditioner<T> Setup<T>(SparseTensor<T> a, int batchIndex = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        // A batch member becomes a matrix of its own on the shared pattern.
        var single = a.IsBatched ? a.WithValues(a.GetValues(batchIndex), []) : a;
        return new AmgPreconditioner<T>(single);
    }
}
