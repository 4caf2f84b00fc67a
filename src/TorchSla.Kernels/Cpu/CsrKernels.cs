using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// CSR SpMV and SpMM on the host, one row block at a time. Bytes per SpMV in float64:
/// 12·nnz (value + column index) + 4·(rows+1) (row offsets) + 8·rows (y) + 8·cols (x, at
/// least once), so on a CPU the kernel is bound by memory bandwidth once the matrix leaves
/// the caches, and the work is to stream values and indices without stalls. Every row is
/// summed by one thread in an order fixed by the row alone, so results do not depend on
/// the thread count.
/// </summary>
/// <remarks>
/// Two row kernels exist. The portable one (<see cref="SpMVRowsScalar{T}"/>) keeps two
/// independent accumulators so that the latency of the gathered x loads overlaps. On x86 with
/// AVX2 the gather kernels (<see cref="SpMVRowsGather(int, int, int*, int*, double*, double*, double*, double, double)"/>)
/// load 4 (float64) or 8 (float32) column indices at once and fetch the matching x entries
/// with one <c>vgatherdpd</c>/<c>vgatherdps</c>, multiply-adding into a vector accumulator
/// whose lanes are reduced once per row; the row's tail (fewer entries than a vector) is done
/// in scalar code. <see cref="GatherPays"/> picks the kernel per matrix from its mean row length.
/// This is the row-wise vectorisation of CSR SpMV described by
/// Liu, Smelyanskiy et al., "Efficient sparse matrix-vector multiplication on x86-based
/// many-core processors", ICS 2013, §3 (without their format change).
/// </remarks>
internal static class CsrKernels
{
    /// <summary>
    /// Whether the AVX2 gather kernels may be used. Set from the hardware; tests and benchmarks
    /// flip it to compare the two paths.
    /// </summary>
    internal static bool UseGather { get; set; } = Avx2.IsSupported && Fma.IsSupported;

    /// <summary>
    /// Mean stored entries per row from which the gather kernels are used (settable so that the
    /// benchmark can time both kernels on one matrix). Below it a row holds
    /// less than two float64 vectors, the per-row lane reduction and scalar tail dominate, and
    /// the scalar kernel measured faster (5-point Poisson and cryg2500, rows of ≤ 5 entries:
    /// scalar 8.2 µs vs gather 10.6 µs on cryg2500); with 32 random columns per row the float64 gather
    /// kernel measured 28-40 % faster, float32 -7 % to +19 % (bench `spmv-compare`, bench/RESULTS.md).
    /// </summary>
    internal static int GatherMinMeanRowLength { get; set; } = 8;

    /// <summary>Whether SpMV of a matrix with these dimensions takes the gather kernel.</summary>
    internal static bool GatherPays(int rows, long nnz) => UseGather && nnz >= (long)GatherMinMeanRowLength * rows;

    /// <summary>
    /// y[r] ← α·(A·x)[r] + β·y[r] for rows [r0, r1); y is not read when β = 0. <paramref name="gather"/>
    /// (from <see cref="GatherPays"/>, fixed per matrix so that every block sums alike) picks the kernel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void SpMVRows<T>(int r0, int r1, int* rowPtr, int* colInd, T* val, T* x, T* y, T alpha, T beta, bool gather)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // typeof(T) tests are folded by the JIT per instantiation, so this dispatch costs nothing.
        if (gather && Avx2.IsSupported && Fma.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                SpMVRowsGather(r0, r1, rowPtr, colInd, (double*)val, (double*)x, (double*)y,
                    Unsafe.As<T, double>(ref alpha), Unsafe.As<T, double>(ref beta));
                return;
            }
            if (typeof(T) == typeof(float))
            {
                SpMVRowsGather(r0, r1, rowPtr, colInd, (float*)val, (float*)x, (float*)y,
                    Unsafe.As<T, float>(ref alpha), Unsafe.As<T, float>(ref beta));
                return;
            }
        }
        SpMVRowsScalar(r0, r1, rowPtr, colInd, val, x, y, alpha, beta);
    }

    /// <summary>The portable row kernel: unrolled by four, two accumulators, no bounds checks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void SpMVRowsScalar<T>(int r0, int r1, int* rowPtr, int* colInd, T* val, T* x, T* y, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool plain = alpha == T.One && beta == T.Zero;
        int k = rowPtr[r0];
        for (int r = r0; r < r1; r++)
        {
            int end = rowPtr[r + 1];
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

    /// <summary>The AVX2 float64 row kernel: 4-wide gathers of x, FMA into one vector per row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void SpMVRowsGather(int r0, int r1, int* rowPtr, int* colInd, double* val, double* x, double* y, double alpha, double beta)
    {
        bool plain = alpha == 1.0 && beta == 0.0;
        int k = rowPtr[r0];
        for (int r = r0; r < r1; r++)
        {
            int end = rowPtr[r + 1];
            double s;
            if (end - k >= 4)
            {
                // Two vector accumulators when the row is long enough, so consecutive gathers do not wait on one FMA chain.
                Vector256<double> a0 = Avx2.GatherVector256(x, Sse2.LoadVector128(colInd + k), 8) * Avx.LoadVector256(val + k);
                k += 4;
                if (end - k >= 4)
                {
                    Vector256<double> a1 = Avx2.GatherVector256(x, Sse2.LoadVector128(colInd + k), 8) * Avx.LoadVector256(val + k);
                    k += 4;
                    for (; k + 8 <= end; k += 8)
                    {
                        a0 = Fma.MultiplyAdd(Avx2.GatherVector256(x, Sse2.LoadVector128(colInd + k), 8), Avx.LoadVector256(val + k), a0);
                        a1 = Fma.MultiplyAdd(Avx2.GatherVector256(x, Sse2.LoadVector128(colInd + k + 4), 8), Avx.LoadVector256(val + k + 4), a1);
                    }
                    if (k + 4 <= end)
                    {
                        a0 = Fma.MultiplyAdd(Avx2.GatherVector256(x, Sse2.LoadVector128(colInd + k), 8), Avx.LoadVector256(val + k), a0);
                        k += 4;
                    }
                    a0 += a1;
                }
                Vector128<double> h = a0.GetLower() + a0.GetUpper();
                s = h.ToScalar() + h.GetElement(1);
            }
            else s = 0.0;
            for (; k < end; k++) s += val[k] * x[colInd[k]];
            if (plain) y[r] = s;
            else y[r] = beta == 0.0 ? alpha * s : alpha * s + beta * y[r];
        }
    }

    /// <summary>The AVX2 float32 row kernel: 8-wide gathers of x (then one 4-wide), FMA into one vector per row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void SpMVRowsGather(int r0, int r1, int* rowPtr, int* colInd, float* val, float* x, float* y, float alpha, float beta)
    {
        bool plain = alpha == 1f && beta == 0f;
        int k = rowPtr[r0];
        for (int r = r0; r < r1; r++)
        {
            int end = rowPtr[r + 1];
            Vector128<float> h = Vector128<float>.Zero;
            if (end - k >= 8)
            {
                Vector256<float> a = Vector256<float>.Zero;
                for (; k + 8 <= end; k += 8)
                    a = Fma.MultiplyAdd(Avx2.GatherVector256(x, Avx.LoadVector256(colInd + k), 4), Avx.LoadVector256(val + k), a);
                h = a.GetLower() + a.GetUpper();
            }
            if (end - k >= 4)
            {
                h = Fma.MultiplyAdd(Avx2.GatherVector128(x, Sse2.LoadVector128(colInd + k), 4), Sse.LoadVector128(val + k), h);
                k += 4;
            }
            // Lanes reduced pairwise in a fixed order: (h0 + h2) + (h1 + h3).
            Vector128<float> p = h + Sse.MoveHighToLow(h, h);
            float s = p.ToScalar() + p.GetElement(1);
            for (; k < end; k++) s += val[k] * x[colInd[k]];
            if (plain) y[r] = s;
            else y[r] = beta == 0f ? alpha * s : alpha * s + beta * y[r];
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
