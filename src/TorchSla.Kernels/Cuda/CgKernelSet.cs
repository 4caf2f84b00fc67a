using System.Diagnostics;
using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// The compiled <see cref="CgKernels"/> of one element type, loaded the first time a fused Krylov primitive runs
/// (so that backends which never run CG do not pay their JIT), with the status-code table they write from.
/// </summary>
internal sealed class CgKernelSet<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, CgLaunch> DotPartial;
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, CgLaunch> FoldInto;
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, CgLaunch, T> UpdatePartial;
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, CgLaunch, T> UpdateFinish;
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, CgLaunch, T> Direction;

    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>,
        ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, CgLaunch, T> DirectionSpMVPartial;

    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, CgLaunch, T> BiDirection;
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, CgLaunch, T> BiHalfPartial;
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, CgLaunch, T> BiHalfEnd, BiFinishEnd;
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, CgLaunch, T> BiFinishPartial;

    public readonly Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>> InverseDiagonal;

    public readonly Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<int>, ArrayView<T>, ArrayView<T>, int, int> TriangularLevel;

    /// <summary>codes[c] = c for the status codes of <see cref="CgScalars"/>.</summary>
    public readonly MemoryBuffer1D<T, Stride1D.Dense> Codes;

    /// <summary>Seconds spent compiling this set.</summary>
    public readonly double CompileSeconds;

    public CgKernelSet(Accelerator acc)
    {
        var sw = Stopwatch.StartNew();
        DotPartial = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, CgLaunch>(CgKernels.DotPartial);
        FoldInto = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, CgLaunch>(CgKernels.FoldInto);
        UpdatePartial = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, CgLaunch, T>(CgKernels.UpdatePartial);
        UpdateFinish = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, CgLaunch, T>(CgKernels.UpdateFinish);
        Direction = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, CgLaunch, T>(CgKernels.Direction);
        DirectionSpMVPartial = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>,
            ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, CgLaunch, T>(CgKernels.DirectionSpMVPartial);
        BiDirection = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, CgLaunch, T>(BiCgStabKernels.Direction);
        BiHalfPartial = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, CgLaunch, T>(BiCgStabKernels.HalfPartial);
        BiHalfEnd = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, CgLaunch, T>(BiCgStabKernels.HalfEnd);
        BiFinishPartial = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, CgLaunch, T>(BiCgStabKernels.FinishPartial);
        BiFinishEnd = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, CgLaunch, T>(BiCgStabKernels.FinishEnd);
        InverseDiagonal = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>>(CgKernels.InverseDiagonal);
        TriangularLevel = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<int>, ArrayView<T>, ArrayView<T>, int, int>(CgKernels.TriangularLevel);
        Codes = UploadCodes(acc, 8);
        CompileSeconds = sw.Elapsed.TotalSeconds;
    }

    public void Dispose() => Codes.Dispose();

    /// <summary>codes[c] = c for c &lt; <paramref name="count"/> on the device: the status codes kernels write as values of T.</summary>
    internal static MemoryBuffer1D<T, Stride1D.Dense> UploadCodes(Accelerator acc, int count)
    {
        var codes = new T[count];
        for (int c = 0; c < count; c++) codes[c] = T.CreateTruncating(c);
        return acc.Allocate1D(codes);
    }
}
