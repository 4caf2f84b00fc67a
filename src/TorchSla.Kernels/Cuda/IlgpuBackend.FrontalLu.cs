using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cuda;

/// <summary>The multifrontal LU sweeps on the device (<see cref="FrontalLuKernels"/>): one launch per level and sweep.</summary>
public sealed partial class IlgpuBackend
{
    /// <inheritdoc/>
    public override void FrontalLuSolve(FrontalLuFactor factor, Storage<double> y, Storage<double> z, bool transpose)
    {
        ArgumentNullException.ThrowIfNull(factor);
        int nf = factor.FrontCount;
        var lp = factor.LevelPtr;
        if (lp.Length == 0 || lp[^1] != nf)
            throw new ArgumentException($"FrontalLuSolve: the levels list {(lp.Length == 0 ? 0 : lp[^1])} fronts, the factor has {nf}", nameof(factor));
        var indexPtr = View(factor.IndexPtr, 0, nf + 1L, "factor.IndexPtr");
        var ri = View(factor.RowIndex, 0, factor.RowIndex.Length, "factor.RowIndex");
        var ci = View(factor.ColIndex, 0, factor.ColIndex.Length, "factor.ColIndex");
        var piv = View(factor.Pivots, 0, nf, "factor.Pivots");
        var lOff = View(factor.LOffset, 0, nf, "factor.LOffset");
        var uOff = View(factor.UOffset, 0, nf, "factor.UOffset");
        var l = View(factor.L, 0, factor.L.Length, "factor.L");
        var u = View(factor.U, 0, factor.U.Length, "factor.U");
        var nodes = View(factor.LevelNodes, 0, nf, "factor.LevelNodes");
        var yv = View(y, 0, factor.N, nameof(y));
        var zv = View(z, 0, factor.N, nameof(z));
        if (nf == 0) return;
        var k = Compiled(acc => new FrontalLuKernelSet(acc), s => s.CompileSeconds);
        var (forward, backward) = transpose ? (k.ForwardUt, k.BackwardLt) : (k.ForwardL, k.BackwardU);
        lock (Sync)
        {
            Accelerator.Bind();
            int levels = lp.Length - 1;
            for (int q = 0; q < 2 * levels; q++)
            {
                bool up = q < levels;
                int lev = up ? q : 2 * levels - 1 - q;
                int count = lp[lev + 1] - lp[lev];
                if (count == 0) continue;
                var cfg = new KernelConfig(new Index1D(count), new Index1D(FrontalLuKernels.GroupSize));
                (up ? forward : backward)(cfg, indexPtr, ri, ci, piv, lOff, uOff, l, u, nodes, yv, zv, lp[lev]);
            }
        }
    }
}

internal sealed class FrontalLuKernelSet
{
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<long>,
        ArrayView<double>, ArrayView<double>, ArrayView<int>, ArrayView<double>, ArrayView<double>, int> ForwardL, BackwardU, ForwardUt, BackwardLt;
    public readonly double CompileSeconds;

    public FrontalLuKernelSet(Accelerator acc)
    {
        var sw = Stopwatch.StartNew();
        ForwardL = Load(acc, FrontalLuKernels.ForwardL);
        BackwardU = Load(acc, FrontalLuKernels.BackwardU);
        ForwardUt = Load(acc, FrontalLuKernels.ForwardUt);
        BackwardLt = Load(acc, FrontalLuKernels.BackwardLt);
        CompileSeconds = sw.Elapsed.TotalSeconds;
    }

    private static Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<long>,
        ArrayView<double>, ArrayView<double>, ArrayView<int>, ArrayView<double>, ArrayView<double>, int> Load(Accelerator acc,
        Action<ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<long>,
        ArrayView<double>, ArrayView<double>, ArrayView<int>, ArrayView<double>, ArrayView<double>, int> kernel) =>
        acc.LoadStreamKernel(kernel);
}
