using System.Diagnostics;
using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// The compiled kernels of one element type on one accelerator. ILGPU compiles a kernel (IL →
/// PTX, then the driver's PTX JIT) when it is loaded, so each set is loaded once per backend and
/// kept; the time it took is added to <see cref="IlgpuBackend.JitTime"/>.
/// </summary>
internal sealed class KernelSet<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<int>, CsrLaunch, T, T> SubWarp;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<int>, CsrLaunch, T, T> BlockRow;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int, int, T, T> SpMM;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<int>, ArrayView<T>, CsrLaunch, T, T> Stream;
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<int>, ArrayView<T>, int, int, int, int, int, T, T> FinishLongRows;
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, int, int, T, T> Axpby;
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, int, int, T> Map;
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<int>, ArrayView<T>, ArrayView<int>, int, int, int, T> Gather;
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, int> DotPartial;
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, int, int, T> ReducePartial;
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, int, int, T> Finish;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<T>, ArrayView<T>, int, int, T> RowReduce;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<int>, ArrayView<int>, ArrayView<T>> SpGemmNumeric;

    /// <summary>Seconds spent compiling this set.</summary>
    public readonly double CompileSeconds;

    public KernelSet(Accelerator acc)
    {
        var sw = Stopwatch.StartNew();
        SubWarp = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<int>, CsrLaunch, T, T>(SpMVKernels.SubWarp);
        BlockRow = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<int>, CsrLaunch, T, T>(SpMVKernels.BlockRow);
        SpMM = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int, int, T, T>(SpMVKernels.SpMM);
        Stream = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<int>, ArrayView<T>, CsrLaunch, T, T>(CsrStreamKernels.Stream);
        FinishLongRows = acc.LoadStreamKernel<ArrayView<T>, ArrayView<int>, ArrayView<T>, int, int, int, int, int, T, T>(CsrStreamKernels.FinishLongRows);
        Axpby = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, int, int, T, T>(Blas1Kernels.Axpby);
        Map = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, int, int, T>(Blas1Kernels.Map);
        Gather = acc.LoadStreamKernel<ArrayView<T>, ArrayView<int>, ArrayView<T>, ArrayView<int>, int, int, int, T>(Blas1Kernels.Gather);
        DotPartial = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, int>(ReductionKernels.DotPartial);
        ReducePartial = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, int, int, T>(ReductionKernels.ReducePartial);
        Finish = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, int, int, T>(ReductionKernels.Finish);
        RowReduce = acc.LoadStreamKernel<ArrayView<int>, ArrayView<T>, ArrayView<T>, int, int, T>(ReductionKernels.RowReduce);
        SpGemmNumeric = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<int>, ArrayView<int>, ArrayView<T>>(SpGemmKernels.Numeric);
        CompileSeconds = sw.Elapsed.TotalSeconds;
    }
}

/// <summary>Type-generic kernels that do not need floating point (fill and copy of int or real storage).</summary>
internal sealed class RawKernelSet<T> where T : unmanaged
{
    public readonly Action<KernelConfig, ArrayView<T>, int, T> Fill;
    public readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, int> Copy;
    public readonly double CompileSeconds;

    public RawKernelSet(Accelerator acc)
    {
        var sw = Stopwatch.StartNew();
        Fill = acc.LoadStreamKernel<ArrayView<T>, int, T>(Blas1Kernels.Fill);
        Copy = acc.LoadStreamKernel<ArrayView<T>, ArrayView<T>, int>(Blas1Kernels.Copy);
        CompileSeconds = sw.Elapsed.TotalSeconds;
    }
}

/// <summary>Integer kernels of the index work (prefix sums, the symbolic SpGEMM, transpose and COO→CSR), compiled on first use.</summary>
internal sealed class IndexKernelSet
{
    public readonly Action<KernelConfig, ArrayView<long>, ArrayView<long>, int> ScanChunks;
    public readonly Action<KernelConfig, ArrayView<long>, ArrayView<long>, int> AddChunkOffsets;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<long>, int, int> RowWork;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<int>, ArrayView<long>, int> Insert;
    public readonly Action<KernelConfig, ArrayView<long>, ArrayView<int>, ArrayView<int>, ArrayView<int>, int> Compact;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, int> Rank;
    public readonly Action<KernelConfig, ArrayView<long>, ArrayView<int>> Narrow;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<int>, ArrayView<long>, int, int, int, long, int> InsertRange;
    public readonly Action<KernelConfig, ArrayView<long>, ArrayView<int>, ArrayView<int>, ArrayView<int>, int, int, long> CompactRange;
    public readonly Action<KernelConfig, ArrayView<long>, int, long, ArrayView<long>> ChunkBounds;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<long>, ArrayView<int>, ArrayView<int>, int, int, int> RankHashed;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<long>, int> CountShortRows;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<int>, ArrayView<int>, int> FillShortRows;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<int>, int, int> CountKeys;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<long>, ArrayView<int>, ArrayView<int>> Scatter;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, int> RankByKey;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, int> RowsOfSlots;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>> MarkHeads;
    public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<int>, ArrayView<int>> Finish;
    public readonly Action<KernelConfig, ArrayView<long>, ArrayView<long>, ArrayView<int>> RowPtrFromHeads;
    public readonly double CompileSeconds;

    public IndexKernelSet(Accelerator acc)
    {
        var sw = Stopwatch.StartNew();
        ScanChunks = acc.LoadStreamKernel<ArrayView<long>, ArrayView<long>, int>(ScanKernels.ScanChunks);
        AddChunkOffsets = acc.LoadStreamKernel<ArrayView<long>, ArrayView<long>, int>(ScanKernels.AddChunkOffsets);
        RowWork = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<long>, int, int>(SpGemmKernels.RowWork);
        Insert = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<int>, ArrayView<long>, int>(SpGemmKernels.Insert);
        Compact = acc.LoadStreamKernel<ArrayView<long>, ArrayView<int>, ArrayView<int>, ArrayView<int>, int>(SpGemmKernels.Compact);
        Rank = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, int>(SpGemmKernels.Rank);
        Narrow = acc.LoadStreamKernel<ArrayView<long>, ArrayView<int>>(SpGemmKernels.Narrow);
        InsertRange = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<int>, ArrayView<long>, int, int, int, long, int>(SpGemmKernels.InsertRange);
        CompactRange = acc.LoadStreamKernel<ArrayView<long>, ArrayView<int>, ArrayView<int>, ArrayView<int>, int, int, long>(SpGemmKernels.CompactRange);
        ChunkBounds = acc.LoadStreamKernel<ArrayView<long>, int, long, ArrayView<long>>(SpGemmKernels.ChunkBounds);
        RankHashed = acc.LoadStreamKernel<ArrayView<int>, ArrayView<long>, ArrayView<int>, ArrayView<int>, int, int, int>(SpGemmKernels.RankHashed);
        CountShortRows = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<long>, int>(SpGemmKernels.CountShortRows);
        FillShortRows = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<int>, ArrayView<int>, int>(SpGemmKernels.FillShortRows);
        CountKeys = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<int>, int, int>(CsrBuildKernels.CountKeys);
        Scatter = acc.LoadStreamKernel<ArrayView<int>, ArrayView<long>, ArrayView<int>, ArrayView<int>>(CsrBuildKernels.Scatter);
        RankByKey = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, int>(CsrBuildKernels.RankByKey);
        RowsOfSlots = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, int>(CsrBuildKernels.RowsOfSlots);
        MarkHeads = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>>(CsrBuildKernels.MarkHeads);
        Finish = acc.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<int>, ArrayView<int>>(CsrBuildKernels.Finish);
        RowPtrFromHeads = acc.LoadStreamKernel<ArrayView<long>, ArrayView<long>, ArrayView<int>>(CsrBuildKernels.RowPtrFromHeads);
        CompileSeconds = sw.Elapsed.TotalSeconds;
    }
}
