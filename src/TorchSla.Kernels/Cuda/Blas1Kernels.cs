using System.Numerics;
using ILGPU;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// Elementwise kernels, one thread per element: each reads its inputs once and writes its
/// output once, so they run at copy bandwidth (axpby moves 24 bytes per double element).
/// </summary>
internal static class Blas1Kernels
{
    /// <summary>y = α·x + β·y (β = 0: y is not read).</summary>
    public static void Axpby<T>(ArrayView<T> x, ArrayView<T> y, int n, int betaZero, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = Grid.GlobalIndex.X;
        if (i >= n) return;
        y[i] = betaZero != 0 ? alpha * x[i] : alpha * x[i] + beta * y[i];
    }

    /// <summary>y = scale·op(x) for the <see cref="UnaryOp"/> numbered <paramref name="op"/>.</summary>
    public static void Map<T>(ArrayView<T> x, ArrayView<T> y, int n, int op, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = Grid.GlobalIndex.X;
        if (i >= n) return;
        T v = x[i];
        if (op == (int)UnaryOp.Abs) v = T.Abs(v);
        else if (op == (int)UnaryOp.Square) v = v * v;
        y[i] = scale * v;
    }

    /// <summary>
    /// dst[i] = (accumulate ? dst[i] : 0) + scale·src[index[i]] (a negative index gives 0).
    /// An index past the end of src sets <paramref name="error"/>[0] to i + 1 instead of reading
    /// out of bounds, so the host can name the bad position.
    /// </summary>
    public static void Gather<T>(ArrayView<T> src, ArrayView<int> index, ArrayView<T> dst, ArrayView<int> error,
        int count, int srcLength, int accumulate, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = Grid.GlobalIndex.X;
        if (i >= count) return;
        int j = index[i];
        T v = T.Zero;
        if (j >= srcLength) { error[0] = i + 1; return; }
        if (j >= 0) v = scale * src[j];
        dst[i] = accumulate != 0 ? dst[i] + v : v;
    }

    /// <summary>dst[i] = value.</summary>
    public static void Fill<T>(ArrayView<T> dst, int n, T value) where T : unmanaged
    {
        int i = Grid.GlobalIndex.X;
        if (i < n) dst[i] = value;
    }

    /// <summary>dst[i] = src[i] (device-to-device copy of views that may not overlap).</summary>
    public static void Copy<T>(ArrayView<T> src, ArrayView<T> dst, int n) where T : unmanaged
    {
        int i = Grid.GlobalIndex.X;
        if (i < n) dst[i] = src[i];
    }
}
