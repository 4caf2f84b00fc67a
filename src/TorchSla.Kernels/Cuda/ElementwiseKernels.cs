using System.Numerics;
using ILGPU;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// The kernels behind the dense algebra with gradients and the sampled products of the backward rules:
/// elementwise maps y = f(x; p) and z = x ∘ y (one thread per element, copy bandwidth), and the sampled
/// dense–dense product on a CSR pattern (one thread per row, each slot's k-term dot product in a fixed
/// order). GPU twins of <c>HostFallback.Pointwise/Binary/Sddmm</c>; the maths are the generic scalar functions of the
/// element type (T.Exp, T.Log, …), which ILGPU maps to the device's (libdevice) implementations.
/// </summary>
internal static class ElementwiseKernels
{
    /// <summary>y[i] = f(x[i]; p) for the <see cref="PointwiseOp"/> numbered <paramref name="op"/> (x and y may be the same view).</summary>
    public static void Pointwise<T>(ArrayView<T> x, ArrayView<T> y, int n, int op, T p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = Grid.GlobalIndex.X;
        if (i >= n) return;
        T v = x[i];
        T r;
        if (op == (int)PointwiseOp.Exp) r = T.Exp(v);
        else if (op == (int)PointwiseOp.Log) r = T.Log(v);
        else if (op == (int)PointwiseOp.Sqrt) r = T.Sqrt(v);
        else if (op == (int)PointwiseOp.Pow) r = T.Pow(v, p);
        else if (op == (int)PointwiseOp.AddScalar) r = v + p;
        else if (op == (int)PointwiseOp.DivideScalarBy) r = p / v;
        // Sign; NaN stays NaN (the only value unequal to itself: a plain comparison, which every device compiles).
#pragma warning disable CS1718
        else r = v > T.Zero ? T.One : v < T.Zero ? -T.One : v != v ? v : T.Zero;
#pragma warning restore CS1718
        y[i] = r;
    }

    /// <summary>z[i] = x[i] ∘ y[i] for the <see cref="BinaryOp"/> numbered <paramref name="op"/> (z may be x or y).</summary>
    public static void Binary<T>(ArrayView<T> x, ArrayView<T> y, ArrayView<T> z, int n, int op)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = Grid.GlobalIndex.X;
        if (i >= n) return;
        z[i] = op == (int)BinaryOp.Multiply ? x[i] * y[i] : x[i] / y[i];
    }

    /// <summary>
    /// For every stored slot s = (i, j) of row i: result[s] = (accumulate ? result[s] : 0) + α·Σ_c left[i·k + c]·right[j·k + c].
    /// </summary>
    public static void Sddmm<T>(ArrayView<int> rowPtr, ArrayView<int> colInd, ArrayView<T> left, ArrayView<T> right,
        ArrayView<T> result, int rows, int k, int accumulate, T alpha)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = Grid.GlobalIndex.X;
        if (i >= rows) return;
        long li = (long)i * k;
        for (int s = rowPtr[i]; s < rowPtr[i + 1]; s++)
        {
            long rj = (long)colInd[s] * k;
            T d = T.Zero;
            for (int c = 0; c < k; c++) d += left[li + c] * right[rj + c];
            result[s] = accumulate != 0 ? result[s] + alpha * d : alpha * d;
        }
    }
}
