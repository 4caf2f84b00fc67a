using System.Diagnostics;
using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// The GPU twins of the GMRES primitives (<see cref="Backend.MultiDotInto{T}"/>, <see cref="Backend.MultiAxpy{T}"/>,
/// <see cref="Backend.ScaleBySlot{T}"/>, <see cref="Backend.ArnoldiColumn{T}"/>). The basis is one [count, length]
/// block: the multi-dot runs count × groups thread groups, each folding its share of one basis vector against w (w is
/// re-read from L2 by the count vectors' groups), then <see cref="CgKernels.FoldInto{T}"/> sums each vector's groups in a
/// fixed tree; the multi-axpy gives each entry one thread that sums c_i·V_i[e] over i in order, updates w and folds ‖w‖².
/// No floating-point atomics, so the bits are the same on every run.
/// </summary>
internal static class GmresKernels
{
    private const int G = ReductionKernels.GroupSize;

    private static void Tree<T>(ArrayView<T> a, int t) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Group.Barrier();
        for (int half = G / 2; half > 0; half >>= 1)
        {
            if (t < half) a[t] += a[t + half];
            Group.Barrier();
        }
    }

    /// <summary>Pass 1 of MultiDotInto: partial[b·Groups + g] = Σ over group g's entries of V_b[e]·w[e].</summary>
    public static void MultiDotPartial<T>(ArrayView<T> basis, ArrayView<T> w, ArrayView<T> partial, CgLaunch l)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sh = SharedMemory.Allocate<T>(G);
        int t = Group.IdxX, b = Grid.IdxX / l.Groups, g = Grid.IdxX % l.Groups;
        long o = (long)b * l.Length;
        T acc = T.Zero;
        for (int e = g * G + t; e < l.Length; e += l.Groups * G) acc += basis[o + e] * w[e];
        sh[t] = acc;
        Tree(sh, t);
        if (t == 0) partial[Grid.IdxX] = sh[0];
    }

    /// <summary>
    /// MultiAxpy over a grid-stride range per group: w[e] += α·Σ_i c[slot + i]·V_i[e], and partial[g] = Σ of the new w[e]²
    /// of the group's entries (folded into the norm slot by FoldInto when asked).
    /// </summary>
    public static void MultiAxpyPartial<T>(ArrayView<T> basis, ArrayView<T> c, ArrayView<T> w, ArrayView<T> partial,
        int length, int count, int slot, T alpha) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sh = SharedMemory.Allocate<T>(G);
        int t = Group.IdxX;
        T norm = T.Zero;
        for (int e = Grid.IdxX * G + t; e < length; e += Grid.DimX * G)
        {
            T acc = T.Zero;
            for (int i = 0; i < count; i++) acc += c[slot + i] * basis[(long)i * length + e];
            T we = w[e] + alpha * acc;
            w[e] = we;
            norm += we * we;
        }
        sh[t] = norm;
        Tree(sh, t);
        if (t == 0) partial[Grid.IdxX] = sh[0];
    }

    /// <summary>y[yOffset + e] = σ·x[e] (and copy[e] when <paramref name="hasCopy"/>), σ = s[slot]; σ = 0 writes 0.</summary>
    public static void Scale<T>(Index1D e, ArrayView<T> x, ArrayView<T> s, int slot, ArrayView<T> y, int yOffset, ArrayView<T> copy, int hasCopy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T sigma = s[slot];
        T v = sigma == T.Zero ? T.Zero : sigma * x[e];
        y[yOffset + e] = v;
        if (hasCopy != 0) copy[e] = v;
    }

    /// <summary>The Arnoldi column on one thread (<see cref="GmresScalars.Column{T, TS}"/>).</summary>
    public static void Column<T>(Index1D i, ArrayView<T> s, ArrayView<T> codes, int restart, int column, T stopStep)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (i != 0) return;
        GmresScalars.Column(new ViewSlots<T>(s), new ViewSlots<T>(codes), restart, column, stopStep);
    }
}

/// <summary>A scalar block as a device view (<see cref="IScalarSlots{T}"/> for the kernels).</summary>
internal readonly struct ViewSlots<T>(ArrayView<T> view) : IScalarSlots<T> where T : unmanaged
{
    private readonly ArrayView<T> _view = view;
    public T Get(int i) => _view[i];
    public void Set(int i, T value) => _view[i] = value;
}

/// <summary>The compiled <see cref="GmresKernels"/> of one element type, loaded the first time a GMRES primitive runs.</summary>
internal sealed class GmresKernelSet<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, CgLaunch> MultiDotPartial;
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, CgLaunch> FoldInto;
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int, int, T> MultiAxpyPartial;
    public readonly Action<Index1D, ArrayView<T>, ArrayView<T>, int, ArrayView<T>, int, ArrayView<T>, int> Scale;
    public readonly Action<Index1D, ArrayView<T>, ArrayView<T>, int, int, T> Column;

    /// <summary>codes[c] = c for the status codes of <see cref="GmresScalars"/>.</summary>
    public readonly MemoryBuffer1D<T, Stride1D.Dense> Codes;

    /// <summary>Seconds spent compiling this set.</summary>
    public readonly double CompileSeconds;

    public GmresKernelSet(Accelerator acc)
    {
        var sw = Stopwatch.StartNew();
        MultiDotPartial = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, CgLaunch>(GmresKernels.MultiDotPartial);
        FoldInto = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, CgLaunch>(CgKernels.FoldInto);
        MultiAxpyPartial = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int, int, T>(GmresKernels.MultiAxpyPartial);
        Scale = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<T>, int, ArrayView<T>, int, ArrayView<T>, int>(GmresKernels.Scale);
        Column = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<T>, int, int, T>(GmresKernels.Column);
        Codes = CgKernelSet<T>.UploadCodes(acc, 4);
        CompileSeconds = sw.Elapsed.TotalSeconds;
    }

    public void Dispose() => Codes.Dispose();
}
