using ILGPU;
using ILGPU.Runtime;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// Keeps freed device buffers by element type and exact length, up to a byte budget, and hands
/// them out again: iterative solvers free and re-allocate vectors of the same length every call,
/// and a driver allocation (cudaMalloc) costs far more than the kernels on small problems.
/// </summary>
internal sealed class BufferPool : IDisposable
{
    private readonly Dictionary<(Type, long), Stack<IDisposable>> _free = [];
    private readonly long _budgetBytes;
    private long _heldBytes;
    private readonly object _lock = new();

    public BufferPool(long budgetBytes) { _budgetBytes = budgetBytes; }

    /// <summary>Bytes held for reuse now.</summary>
    public long HeldBytes { get { lock (_lock) return _heldBytes; } }

    /// <summary>A pooled buffer of exactly <paramref name="length"/> elements, or null.</summary>
    public MemoryBuffer1D<T, Stride1D.Dense>? Take<T>(long length) where T : unmanaged
    {
        lock (_lock)
        {
            if (_free.TryGetValue((typeof(T), length), out var s) && s.Count > 0)
            {
                var b = (MemoryBuffer1D<T, Stride1D.Dense>)s.Pop();
                _heldBytes -= b.LengthInBytes;
                return b;
            }
            return null;
        }
    }

    /// <summary>Keeps <paramref name="buffer"/> for reuse if the budget allows, else frees it.</summary>
    public void Return<T>(MemoryBuffer1D<T, Stride1D.Dense> buffer) where T : unmanaged
    {
        lock (_lock)
        {
            if (_heldBytes + buffer.LengthInBytes <= _budgetBytes)
            {
                var key = (typeof(T), buffer.Length);
                if (!_free.TryGetValue(key, out var s)) _free[key] = s = new Stack<IDisposable>();
                s.Push(buffer);
                _heldBytes += buffer.LengthInBytes;
                return;
            }
        }
        buffer.Dispose();
    }

    /// <summary>Frees every pooled buffer (before retrying an allocation that did not fit).</summary>
    public void Trim()
    {
        lock (_lock)
        {
            foreach (var s in _free.Values) while (s.Count > 0) s.Pop().Dispose();
            _free.Clear();
            _heldBytes = 0;
        }
    }

    public void Dispose() => Trim();
}
