using System.Numerics;
using System.Runtime.CompilerServices;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// CSR SpMV and SpMM on the host, one row block at a time. Bytes per SpMV in float64:
/// 12·nnz (value + column index) + 4·(rows+1) (row offsets) + 8·rows (y) + 8·cols (x, at
/// least once), so on a CPU the kernel is bound by memory bandwidth, and the work is to
/// stream values and indices without stalls: two independent accumulators per row hide the
/// latency of the gathered x loads.
/// </summary>
internal static class CsrKernels
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void SpMVRows<T>(int r0, int r1, int* rowPtr, int* colInd, T* val, T* x, T* y, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool plain = alpha == T.One && beta == T.Zero;
        for (int r = r0; r < r1; r++)
        {
            int k = rowPtr[r], end = rowPtr[r + 1];
            T s0 = T.Zero, s1 = T.Zero;
            for (; k + 3 < end; k += 4)
            {
                s0 += val[k] * x[colInd[k]] + val[k + 2] * x[colInd[k + 2]];
                s1 += val[k + 1] * x[colInd[k + 1]] + val[k + 3] * x[colInd[k + 3]];
            }
            for (; k < end; k++) s0 += val[k] * x[colInd[k]];
            T s = s0 + s1;
            if (plain) y[r] = s;
            else y[r] = beta == T.Zero ? alpha * s : alpha * s + beta * y[r];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void SpMMRows<T>(int r0, int r1, int* rowPtr, int* colInd, T* val, T* x, T* y, int k, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Row r of Y is a combination of rows of X: contiguous k-vectors, so the inner loop vectorises.
        T[] rented = System.Buffers.ArrayPool<T>.Shared.Rent(k);
        var acc = rented.AsSpan(0, k);
        try
        {
            for (int r = r0; r < r1; r++)
            {
                acc.Clear();
                for (int p = rowPtr[r]; p < rowPtr[r + 1]; p++)
                {
                    var xr = new ReadOnlySpan<T>(x + (long)colInd[p] * k, k);
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(xr, val[p], acc, acc);
                }
                var yr = new Span<T>(y + (long)r * k, k);
                if (beta == T.Zero)
                {
                    if (alpha == T.One) acc.CopyTo(yr);
                    else System.Numerics.Tensors.TensorPrimitives.Multiply(acc, alpha, yr);
                }
                else
                {
                    System.Numerics.Tensors.TensorPrimitives.Multiply(yr, beta, yr);
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(acc, alpha, yr, yr);
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<T>.Shared.Return(rented);
        }
    }
}
