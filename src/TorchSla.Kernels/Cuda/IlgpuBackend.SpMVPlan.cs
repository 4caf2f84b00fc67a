using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// SpMV plans of large patterns made on the device: the longest row by a reduction, and (for the CSR-stream kernel)
/// blocks of a fixed number of rows, so that a pattern built on the GPU (an AMG level, a product) is never copied to
/// the host for its plan. The host's greedy blocks pack a few more rows when row lengths vary; for stencil-like
/// patterns the two partitions are nearly the same.
/// </summary>
public sealed partial class IlgpuBackend
{
    /// <summary>Patterns with at least this many rows get their SpMV plan on the device (settable for tests and benchmarks).</summary>
    internal static int DevicePlanMinRows { get; set; } = 1 << 18;

    private PlanKernelSet PlanKernels() => Compiled(acc => new PlanKernelSet(acc), k => k.CompileSeconds);

    /// <summary>The plan from device statistics, or null for a skewed pattern or one with rows beyond a stream block. Caller holds <see cref="Sync"/>.</summary>
    private SpMVPlan? DevicePlan(CsrIndices a)
    {
        var k = PlanKernels();
        Accelerator.Bind();
        var rp = ((IlgpuStorage<int>)a.RowPtr).View.SubView(0, a.Rows + 1L);
        var max = Scratch<int>(1);
        Raw<int>().Fill(Cfg(1), max, 1, 0);
        int groups = (int)Math.Min((a.Rows + (long)Threads - 1) / Threads, 1024);
        k.MaxRowLength(new KernelConfig(new Index1D(groups), new Index1D(Threads)), rp, max, a.Rows);
        int longest = ReadInt(max);
        if (longest > CsrStreamKernels.Capacity) return null;
        var plan = SpMVPlan.FromMaxRowLength(a.Rows, a.Nnz, longest, Accelerator.WarpSize);
        if (plan is null || !plan.UseStream) return plan;
        int per = SpMVPlan.UniformRowsPerBlock(longest);
        int count = (int)((a.Rows + (long)per - 1) / per);
        var blocks = AllocateUninitialized<int>(checked(4 * count));
        k.UniformBlocks(Cfg(count), blocks.View, a.Rows, per, count);
        plan.SetUniformStreamBlocks(blocks, count);
        return plan;
    }
}

/// <summary>Kernels of the device-made SpMV plans.</summary>
internal static class SpMVPlanKernels
{
    /// <summary>max[0] ← the longest row (a grid-stride pass, one atomic per thread).</summary>
    public static void MaxRowLength(ArrayView<int> rowPtr, ArrayView<int> max, int rows)
    {
        int m = 0;
        for (int i = Grid.GlobalIndex.X; i < rows; i += Grid.DimX * Group.DimX)
        {
            int len = rowPtr[i + 1] - rowPtr[i];
            if (len > m) m = len;
        }
        if (m > 0) Atomic.Max(ref max[0], m);
    }

    /// <summary>Block b covers rows [b·per, min((b + 1)·per, rows)) whole (the descriptor of <see cref="CsrStreamKernels.Stream{T}"/>).</summary>
    public static void UniformBlocks(ArrayView<int> blocks, int rows, int per, int count)
    {
        int b = Grid.GlobalIndex.X;
        if (b >= count) return;
        long r0 = (long)b * per, r1 = r0 + per;
        blocks[4 * b] = (int)r0;
        blocks[4 * b + 1] = (int)Math.Min(r1, rows);
        blocks[4 * b + 2] = 0;
        blocks[4 * b + 3] = -1;
    }
}

/// <summary>The plan kernels, compiled on first use.</summary>
internal sealed class PlanKernelSet
{
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, int> MaxRowLength;
    public readonly Action<KernelConfig, ArrayView<int>, int, int, int> UniformBlocks;
    public readonly double CompileSeconds;

    public PlanKernelSet(Accelerator acc)
    {
        var sw = Stopwatch.StartNew();
        MaxRowLength = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, int>(SpMVPlanKernels.MaxRowLength);
        UniformBlocks = acc.LoadStreamKernel<ArrayView<int>, int, int, int>(SpMVPlanKernels.UniformBlocks);
        CompileSeconds = sw.Elapsed.TotalSeconds;
    }
}
