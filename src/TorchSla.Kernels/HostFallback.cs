using System.Numerics;
using System.Numerics.Tensors;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels;

/// <summary>
/// Host implementations of the primitives a backend may override (<see cref="Backend.Pointwise{T}"/>,
/// <see cref="Backend.Binary{T}"/>, <see cref="Backend.Sddmm{T}"/>). CPU storages are worked on in
/// place; storages of another device are copied to the host and the result copied back, so the
/// operations are correct on every device even before that device has a kernel of its own.
/// </summary>
internal static class HostFallback
{
    /// <summary>A host array holding the storage's elements: the array itself for the CPU, a copy otherwise.</summary>
    private static T[] View<T>(Storage<T> s) where T : unmanaged => s is CpuStorage<T> c ? c.Array : s.ToArray();

    /// <summary>Writes a host copy's slice back to a non-CPU storage.</summary>
    private static void WriteBack<T>(Storage<T> s, T[] host, int offset, int length) where T : unmanaged
    {
        if (s is not CpuStorage<T>) s.CopyFrom(host.AsSpan(offset, length), offset);
    }

    private static void CheckRange<T>(Storage<T> s, int offset, int length, string name) where T : unmanaged
    {
        if (offset < 0 || length < 0 || (long)offset + length > s.Length)
            throw new ArgumentOutOfRangeException(name, $"elements [{offset}, {(long)offset + length}) are outside a storage of {s.Length}");
    }

    public static void Pointwise<T>(PointwiseOp op, T p, Storage<T> x, int xOffset, Storage<T> y, int yOffset, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckRange(x, xOffset, length, nameof(x)); CheckRange(y, yOffset, length, nameof(y));
        var xa = View(x);
        var ya = ReferenceEquals(x, y) ? xa : View(y);
        ReadOnlySpan<T> xs = xa.AsSpan(xOffset, length);
        var ys = ya.AsSpan(yOffset, length);
        switch (op)
        {
            case PointwiseOp.Exp: TensorPrimitives.Exp(xs, ys); break;
            case PointwiseOp.Log: TensorPrimitives.Log(xs, ys); break;
            case PointwiseOp.Sqrt: TensorPrimitives.Sqrt(xs, ys); break;
            case PointwiseOp.Pow: TensorPrimitives.Pow(xs, p, ys); break;
            case PointwiseOp.AddScalar: TensorPrimitives.Add(xs, p, ys); break;
            case PointwiseOp.DivideScalarBy: TensorPrimitives.Divide(p, xs, ys); break;
            case PointwiseOp.Sign:
                for (int i = 0; i < length; i++)
                {
                    T v = xs[i];
                    ys[i] = v > T.Zero ? T.One : v < T.Zero ? -T.One : T.IsNaN(v) ? v : T.Zero;
                }
                break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, "unknown pointwise operation");
        }
        WriteBack(y, ya, yOffset, length);
    }

    public static void Binary<T>(BinaryOp op, Storage<T> x, int xOffset, Storage<T> y, int yOffset, Storage<T> z, int zOffset, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckRange(x, xOffset, length, nameof(x)); CheckRange(y, yOffset, length, nameof(y)); CheckRange(z, zOffset, length, nameof(z));
        var xa = View(x);
        var ya = ReferenceEquals(y, x) ? xa : View(y);
        var za = ReferenceEquals(z, x) ? xa : ReferenceEquals(z, y) ? ya : View(z);
        ReadOnlySpan<T> xs = xa.AsSpan(xOffset, length), ys = ya.AsSpan(yOffset, length);
        var zs = za.AsSpan(zOffset, length);
        switch (op)
        {
            case BinaryOp.Multiply: Cpu.VectorLoops.Multiply(xs, ys, zs); break; // optimized from the first call (Lanczos steps of a first AMG setup)
            case BinaryOp.Divide: TensorPrimitives.Divide(xs, ys, zs); break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, "unknown binary operation");
        }
        WriteBack(z, za, zOffset, length);
    }

    public static void Sddmm<T>(CsrIndices a, Storage<T> left, int leftOffset, Storage<T> right, int rightOffset, int k,
        Storage<T> result, int resultOffset, T alpha, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        CheckRange(left, leftOffset, checked(a.Rows * k), nameof(left));
        CheckRange(right, rightOffset, checked(a.Cols * k), nameof(right));
        CheckRange(result, resultOffset, a.Nnz, nameof(result));
        var rp = View(a.RowPtr); var ci = View(a.ColInd);
        var la = View(left); var ra = View(right); var res = View(result);
        int rows = a.Rows;
        // Each stored slot is independent: rows are split over threads with no shared writes.
        void RowRange(int r0, int r1)
        {
            for (int i = r0; i < r1; i++)
            {
                var li = new ReadOnlySpan<T>(la, leftOffset + i * k, k);
                for (int s = rp[i]; s < rp[i + 1]; s++)
                {
                    T d = TensorPrimitives.Dot(li, new ReadOnlySpan<T>(ra, rightOffset + ci[s] * k, k));
                    ref T dst = ref res[resultOffset + s];
                    dst = accumulate ? dst + alpha * d : alpha * d;
                }
            }
        }
        long work = (long)a.Nnz * Math.Max(k, 1);
        if (work < 1 << 15) RowRange(0, rows);
        else
        {
            int blocks = Math.Min(Environment.ProcessorCount * 4, Math.Max(1, rows));
            Parallel.For(0, blocks, b => RowRange((int)((long)rows * b / blocks), (int)((long)rows * (b + 1) / blocks)));
        }
        WriteBack(result, res, resultOffset, a.Nnz);
    }
}
