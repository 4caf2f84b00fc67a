using System.Diagnostics;
using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// The compiled <see cref="ElementwiseKernels"/> of one element type on one accelerator, loaded on first use
/// (the dense algebra with gradients is not needed by every program, so its JIT time is not paid up front).
/// </summary>
internal sealed class ElementwiseKernelSet<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, int, int, T> Pointwise;
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int> Binary;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int, int, T> Sddmm;

    /// <summary>Seconds spent compiling this set.</summary>
    public readonly double CompileSeconds;

    public ElementwiseKernelSet(Accelerator acc)
    {
        var sw = Stopwatch.StartNew();
        Pointwise = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, int, int, T>(ElementwiseKernels.Pointwise);
        Binary = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int>(ElementwiseKernels.Binary);
        Sddmm = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int, int, T>(ElementwiseKernels.Sddmm);
        CompileSeconds = sw.Elapsed.TotalSeconds;
    }
}
