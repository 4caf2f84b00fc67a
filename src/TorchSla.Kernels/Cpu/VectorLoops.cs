using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// The BLAS-1 loops of the CPU backend (dot, scaling, axpy, elementwise product) as SIMD loops compiled optimized at their
/// first call (<see cref="MethodImplOptions.AggressiveOptimization"/>). They replace System.Numerics.Tensors'
/// <c>TensorPrimitives</c> where a young process calls them: the tiered JIT compiles those generic loops at tier 0 first
/// (no inlining of <c>Vector512.Load</c>, one call per vector), and promotes them to tier 1 only after 100 ms without new
/// tier-0 compilations, which a process that has just started does not have. A first AMG setup ran its Lanczos steps (ρ of
/// D⁻¹A) in that code: level 0 of 3D Poisson 50³ took 17 ms against 3.8 ms compiled optimized (bench/RESULTS.md, AMG session 6).
/// The loops are memory bound; four vector accumulators hide the add latency of the dot. Elementwise results are the
/// bits of the scalar expressions (no fused multiply-add); the dot's order of summation is fixed by the length alone.
/// </summary>
internal static class VectorLoops
{
    /// <summary>Σ x_i·y_i (x and y of the same length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T Dot<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y) where T : unmanaged, INumberBase<T>
    {
        int n = x.Length;
        if (y.Length != n) throw new ArgumentException($"a dot of {n} and {y.Length} elements");
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T ry = ref MemoryMarshal.GetReference(y);
        int i = 0;
        T sum = T.Zero;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported && n >= Vector512<T>.Count)
        {
            int c = Vector512<T>.Count;
            Vector512<T> a0 = Vector512<T>.Zero, a1 = Vector512<T>.Zero, a2 = Vector512<T>.Zero, a3 = Vector512<T>.Zero;
            for (; i <= n - 4 * c; i += 4 * c)
            {
                a0 += Vector512.LoadUnsafe(ref rx, (nuint)i) * Vector512.LoadUnsafe(ref ry, (nuint)i);
                a1 += Vector512.LoadUnsafe(ref rx, (nuint)(i + c)) * Vector512.LoadUnsafe(ref ry, (nuint)(i + c));
                a2 += Vector512.LoadUnsafe(ref rx, (nuint)(i + 2 * c)) * Vector512.LoadUnsafe(ref ry, (nuint)(i + 2 * c));
                a3 += Vector512.LoadUnsafe(ref rx, (nuint)(i + 3 * c)) * Vector512.LoadUnsafe(ref ry, (nuint)(i + 3 * c));
            }
            for (; i <= n - c; i += c) a0 += Vector512.LoadUnsafe(ref rx, (nuint)i) * Vector512.LoadUnsafe(ref ry, (nuint)i);
            sum = Vector512.Sum((a0 + a1) + (a2 + a3));
        }
        else if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            // Narrower SIMD (AVX2, NEON): one accumulator.
            var acc = Vector<T>.Zero;
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                acc += Vector.LoadUnsafe(ref rx, (nuint)i) * Vector.LoadUnsafe(ref ry, (nuint)i);
            sum = Vector.Sum(acc);
        }
        for (; i < n; i++) sum += Unsafe.Add(ref rx, i) * Unsafe.Add(ref ry, i);
        return sum;
    }

    /// <summary>y ← a·x + b·y (b = 0: y is not read; b = 1: no multiplication by b). x and y may be the same span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Axpby<T>(ReadOnlySpan<T> x, T a, T b, Span<T> y) where T : unmanaged, INumberBase<T>
    {
        int n = x.Length;
        if (y.Length != n) throw new ArgumentException($"an axpby of {n} and {y.Length} elements");
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T ry = ref MemoryMarshal.GetReference(y);
        int i = 0;
        bool bZero = T.IsZero(b), bOne = b == T.One;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            int c = Vector512<T>.Count;
            var va = Vector512.Create(a);
            var vb = Vector512.Create(b);
            if (bZero)
                for (; i <= n - c; i += c) (va * Vector512.LoadUnsafe(ref rx, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
            else if (bOne)
                for (; i <= n - c; i += c) (va * Vector512.LoadUnsafe(ref rx, (nuint)i) + Vector512.LoadUnsafe(ref ry, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
            else
                for (; i <= n - c; i += c) (va * Vector512.LoadUnsafe(ref rx, (nuint)i) + vb * Vector512.LoadUnsafe(ref ry, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
        }
        else if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            int c = Vector<T>.Count;
            var va = new Vector<T>(a);
            var vb = new Vector<T>(b);
            for (; i <= n - c; i += c)
            {
                var ax = va * Vector.LoadUnsafe(ref rx, (nuint)i);
                (bZero ? ax : bOne ? ax + Vector.LoadUnsafe(ref ry, (nuint)i) : ax + vb * Vector.LoadUnsafe(ref ry, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            ref T yi = ref Unsafe.Add(ref ry, i);
            T ax = a * Unsafe.Add(ref rx, i);
            yi = bZero ? ax : bOne ? ax + yi : ax + b * yi;
        }
    }

    /// <summary>z ← x ∘ y (elementwise; z may be x or y).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> z) where T : unmanaged, INumberBase<T>
    {
        int n = x.Length;
        if (y.Length != n || z.Length != n) throw new ArgumentException($"an elementwise product of {n}, {y.Length} and {z.Length} elements");
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T ry = ref MemoryMarshal.GetReference(y);
        ref T rz = ref MemoryMarshal.GetReference(z);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            int c = Vector512<T>.Count;
            for (; i <= n - c; i += c) (Vector512.LoadUnsafe(ref rx, (nuint)i) * Vector512.LoadUnsafe(ref ry, (nuint)i)).StoreUnsafe(ref rz, (nuint)i);
        }
        else if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            int c = Vector<T>.Count;
            for (; i <= n - c; i += c) (Vector.LoadUnsafe(ref rx, (nuint)i) * Vector.LoadUnsafe(ref ry, (nuint)i)).StoreUnsafe(ref rz, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref rz, i) = Unsafe.Add(ref rx, i) * Unsafe.Add(ref ry, i);
    }
}
