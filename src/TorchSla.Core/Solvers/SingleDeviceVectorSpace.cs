using System.Numerics;

namespace TorchSla.Solvers;

/// <summary>
/// Vectors of one length on one device; every operation is one backend primitive
/// (Axpby, Dot, Reduce, Copy, Fill) on the tensors' storage, so nothing is allocated per call.
/// </summary>
/// <typeparam name="T"><see cref="double"/> or <see cref="float"/>.</typeparam>
public sealed class SingleDeviceVectorSpace<T> : IVectorSpace<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The space of vectors of <paramref name="length"/> entries on <paramref name="device"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The length is negative.</exception>
    public SingleDeviceVectorSpace(int length, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _ = Kernels.BackendRegistry.Get(device); // fails early, with the device named, when it has no backend
        Length = length;
        Device = device;
    }

    /// <summary>The space of the vectors an operator maps from (its columns) on its device.</summary>
    public static SingleDeviceVectorSpace<T> Of(ILinearOperator<T> op)
    {
        ArgumentNullException.ThrowIfNull(op);
        return new SingleDeviceVectorSpace<T>(op.Cols, op.Device);
    }

    /// <inheritdoc/>
    public int Length { get; }

    /// <inheritdoc/>
    public Device Device { get; }

    /// <inheritdoc/>
    public Tensor<T> Create() => Tensor<T>.Zeros([Length], Device);

    /// <inheritdoc/>
    public T Dot(Tensor<T> x, Tensor<T> y)
    {
        Check(x, nameof(x)); Check(y, nameof(y));
        return x.Dot(y);
    }

    /// <inheritdoc/>
    public T Norm(Tensor<T> x)
    {
        Check(x, nameof(x));
        return x.Norm();
    }

    /// <inheritdoc/>
    public T NormInf(Tensor<T> x)
    {
        Check(x, nameof(x));
        return x.NormInf();
    }

    /// <inheritdoc/>
    public void Axpby(T alpha, Tensor<T> x, T beta, Tensor<T> y)
    {
        Check(x, nameof(x)); Check(y, nameof(y));
        y.AxpbyInPlace(alpha, x, beta);
    }

    /// <inheritdoc/>
    public void Copy(Tensor<T> source, Tensor<T> destination)
    {
        Check(source, nameof(source)); Check(destination, nameof(destination));
        destination.CopyFrom(source);
    }

    /// <inheritdoc/>
    public void Fill(Tensor<T> x, T value)
    {
        Check(x, nameof(x));
        x.FillInPlace(value);
    }

    private void Check(Tensor<T> v, string name)
    {
        ArgumentNullException.ThrowIfNull(v, name);
        if (v.Length != Length || v.Device != Device)
            throw new ShapeMismatchException($"vector {name} has {v.Length} entries on {v.Device}; this space holds {Length} entries on {Device}", name);
    }
}
