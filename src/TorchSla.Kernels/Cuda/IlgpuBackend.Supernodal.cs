using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cuda;

/// <summary>The supernodal triangular sweeps on the device (<see cref="SupernodalKernels"/>): one launch per level of the assembly tree.</summary>
public sealed partial class IlgpuBackend
{
    /// <inheritdoc/>
    public override void SupernodalSolve(SupernodalFactor factor, Storage<double> x, bool transpose)
    {
        ArgumentNullException.ThrowIfNull(factor);
        int ns = factor.SuperCount;
        var start = View(factor.SuperStart, 0, ns + 1L, "factor.SuperStart");
        var rowPtr = View(factor.RowPtr, 0, ns + 1L, "factor.RowPtr");
        var rows = View(factor.Rows, 0, factor.Rows.Length, "factor.Rows");
        var offsets = View(factor.ValueOffset, 0, ns, "factor.ValueOffset");
        var l = View(factor.Values, 0, factor.Values.Length, "factor.Values");
        var nodes = View(factor.LevelNodes, 0, ns, "factor.LevelNodes");
        var xv = View(x, 0, factor.N, nameof(x));
        var lp = factor.LevelPtr;
        if (lp.Length == 0 || lp[^1] != ns)
            throw new ArgumentException($"SupernodalSolve: the levels list {(lp.Length == 0 ? 0 : lp[^1])} supernodes, the factor has {ns}", nameof(factor));
        if (ns == 0) return;
        var k = Compiled(acc => new SupernodalKernelSet(acc), s => s.CompileSeconds);
        lock (Sync)
        {
            Accelerator.Bind();
            int levels = lp.Length - 1;
            for (int q = 0; q < levels; q++)
            {
                int lev = transpose ? levels - 1 - q : q;
                int count = lp[lev + 1] - lp[lev];
                if (count == 0) continue;
                var cfg = new KernelConfig(new Index1D(count), new Index1D(SupernodalKernels.GroupSize));
                (transpose ? k.Backward : k.Forward)(cfg, start, rowPtr, rows, offsets, l, nodes, xv, lp[lev]);
            }
        }
    }
}

internal sealed class SupernodalKernelSet
{
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<double>, ArrayView<int>, ArrayView<double>, int> Forward, Backward;
    public readonly double CompileSeconds;

    public SupernodalKernelSet(Accelerator acc)
    {
        var sw = Stopwatch.StartNew();
        Forward = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<double>, ArrayView<int>, ArrayView<double>, int>(SupernodalKernels.Forward);
        Backward = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<double>, ArrayView<int>, ArrayView<double>, int>(SupernodalKernels.Backward);
        CompileSeconds = sw.Elapsed.TotalSeconds;
    }
}
