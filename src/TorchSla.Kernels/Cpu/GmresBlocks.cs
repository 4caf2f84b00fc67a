using System.Numerics;
using System.Numerics.Tensors;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// The block passes behind the CPU twins of the GMRES primitives (<see cref="CpuBackend"/>'s MultiDotInto, MultiAxpy,
/// ScaleBySlot): the vectors are cut into fixed blocks of <see cref="CpuBackend.ReductionBlock"/> entries, a block's
/// partial sums go to their own slots and are added in block order afterwards, so the bits depend on the sizes only,
/// never on the thread count. The state is kept per thread and reused, so a solve's loop allocates nothing.
/// </summary>
/// <remarks>
/// Bytes per entry, float64, count = j + 1 basis vectors: MultiDotInto reads the basis once and w once per block
/// (8·(j + 2) B; w's block stays in cache across the j + 1 dots); MultiAxpy reads the basis and w and writes w
/// (8·(j + 3) B), with ‖w‖² taken from the block while it is in cache; ScaleBySlot reads w and writes one or two vectors.
/// </remarks>
internal sealed class GmresBlocks<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public enum Kind { MultiDot, MultiAxpy, Scale }

    /// <summary>Entries per chunk of MultiAxpy's Σ_i c_i·V_i (kept on the stack, so w's update reads it from L1).</summary>
    private const int Chunk = 2048;

    [ThreadStatic] private static GmresBlocks<T>? _cached;

    private T[] _partial = [];
    private Kind _op;
    private T[] _basis = [], _w = [], _scalars = [];
    private T[]? _copy;
    private int _count, _length, _slot, _yOffset, _blocks;
    private T _alpha;
    private OwnedBlockJob? _job;
    private Action<int>? _runBlock;

    /// <summary>This thread's state, set up for one pass.</summary>
    public static GmresBlocks<T> Rent(Kind op, T[] basis, int count, int length, T[] w, T[] scalars, int slot)
    {
        var c = _cached ??= new GmresBlocks<T>();
        c._op = op; c._basis = basis; c._count = count; c._length = length; c._w = w; c._scalars = scalars; c._slot = slot;
        c._copy = null; c._yOffset = 0; c._alpha = T.Zero;
        c._blocks = length == 0 ? 0 : (length + CpuBackend.ReductionBlock - 1) / CpuBackend.ReductionBlock;
        int need = Math.Max(1, count) * c._blocks;
        if (c._partial.Length < need) c._partial = new T[Math.Max(need, 64)];
        return c;
    }

    /// <summary>MultiAxpy's α.</summary>
    public T Alpha { set => _alpha = value; }

    /// <summary>ScaleBySlot's destination offset in the basis and the optional second destination.</summary>
    public void Destinations(int yOffset, T[]? copy) { _yOffset = yOffset; _copy = copy; }

    /// <summary>Runs the pass over every block (in parallel when it is large enough to pay).</summary>
    public void Run() => OwnedBlockJob.Dispatch(ref _job, _runBlock ??= RunBlock, _blocks, (long)_length * Math.Max(1, _count));

    /// <summary>Σ over blocks, in block order, of partial sum <paramref name="i"/>.</summary>
    public T Sum(int i)
    {
        T a = T.Zero;
        for (int k = 0; k < _blocks; k++) a += _partial[i * _blocks + k];
        return a;
    }

    // Fully optimised at its first call: a solve runs its first cycle before tiered JIT would have promoted the loops
    // (see bench/RESULTS.md, "Where the 3D AMG setup's time goes": tier-0 loops cost 25–40 % there).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void RunBlock(int block)
    {
        int s = block * CpuBackend.ReductionBlock, len = Math.Min(CpuBackend.ReductionBlock, _length - s);
        ReadOnlySpan<T> basis = _basis;
        switch (_op)
        {
            case Kind.MultiDot:
            {
                ReadOnlySpan<T> w = _w.AsSpan(s, len);
                for (int i = 0; i < _count; i++)
                    _partial[i * _blocks + block] = TensorPrimitives.Dot(basis.Slice(i * _length + s, len), w);
                break;
            }
            case Kind.MultiAxpy:
            {
                Span<T> acc = stackalloc T[Chunk];
                T norm = T.Zero;
                for (int c = 0; c < len; c += Chunk)
                {
                    int cl = Math.Min(Chunk, len - c);
                    var a = acc[..cl];
                    a.Clear();
                    for (int i = 0; i < _count; i++)
                        TensorPrimitives.MultiplyAdd(basis.Slice(i * _length + s + c, cl), _scalars[_slot + i], a, a);
                    var w = _w.AsSpan(s + c, cl);
                    TensorPrimitives.MultiplyAdd(a, _alpha, w, w);
                    norm += TensorPrimitives.Dot(w, w);
                }
                _partial[block] = norm;
                break;
            }
            case Kind.Scale:
            {
                T sigma = _scalars[_slot];
                ReadOnlySpan<T> x = _w.AsSpan(s, len);
                Span<T> y = _basis.AsSpan(_yOffset + s, len);
                if (sigma == T.Zero) y.Clear(); else TensorPrimitives.Multiply(x, sigma, y);
                if (_copy is not null) y.CopyTo(_copy.AsSpan(s, len));
                break;
            }
        }
    }
}
