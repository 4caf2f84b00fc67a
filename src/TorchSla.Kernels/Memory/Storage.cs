namespace TorchSla.Kernels.Memory;

/// <summary>
/// A flat block of elements owned by one device. The CPU backend stores a managed array;
/// a GPU backend stores device memory. Disposing frees device memory (a no-op on the CPU).
/// </summary>
/// <typeparam name="T">Element type (double, float, int, long).</typeparam>
public abstract class Storage<T> : IDisposable where T : unmanaged
{
    /// <summary>The device that owns the memory.</summary>
    public abstract Device Device { get; }

    /// <summary>Number of elements.</summary>
    public abstract int Length { get; }

    /// <summary>Copies all elements to host memory.</summary>
    public abstract void CopyTo(Span<T> destination);

    /// <summary>Copies host memory into the storage, starting at element <paramref name="offset"/>.</summary>
    public abstract void CopyFrom(ReadOnlySpan<T> source, int offset = 0);

    /// <summary>All elements as a new host array.</summary>
    public T[] ToArray()
    {
        var a = new T[Length];
        CopyTo(a);
        return a;
    }

    /// <summary>Frees the memory.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees device memory when <paramref name="disposing"/>.</summary>
    protected virtual void Dispose(bool disposing) { }
}

/// <summary>Host storage over a managed array, which the CPU kernels read through spans.</summary>
public sealed class CpuStorage<T> : Storage<T> where T : unmanaged
{
    /// <summary>Wraps <paramref name="array"/> without copying: the storage owns it from now on.</summary>
    public CpuStorage(T[] array) { Array = array ?? throw new ArgumentNullException(nameof(array)); }

    /// <summary>Allocates a zeroed array of <paramref name="length"/> elements.</summary>
    public CpuStorage(int length) : this(length, scratch: false) { }

    /// <summary>A zeroed array of <paramref name="length"/> elements (<see cref="Cpu.HostArrays.Zeroed{T}"/>); a
    /// <paramref name="scratch"/> storage hands its array back to <see cref="Cpu.HostArrays"/> when disposed.</summary>
    internal CpuStorage(int length, bool scratch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Array = Cpu.HostArrays.Zeroed<T>(length);
        _scratch = scratch;
    }

    private bool _scratch;

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _scratch)
        {
            _scratch = false;
            Cpu.HostArrays.Return(Array);
        }
        base.Dispose(disposing);
    }

    /// <summary>The backing array.</summary>
    public T[] Array { get; }

    /// <summary>The elements as a span.</summary>
    public Span<T> Span => Array;

    /// <inheritdoc/>
    public override Device Device => Device.Cpu;

    /// <inheritdoc/>
    public override int Length => Array.Length;

    /// <inheritdoc/>
    public override void CopyTo(Span<T> destination) => Array.AsSpan().CopyTo(destination);

    /// <inheritdoc/>
    public override void CopyFrom(ReadOnlySpan<T> source, int offset = 0) => source.CopyTo(Array.AsSpan(offset));
}
