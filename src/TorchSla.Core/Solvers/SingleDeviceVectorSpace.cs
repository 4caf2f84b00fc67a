using System.Diagnostics;
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

    /// <summary>
    /// A space whose vectors hold the <see cref="Kernels.VectorBatch.Count"/> systems of <paramref name="layout"/>
    /// (a batch [B, n] or the columns of [n, K]): the fused operations (DotInto, ApplyDot, CgUpdate, CgDirection)
    /// act per system with one scalar block of <c>stride</c> elements per system, so all systems advance in one
    /// launch per step; Dot, Norm and the other whole-vector operations act on all systems at once.
    /// </summary>
    internal SingleDeviceVectorSpace(Kernels.VectorBatch layout, Device device) : this(checked((int)layout.Extent), device)
    {
        if (layout.Extent != (long)layout.Count * layout.Length)
            throw new ArgumentException($"layout {layout} leaves gaps between its vectors", nameof(layout));
        _layout = layout;
    }

    private readonly Kernels.VectorBatch? _layout;

    /// <summary>The systems a vector of this space holds (one vector of <see cref="Length"/> entries unless built for a batch).</summary>
    internal Kernels.VectorBatch Layout => _layout ?? Kernels.VectorBatch.Single(Length);

    /// <inheritdoc/>
    public int DefaultCheckEvery => Device == Device.Cpu ? 1 : 8;

    /// <inheritdoc/>
    public Tensor<T> CreateScalars(int length) => Tensor<T>.Zeros([length], Device);

    /// <inheritdoc/>
    public void ReadScalars(Tensor<T> scalars, Span<T> destination)
    {
        ArgumentNullException.ThrowIfNull(scalars);
        Kernels.ScalarReadBacks.Count();
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
            case SparseTensor<T> m when m.Device == Device && m.Rows == Layout.Length && m.Cols == Layout.Length
                                        && (m.IsBatched ? m.BatchSize == Layout.Count && Layout.IsUnitStride : Layout.Count == 1 || !Layout.IsUnitStride):
                // One matrix (one vector or the columns of [n, K]) or a batch sharing one pattern ([B, n]).
                if (!m.IsBatched && Layout.Count == 1) Backend.PrepareRepeatedSpMV(m.Indices, m.Values, 0); // a Krylov loop applies it again and again
                Backend.SpMVDot(m.Indices, m.Values, 0, x.Storage, y.Storage, Layout, scalars.Storage, stride, slot);
                break;
            case BatchMemberOperator<T> m when m.Device == Device && m.Rows == Length && m.Cols == Length && Layout.Count == 1:
                Backend.PrepareRepeatedSpMV(m.Matrix.Indices, m.Matrix.Values, m.Index * m.Matrix.Nnz);
                Backend.SpMVDot(m.Matrix.Indices, m.Matrix.Values, m.Index * m.Matrix.Nnz, x.Storage, y.Storage, Layout, scalars.Storage, stride, slot);
                break;
            default:
                a.Apply(x, y);
                Backend.DotInto(x.Storage, y.Storage, Layout, scalars.Storage, stride, slot);
                break;
        }
    }

    /// <inheritdoc/>
    public void CgUpdate(Tensor<T>? x, Tensor<T>? p, Tensor<T> r, Tensor<T> q, Tensor<T>? inverseDiagonal, Tensor<T> scalars, int stride,
        int rhoSlot, int rhoNewSlot, int iteration)
    {
        if (x is not null) { Check(x, nameof(x)); Check(p!, nameof(p)); }
        Check(r, nameof(r)); Check(q, nameof(q));
        if (inverseDiagonal is not null) Check(inverseDiagonal, nameof(inverseDiagonal));
        Backend.CgUpdate(x?.Storage, x is null ? null : p!.Storage, r.Storage, q.Storage, inverseDiagonal?.Storage, Layout, scalars.Storage, stride, rhoSlot, rhoNewSlot, iteration);
    }

    /// <inheritdoc/>
    public void CgDirection(Tensor<T> z, Tensor<T>? inverseDiagonal, Tensor<T> p, Tensor<T> scalars, int stride,
        int rhoNewSlot, int rhoSlot, int iteration)
    {
        Check(z, nameof(z)); Check(p, nameof(p));
        if (inverseDiagonal is not null) Check(inverseDiagonal, nameof(inverseDiagonal));
        Backend.CgDirection(z.Storage, inverseDiagonal?.Storage, p.Storage, Layout, scalars.Storage, stride, rhoNewSlot, rhoSlot, iteration);
    }

    /// <inheritdoc/>
    public bool CanFuseDirectionApply(ILinearOperator<T> a) => a switch
    {
        SparseTensor<T> m => m.Device == Device && m.Rows == Layout.Length && m.Cols == Layout.Length && Layout.IsUnitStride
                             && (m.IsBatched ? m.BatchSize == Layout.Count : Layout.Count == 1),
        BatchMemberOperator<T> m => m.Device == Device && m.Rows == Length && m.Cols == Length && Layout.Count == 1,
        _ => false,
    };

    /// <inheritdoc/>
    public void CgDirectionApplyDot(ILinearOperator<T> a, Tensor<T> r, Tensor<T>? inverseDiagonal, Tensor<T> pOld, Tensor<T> pNew,
        Tensor<T> x, Tensor<T> q, Tensor<T> scalars, int stride, int rhoNewSlot, int rhoSlot, int iteration)
    {
        Check(r, nameof(r)); Check(pOld, nameof(pOld)); Check(pNew, nameof(pNew)); Check(x, nameof(x)); Check(q, nameof(q));
        if (inverseDiagonal is not null) Check(inverseDiagonal, nameof(inverseDiagonal));
        if (!CanFuseDirectionApply(a))
            throw new ArgumentException($"CgDirectionApplyDot needs a sparse matrix on {Device} matching this space (check CanFuseDirectionApply)", nameof(a));
        var (indices, values, offset, batched) = a switch
        {
            SparseTensor<T> m => (m.Indices, m.Values, 0, m.IsBatched),
            BatchMemberOperator<T> m => (m.Matrix.Indices, m.Matrix.Values, m.Index * m.Matrix.Nnz, false),
            _ => throw new UnreachableException(),
        };
        if (!batched) Backend.PrepareRepeatedSpMV(indices, values, offset);
        Backend.CgDirectionSpMVDot(indices, values, offset, batched, r.Storage, inverseDiagonal?.Storage, pOld.Storage, pNew.Storage,
            x.Storage, q.Storage, Layout, scalars.Storage, stride, rhoNewSlot, rhoSlot, iteration);
    }

    /// <inheritdoc/>
    public void BiCgStabDirection(Tensor<T> r, Tensor<T> v, Tensor<T> p, Tensor<T> scalars, int stride, int iteration)
    {
        Check(r, nameof(r)); Check(v, nameof(v)); Check(p, nameof(p));
        Backend.BiCgStabDirection(r.Storage, v.Storage, p.Storage, Layout, scalars.Storage, stride, iteration);
    }

    /// <inheritdoc/>
    public void BiCgStabHalfStep(Tensor<T> r, Tensor<T> v, Tensor<T> scalars, int stride, int iteration)
    {
        Check(r, nameof(r)); Check(v, nameof(v));
        Backend.BiCgStabHalfStep(r.Storage, v.Storage, Layout, scalars.Storage, stride, iteration);
    }

    /// <inheritdoc/>
    public void BiCgStabFinish(Tensor<T> x, Tensor<T> pHat, Tensor<T> sHat, Tensor<T> r, Tensor<T> t, Tensor<T> scalars, int stride, int iteration)
    {
        Check(x, nameof(x)); Check(pHat, nameof(pHat)); Check(sHat, nameof(sHat)); Check(r, nameof(r)); Check(t, nameof(t));
        Backend.BiCgStabFinish(x.Storage, pHat.Storage, sHat.Storage, r.Storage, t.Storage, Layout, scalars.Storage, stride, iteration);
    }

    /// <inheritdoc/>
    public Tensor<T> CreateBlock(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        long total = (long)count * Length;
        if (total > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(count), $"a block of {count} vectors of {Length} entries ({total}) exceeds one tensor; use a shorter restart");
        return Tensor<T>.Zeros([count, Length], Device);
    }

    /// <inheritdoc/>
    public void CopyIntoBlock(Tensor<T> x, Tensor<T> block, int row)
    {
        Check(x, nameof(x));
        CheckRow(block, row, nameof(block));
        Backend.Copy(x.Storage, 0, block.Storage, row * Length, Length);
    }

    /// <inheritdoc/>
    public void MultiDotInto(Tensor<T> block, int count, Tensor<T> w, Tensor<T> scalars, int slot)
    {
        Check(w, nameof(w));
        if (count > 0) CheckRow(block, count - 1, nameof(block));
        Backend.MultiDotInto(block.Storage, count, Length, w.Storage, scalars.Storage, slot);
    }

    /// <inheritdoc/>
    public void MultiAxpy(Tensor<T> block, int count, Tensor<T> coefficients, int slot, T alpha, Tensor<T> w, int normSlot)
    {
        Check(w, nameof(w));
        if (count > 0) CheckRow(block, count - 1, nameof(block));
        Backend.MultiAxpy(block.Storage, count, Length, coefficients.Storage, slot, alpha, w.Storage, normSlot);
    }

    /// <inheritdoc/>
    public void ScaleIntoBlock(Tensor<T> x, Tensor<T> scalars, int slot, Tensor<T> block, int row, Tensor<T>? copy)
    {
        Check(x, nameof(x));
        if (copy is not null) Check(copy, nameof(copy));
        CheckRow(block, row, nameof(block));
        Backend.ScaleBySlot(x.Storage, scalars.Storage, slot, block.Storage, row * Length, copy?.Storage, Length);
    }

    /// <inheritdoc/>
    public void ArnoldiColumn(Tensor<T> scalars, int restart, int column)
    {
        ArgumentNullException.ThrowIfNull(scalars);
        Backend.ArnoldiColumn(scalars.Storage, restart, column);
    }

    private void CheckRow(Tensor<T> block, int row, string name)
    {
        ArgumentNullException.ThrowIfNull(block, name);
        if (block.Device != Device || row < 0 || (long)(row + 1) * Length > block.Length)
            throw new ShapeMismatchException($"block {name} holds {block.Length} entries on {block.Device}; row {row} of {Length} entries on {Device} does not fit", name);
    }

    private void Check(Tensor<T> v, string name)
    {
        ArgumentNullException.ThrowIfNull(v, name);
        if (v.Length != Length || v.Device != Device)
            throw new ShapeMismatchException($"vector {name} has {v.Length} entries on {v.Device}; this space holds {Length} entries on {Device}", name);
    }
}
