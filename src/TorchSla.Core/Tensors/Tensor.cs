using System.Numerics;
using System.Numerics.Tensors;
using TorchSla.Kernels;
using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Memory;

namespace TorchSla;

/// <summary>
/// A dense, device-resident tensor of float32 or float64 values in row-major order, with
/// shape <c>[n]</c>, <c>[n, k]</c>, <c>[B, n]</c>, <c>[B, n, k]</c> or any other rank.
/// Values are copied in and out: a tensor never aliases a caller's array.
/// </summary>
/// <typeparam name="T"><see cref="double"/> or <see cref="float"/>.</typeparam>
public sealed partial class Tensor<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] _shape;
    private readonly bool _ownsStorage;

    internal Tensor(Storage<T> storage, int[] shape, bool ownsStorage = true)
    {
        _ = DTypes.Of<T>();
        if (Shapes.Numel(shape) != storage.Length)
            throw new ShapeMismatchException($"shape {Shapes.Str(shape)} needs {Shapes.Numel(shape)} elements, storage has {storage.Length}");
        Storage = storage;
        _shape = shape;
        _ownsStorage = ownsStorage;
    }

    /// <summary>The device memory behind the tensor.</summary>
    internal Storage<T> Storage { get; }

    /// <summary>The backend of the tensor's device.</summary>
    internal Backend Backend => BackendRegistry.Get(Device);

    /// <summary>The dimensions (a copy).</summary>
    public int[] Shape => (int[])_shape.Clone();

    /// <summary>The dimensions, without copying.</summary>
    public ReadOnlySpan<int> ShapeSpan => _shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Number of elements.</summary>
    public int Length => Storage.Length;

    /// <summary>Where the values live.</summary>
    public Device Device => Storage.Device;

    /// <summary>Element type.</summary>
    public DType DType => DTypes.Of<T>();

    /// <summary>Size of dimension <paramref name="dim"/>; negative counts from the end.</summary>
    public int Size(int dim)
    {
        int d = dim < 0 ? dim + Rank : dim;
        if ((uint)d >= (uint)Rank) throw new ArgumentOutOfRangeException(nameof(dim), $"dimension {dim} is out of range for a tensor of rank {Rank}");
        return _shape[d];
    }

    // ---------------------------------------------------------------- construction

    /// <summary>A tensor holding a copy of <paramref name="data"/> with the given shape (default: <c>[data.Length]</c>).</summary>
    /// <exception cref="ShapeMismatchException">The shape's element count differs from the data length.</exception>
    public static Tensor<T> FromSpan(ReadOnlySpan<T> data, int[]? shape = null, Device? device = null)
    {
        shape ??= [data.Length];
        int n = Shapes.Numel(shape);
        if (n != data.Length)
            throw new ShapeMismatchException($"shape {Shapes.Str(shape)} holds {n} elements but {data.Length} values were given", nameof(shape));
        var backend = BackendRegistry.Get(device ?? Device.Cpu);
        return new Tensor<T>(backend.Upload(data), (int[])shape.Clone());
    }

    /// <summary>A tensor holding a copy of <paramref name="data"/> with the given shape (default: <c>[data.Length]</c>).</summary>
    public static Tensor<T> FromArray(T[] data, params int[] shape) =>
        FromSpan(data, shape.Length == 0 ? null : shape);

    /// <summary>A [rows, cols] tensor holding a copy of a two-dimensional array.</summary>
    public static Tensor<T> FromArray(T[,] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int r = data.GetLength(0), c = data.GetLength(1);
        var flat = new T[r * c];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) flat[i * c + j] = data[i, j];
        return new Tensor<T>(new CpuStorage<T>(flat), [r, c]);
    }

    /// <summary>A tensor holding a copy of a <see cref="System.Numerics.Tensors"/> span (any rank, dense).</summary>
    public static Tensor<T> FromTensorSpan(ReadOnlyTensorSpan<T> span)
    {
        var shape = new int[span.Rank];
        for (int i = 0; i < shape.Length; i++) shape[i] = checked((int)span.Lengths[i]);
        var flat = new T[Shapes.Numel(shape)];
        span.FlattenTo(flat);
        return new Tensor<T>(new CpuStorage<T>(flat), shape);
    }

    /// <summary>A tensor of zeros.</summary>
    public static Tensor<T> Zeros(int[] shape, Device? device = null)
    {
        int n = Shapes.Numel(shape);
        return new Tensor<T>(BackendRegistry.Get(device ?? Device.Cpu).Allocate<T>(n), (int[])shape.Clone());
    }

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor<T> Full(int[] shape, T value, Device? device = null)
    {
        var t = Zeros(shape, device);
        t.Backend.Fill(t.Storage, 0, t.Length, value);
        return t;
    }

    /// <summary>A tensor of ones.</summary>
    public static Tensor<T> Ones(int[] shape, Device? device = null) => Full(shape, T.One, device);

    /// <summary>Uniform random values in [-1, 1) from a seeded generator (reproducible).</summary>
    public static Tensor<T> Random(int[] shape, int seed = 0, Device? device = null)
    {
        var rng = new Random(seed);
        var data = new T[Shapes.Numel(shape)];
        for (int i = 0; i < data.Length; i++) data[i] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
        return FromSpan(data, shape, device);
    }

    // ---------------------------------------------------------------- conversion

    /// <summary>The values as a new host array (row-major).</summary>
    public T[] ToArray() => Storage.ToArray();

    /// <summary>Copies the values (row-major) into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<T> destination)
    {
        if (destination.Length < Length) throw new ArgumentException($"destination holds {destination.Length} elements, the tensor {Length}", nameof(destination));
        Storage.CopyTo(destination);
    }

    /// <summary>A [rows, cols] array copy of a rank-2 tensor.</summary>
    public T[,] ToArray2D()
    {
        if (Rank != 2) throw new ShapeMismatchException($"ToArray2D needs a rank-2 tensor, this one has shape {Shapes.Str(_shape)}");
        var flat = ToArray();
        var a = new T[_shape[0], _shape[1]];
        for (int i = 0; i < _shape[0]; i++) for (int j = 0; j < _shape[1]; j++) a[i, j] = flat[i * _shape[1] + j];
        return a;
    }

    /// <summary>A copy as a <see cref="System.Numerics.Tensors.Tensor{T}"/>.</summary>
    public System.Numerics.Tensors.Tensor<T> ToSystemTensor()
    {
        var lengths = new nint[Rank];
        for (int i = 0; i < Rank; i++) lengths[i] = _shape[i];
        return System.Numerics.Tensors.Tensor.Create(ToArray(), lengths);
    }

    /// <summary>Read-only view of the values of a CPU tensor, without copying.</summary>
    /// <exception cref="InvalidOperationException">The tensor lives on a GPU: call <see cref="Cpu"/> first.</exception>
    public ReadOnlySpan<T> AsReadOnlySpan() => Storage is CpuStorage<T> c
        ? c.Span
        : throw new InvalidOperationException($"tensor lives on {Device}: call Cpu() to view its values on the host");

    /// <summary>The element at a multi-index (one index per dimension).</summary>
    public T this[params int[] index]
    {
        get
        {
            int flat = FlatIndex(index);
            if (Storage is CpuStorage<T> c) return c.Array[flat];
            var tmp = ToArray();
            return tmp[flat];
        }
    }

    private int FlatIndex(int[] index)
    {
        if (index.Length != Rank) throw new ArgumentException($"{index.Length} indices given for a tensor of rank {Rank}", nameof(index));
        int flat = 0;
        for (int d = 0; d < Rank; d++)
        {
            if ((uint)index[d] >= (uint)_shape[d])
                throw new IndexOutOfRangeException($"index {index[d]} is out of range for dimension {d} of size {_shape[d]}");
            flat = flat * _shape[d] + index[d];
        }
        return flat;
    }

    /// <summary>A copy of the tensor on <paramref name="device"/> (the same tensor if already there).</summary>
    public Tensor<T> To(Device device)
    {
        if (device == Device) return this;
        var host = ToArray();
        return RecordSameValues("to", new Tensor<T>(BackendRegistry.Get(device).Upload<T>(host), (int[])_shape.Clone()));
    }

    /// <summary>The tensor on the host.</summary>
    public Tensor<T> Cpu() => To(Device.Cpu);

    /// <summary>The tensor on CUDA GPU <paramref name="index"/>.</summary>
    public Tensor<T> Cuda(int index = 0) => To(Device.Cuda(index));

    /// <summary>A deep copy on the same device.</summary>
    public Tensor<T> Clone()
    {
        var s = Backend.Allocate<T>(Length);
        Backend.Copy(Storage, 0, s, 0, Length);
        return RecordSameValues("clone", new Tensor<T>(s, (int[])_shape.Clone()));
    }

    /// <summary>The same values with another shape of equal element count (a copy).</summary>
    public Tensor<T> Reshape(params int[] shape)
    {
        if (Shapes.Numel(shape) != Length)
            throw new ShapeMismatchException($"cannot reshape {Shapes.Str(_shape)} ({Length} elements) to {Shapes.Str(shape)}");
        var s = Backend.Allocate<T>(Length);
        Backend.Copy(Storage, 0, s, 0, Length);
        return RecordSameValues("reshape", new Tensor<T>(s, (int[])shape.Clone()));
    }

    /// <summary>The same tensor converted to another element type (a copy).</summary>
    public Tensor<TOut> Cast<TOut>() where TOut : unmanaged, IFloatingPointIeee754<TOut>
    {
        var src = ToArray();
        var dst = new TOut[src.Length];
        for (int i = 0; i < src.Length; i++) dst[i] = TOut.CreateTruncating(src[i]);
        return RecordCast(Tensor<TOut>.FromSpan(dst, _shape, Device));
    }

    // ---------------------------------------------------------------- algebra (BLAS-1 on the device)

    private void CheckSame(Tensor<T> other, string op)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!Shapes.Equal(_shape, other._shape))
            throw new ShapeMismatchException($"{op}: shapes {Shapes.Str(_shape)} and {Shapes.Str(other._shape)} differ");
        if (Device != other.Device)
            throw new ArgumentException($"{op}: operands live on {Device} and {other.Device}");
    }

    /// <summary>α·this + β·other as a new tensor.</summary>
    public Tensor<T> Axpby(T alpha, T beta, Tensor<T> other)
    {
        CheckSame(other, "axpby");
        var r = other.CloneRaw();
        Backend.Axpby(alpha, Storage, 0, beta, r.Storage, 0, Length);
        return RecordAxpby(alpha, beta, other, r);
    }

    /// <summary>Elementwise sum.</summary>
    public static Tensor<T> operator +(Tensor<T> a, Tensor<T> b) => a.Axpby(T.One, T.One, b);

    /// <summary>Elementwise difference.</summary>
    public static Tensor<T> operator -(Tensor<T> a, Tensor<T> b) => b.Axpby(-T.One, T.One, a);

    /// <summary>Negation.</summary>
    public static Tensor<T> operator -(Tensor<T> a) => a * (-T.One);

    /// <summary>Scalar multiple.</summary>
    public static Tensor<T> operator *(Tensor<T> a, T s)
    {
        ArgumentNullException.ThrowIfNull(a);
        var r = a.Backend.Allocate<T>(a.Length);
        a.Backend.Axpby(s, a.Storage, 0, T.Zero, r, 0, a.Length);
        return a.RecordScale(s, new Tensor<T>(r, (int[])a._shape.Clone()));
    }

    /// <summary>Scalar multiple.</summary>
    public static Tensor<T> operator *(T s, Tensor<T> a) => a * s;

    /// <summary>Σ this_i·other_i over all elements, deterministic (fixed summation order).</summary>
    public T Dot(Tensor<T> other)
    {
        CheckSame(other, "dot");
        return Backend.Dot(Storage, 0, other.Storage, 0, Length);
    }

    /// <summary>Euclidean norm over all elements, ‖x‖₂ = √(Σ x_i²), without overflow for large entries.</summary>
    public T Norm()
    {
        T s = Backend.Dot(Storage, 0, Storage, 0, Length);
        if (T.IsNormal(s)) return T.Sqrt(s);
        // Overflow or underflow in the squares: rescale by the largest magnitude (LAPACK dnrm2's concern).
        var a = ToArray();
        T m = T.Zero;
        foreach (var v in a) { if (T.IsNaN(v)) return v; m = T.Max(m, T.Abs(v)); }
        if (m == T.Zero || T.IsInfinity(m)) return m;
        T acc = T.Zero;
        foreach (var v in a) { T q = v / m; acc += q * q; }
        return m * T.Sqrt(acc);
    }

    // ---------------------------------------------------------------- in-place BLAS-1 (no allocation: the Krylov loops use these)

    /// <summary>this ← α·x + β·this, in place (x and this may be the same tensor). When β = 0, this is not read.</summary>
    /// <exception cref="ShapeMismatchException">x has another shape.</exception>
    public void AxpbyInPlace(T alpha, Tensor<T> x, T beta)
    {
        CheckSame(x, "axpby");
        MarkModified("axpby");
        Backend.Axpby(alpha, x.Storage, 0, beta, Storage, 0, Length);
    }

    /// <summary>this ← this + α·x, in place.</summary>
    public void AxpyInPlace(T alpha, Tensor<T> x) => AxpbyInPlace(alpha, x, T.One);

    /// <summary>this ← s·this, in place.</summary>
    public void ScaleInPlace(T s)
    {
        MarkModified("scale");
        Backend.Map(UnaryOp.Identity, s, Storage, 0, Storage, 0, Length);
    }

    /// <summary>this ← source (element by element, same shape, same device).</summary>
    public void CopyFrom(Tensor<T> source)
    {
        CheckSame(source, "copy");
        MarkModified("copy");
        if (!ReferenceEquals(source, this)) Backend.Copy(source.Storage, 0, Storage, 0, Length);
    }

    /// <summary>Sets every element to <paramref name="value"/>, in place.</summary>
    public void FillInPlace(T value)
    {
        MarkModified("fill");
        Backend.Fill(Storage, 0, Length, value);
    }

    /// <summary>max_i |x_i| (0 for an empty tensor; NaN if any element is NaN), reduced on the device.</summary>
    public T NormInf() => Backend.Reduce(ReduceOp.MaxAbs, Storage, 0, Length);

    /// <summary>Σ of all elements.</summary>
    public T Sum() => Backend.Reduce(ReduceOp.Sum, Storage, 0, Length);

    private T[]? _hostCache;
    private T[] ToArrayShared() => Storage is CpuStorage<T> c ? c.Array : (_hostCache ??= ToArray());

    /// <summary>Whether every element is finite (no NaN, no ±∞).</summary>
    public bool IsFinite()
    {
        var a = Cpu().ToArrayShared();
        foreach (var v in a) if (!T.IsFinite(v)) return false;
        return true;
    }

    /// <summary>Shape, dtype and device, e.g. <c>Tensor[100, 3] float64 cpu</c>.</summary>
    public override string ToString() => $"Tensor{Shapes.Str(_shape)} {DType.Name()} {Device}";

    /// <summary>Frees device memory.</summary>
    public void Dispose()
    {
        if (_ownsStorage) Storage.Dispose();
    }
}

/// <summary>Factory methods that infer the element type.</summary>
public static class Tensor
{
    /// <summary>A tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor<T> FromArray<T>(T[] data, params int[] shape) where T : unmanaged, IFloatingPointIeee754<T> =>
        TorchSla.Tensor<T>.FromArray(data, shape);

    /// <summary>A [rows, cols] tensor holding a copy of a two-dimensional array.</summary>
    public static Tensor<T> FromArray<T>(T[,] data) where T : unmanaged, IFloatingPointIeee754<T> =>
        TorchSla.Tensor<T>.FromArray(data);
}
