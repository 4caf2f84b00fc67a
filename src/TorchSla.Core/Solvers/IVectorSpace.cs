using System.Numerics;

namespace TorchSla.Solvers;

/// <summary>
/// The vector operations a Krylov, eigen or Newton method needs, separated from where the
/// vectors live: one device (<see cref="SingleDeviceVectorSpace{T}"/>) or, later, rows spread
/// over MPI ranks, where <see cref="Dot"/> ends in an all-reduce. An algorithm written once
/// against this interface and <see cref="ILinearOperator{T}"/> runs on all of them.
/// Every vector passed in must have come from <see cref="Create"/> (same length, same device).
/// </summary>
/// <typeparam name="T"><see cref="double"/> or <see cref="float"/>.</typeparam>
public interface IVectorSpace<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Number of entries of a vector held here (the local part on a distributed space).</summary>
    int Length { get; }

    /// <summary>The device the vectors live on.</summary>
    Device Device { get; }

    /// <summary>A new vector of zeros. Allocate work vectors once, before iterating.</summary>
    Tensor<T> Create();

    /// <summary>The inner product xᵀy = Σ x_i·y_i over the whole space, in a deterministic order.</summary>
    T Dot(Tensor<T> x, Tensor<T> y);

    /// <summary>The Euclidean norm ‖x‖₂ = √(xᵀx).</summary>
    T Norm(Tensor<T> x);

    /// <summary>The maximum norm ‖x‖∞ = max_i |x_i| (NaN if any entry is NaN: used to detect non-finite input).</summary>
    T NormInf(Tensor<T> x);

    /// <summary>y ← α·x + β·y. When β = 0, y is not read.</summary>
    void Axpby(T alpha, Tensor<T> x, T beta, Tensor<T> y);

    /// <summary>destination ← source.</summary>
    void Copy(Tensor<T> source, Tensor<T> destination);

    /// <summary>x_i ← value for every i.</summary>
    void Fill(Tensor<T> x, T value);
}
