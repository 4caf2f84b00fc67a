using System.Numerics;

namespace TorchSla.Solvers;

/// <summary>
/// Anything that maps a vector x to y = Op(x): a sparse matrix, a preconditioner, a
/// factorization, a distributed matrix. Krylov, eigen and Newton methods are written once
/// against this interface.
/// </summary>
/// <typeparam name="T"><see cref="double"/> or <see cref="float"/>.</typeparam>
public interface ILinearOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Length of y.</summary>
    int Rows { get; }

    /// <summary>Length of x.</summary>
    int Cols { get; }

    /// <summary>The device x and y must live on.</summary>
    Device Device { get; }

    /// <summary>y ← Op(x). x and y are vectors of length <see cref="Cols"/> and <see cref="Rows"/> on <see cref="Device"/>; y is overwritten.</summary>
    void Apply(Tensor<T> x, Tensor<T> y);
}
