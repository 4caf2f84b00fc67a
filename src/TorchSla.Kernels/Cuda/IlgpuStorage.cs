using ILGPU;
using ILGPU.Runtime;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// Device memory of an <see cref="IlgpuBackend"/>: one ILGPU buffer, returned to the backend's
/// <see cref="BufferPool"/> on <see cref="Storage{T}.Dispose()"/> so that solvers that allocate
/// the same work vectors every call reuse them instead of calling the driver.
/// </summary>
/// <typeparam name="T">Element type.</typeparam>
public sealed class IlgpuStorage<T> : Storage<T> where T : unmanaged
{
    private readonly IlgpuBackend _owner;
    private MemoryBuffer1D<T, Stride1D.Dense>? _buffer;
    private readonly int _length;

    internal IlgpuStorage(IlgpuBackend owner, MemoryBuffer1D<T, Stride1D.Dense>? buffer, int length)
    {
        _owner = owner; _buffer = buffer; _length = length;
        if (buffer is not null) owner.CountLive(buffer.LengthInBytes);
    }

    /// <inheritdoc/>
    public override Device Device => _owner.Device;

    /// <inheritdoc/>
    public override int Length => _length;

    /// <summary>
    /// Bumped by every write the backend does not make through a fresh storage (host copies, device
    /// copies and fills into it), so that checks cached on the contents (<see cref="IlgpuBackend.Gather{T}"/>'s
    /// index bound) know when to run again.
    /// </summary>
    internal int Version => _version;

    private int _version;

    /// <summary>Marks the contents as changed.</summary>
    internal void Touch() => Interlocked.Increment(ref _version);

    /// <summary>The backend that owns the memory.</summary>
    internal IlgpuBackend Owner => _owner;

    /// <summary>The elements as a view (for kernels); throws once disposed.</summary>
    internal ArrayView<T> View =>
        _length == 0 ? default
        : (_buffer ?? throw new ObjectDisposedException(nameof(IlgpuStorage<T>), $"storage of {_length} elements on {Device} was disposed")).View.SubView(0, _length);

    /// <summary>Elements [offset, offset + length) as a view.</summary>
    internal ArrayView<T> Slice(int offset, int length) => View.SubView(offset, length);

    /// <inheritdoc/>
    public override void CopyTo(Span<T> destination)
    {
        if (destination.Length < _length)
            throw new ArgumentException($"destination holds {destination.Length} elements, the storage {_length}", nameof(destination));
        if (_length == 0) return;
        lock (_owner.Sync)
        {
            _owner.Accelerator.Bind();
            View.CopyToCPU(destination[.._length]);
        }
    }

    /// <inheritdoc/>
    public override void CopyFrom(ReadOnlySpan<T> source, int offset = 0)
    {
        if (offset < 0 || (long)offset + source.Length > _length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"copying {source.Length} elements at offset {offset} overruns a storage of {_length}");
        if (source.Length == 0) return;
        Touch();
        lock (_owner.Sync)
        {
            _owner.Accelerator.Bind();
            View.SubView(offset, source.Length).CopyFromCPU(source);
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        var b = Interlocked.Exchange(ref _buffer, null);
        if (b is not null)
        {
            _owner.CountLive(-b.LengthInBytes);
            if (disposing) _owner.Pool.Return(b);
            else b.Dispose();
        }
        base.Dispose(disposing);
    }
}
