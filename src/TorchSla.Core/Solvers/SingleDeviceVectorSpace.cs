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
        _backend = Kernels.BackendRegistry.Get(device); // fails early, with the device named, when it has no backend
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

    private readonly Kernels.Backend _backend;
    private Kernels.Backend Backend => _backend;
    private Kernels.VectorBatch Layout => Kernels.VectorBatch.Single(Length);

    /// <inheritdoc/>
    public int DefaultCheckEvery => Device == Device.Cpu ? 1 : 8;

    /// <inheritdoc/>
    public Tensor<T> CreateScalars(int length) => Tensor<T>.Zeros([length], Device);

    /// <inheritdoc/>
    public void ReadScalars(Tensor<T> scalars, Span<T> destination)
    {
        ArgumentNullException.ThrowIfNull(scalars);
        scalars.Storage.CopyTo(destination);
    }

    /// <inheritdoc/>
    public void WriteScalars(ReadOnlySpan<T> source, Tensor<T> scalars)
    {
        ArgumentNullException.ThrowIfNull(scalars);
        scalars.Storage.CopyFrom(source);
    }

    /// <inheritdoc/>
    public void DotInto(Tensor<T> x, Tensor<T> y, Tensor<T> scalars, int stride, int slot)
    {
        Check(x, nameof(x)); Check(y, nameof(y));
        Backend.DotInto(x.Storage, y.Storage, Layout, scalars.Storage, stride, slot);
    }

    /// <inheritdoc/>
    public void ApplyDot(ILinearOperator<T> a, Tensor<T> x, Tensor<T> y, Tensor<T> scalars, int stride, int slot)
    {
        ArgumentNullException.ThrowIfNull(a);
        Check(x, nameof(x)); Check(y, nameof(y));
        switch (a)
        {
            case SparseTensor<T> { IsBatched: false } m when m.Device == Device && m.Rows == Length && m.Cols == Length:
                Backend.SpMVDot(m.Indices, m.Values, 0, x.Storage, y.Storage, Layout, scalars.Storage, stride, slot);
                break;
            case BatchMemberOperator<T> m when m.Device == Device && m.Rows == Length && m.Cols == Length:
                Backend.SpMVDot(m.Matrix.Indices, m.Matrix.Values, m.Index * m.Matrix.Nnz, x.Storage, y.Storage, Layout, scalars.Storage, stride, slot);
                break;
            default:
                a.Apply(x, y);
                Backend.DotInto(x.Storage, y.Storage, Layout, scalars.Storage, stride, slot);
                break;
        }
    }

    /// <inheritdoc/>
    public void CgUpdate(Tensor<T> x, Tensor<T> p, Tensor<T> r, Tensor<T> q, Tensor<T>? inverseDiagonal, Tensor<T> scalars, int stride,
        int rhoSlot, int rhoNewSlot, int iteration)
    {
        Check(x, nameof(x)); Check(p, nameof(p)); Check(r, nameof(r)); Check(q, nameof(q));
        if (inverseDiagonal is not null) Check(inverseDiagonal, nameof(inverseDiagonal));
        Backend.CgUpdate(x.Storage, p.Storage, r.Storage, q.Storage, inverseDiagonal?.Storage, Layout, scalars.Storage, stride, rhoSlot, rhoNewSlot, iteration);
    }

    /// <inheritdoc/>
    public void CgDirection(Tensor<T> z, Tensor<T>? inverseDiagonal, Tensor<T> p, Tensor<T> scalars, int stride,
        int rhoNewSlot, int rhoSlot, int iteration)
    {
        Check(z, nameof(z)); Check(p, nameof(p));
        if (inverseDiagonal is not null) Check(inverseDiagonal, nameof(inverseDiagonal));
        Backend.CgDirection(z.Storage, inverseDiagonal?.Storage, p.Storage, Layout, scalars.Storage, stride, rhoNewSlot, rhoSlot, iteration);
    }

    private void Check(Tensor<T> v, string name)
    {
        ArgumentNullException.ThrowIfNull(v, name);
        if (v.Length != Length || v.Device != Device)
            throw new ShapeMismatchException($"vector {name} has {v.Length} entries on {v.Device}; this space holds {Length} entries on {Device}", name);
    }
}
