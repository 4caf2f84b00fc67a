using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// When the CPU backend multiplies by a <see cref="PackedCsr{T}"/> (row templates or compressed CSR) instead of the plain CSR arrays: only for a matrix
/// the caller declared fixed and repeatedly applied (<see cref="Backend.PrepareRepeatedSpMV{T}"/>: a Krylov solve's
/// operator), large enough to leave the caches, and only when the encoding saves at least
/// <see cref="MinSaving"/> of the matrix bytes. Built once per (pattern, values storage, offset) and kept as long as
/// the values storage lives; a declined matrix is remembered too, so it is not examined again.
/// </summary>
public static class CsrCompression
{
    /// <summary>
    /// Whether compressed SpMV storage is used at all (default on; the environment variable
    /// <c>TORCHSLA_CSR_COMPRESSION=0</c> turns it off at start-up). Turning it off makes every product use the plain
    /// arrays again; the results are the same bits either way.
    /// </summary>
    public static bool Enabled { get; set; } = Environment.GetEnvironmentVariable("TORCHSLA_CSR_COMPRESSION") != "0";

    /// <summary>Stored entries below which a matrix is left plain (12 B/entry in float64: ~1.5 MB, within the caches).</summary>
    internal static int MinNnz { get; set; } = 1 << 17;

    /// <summary>Fraction of the matrix's plain bytes the encoding must save to be used (decoding is not free); settable for benchmarks.</summary>
    internal static double MinSaving { get; set; } = 0.2;

    private sealed class Entry
    {
        public readonly List<(CsrIndices Pattern, int Offset, object? Compressed)> Known = [];
    }

    private static readonly ConditionalWeakTable<object, Entry> Cache = new();

    /// <summary>Builds (once) and remembers the compressed form of values[valOffset, +nnz) on <paramref name="a"/>, or that it does not pay.</summary>
    internal static PackedCsr<T>? Prepare<T>(CsrIndices a, Storage<T> values, int valOffset) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!Enabled || a.Nnz < MinNnz || values is not CpuStorage<T> cpu) return null;
        var e = Cache.GetValue(cpu, _ => new Entry());
        lock (e)
        {
            foreach (var k in e.Known)
                if (ReferenceEquals(k.Pattern, a) && k.Offset == valOffset) return (PackedCsr<T>?)k.Compressed;
            var keep = Build(a, cpu.Span.Slice(valOffset, a.Nnz));
            if (keep is not null && keep.Bytes > (1 - MinSaving) * keep.PlainBytes) keep = null;
            e.Known.Add((a, valOffset, keep));
            return keep;
        }
    }

    /// <summary>
    /// The encoding for a matrix: row templates where the rows repeat (few distinct rows) and the plain product takes the
    /// scalar kernel, else the delta/index compression.
    /// </summary>
    internal static PackedCsr<T> Build<T>(CsrIndices a, ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ReadOnlySpan<int> rowPtr = CpuBackend.SpanOf(a.RowPtr), colInd = CpuBackend.SpanOf(a.ColInd);
        if (!CsrKernels.GatherPays(a.Rows, a.Nnz) && RowTemplateCsr<T>.TryBuild(a.Rows, rowPtr, colInd, values) is { } t) return t;
        return CompressedCsr<T>.Build(a.Rows, rowPtr, colInd, values);
    }

    /// <summary>The compressed form prepared for these arguments, or null (never builds; allocation-free).</summary>
    internal static PackedCsr<T>? Find<T>(CsrIndices a, Storage<T> values, int valOffset) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!Enabled || a.Nnz < MinNnz || !Cache.TryGetValue(values, out var e)) return null;
        lock (e)
        {
            foreach (var k in e.Known)
                if (ReferenceEquals(k.Pattern, a) && k.Offset == valOffset) return (PackedCsr<T>?)k.Compressed;
        }
        return null;
    }

    /// <summary>Forgets every compressed form built for <paramref name="values"/> (tests and benchmarks).</summary>
    internal static void Forget<T>(Storage<T> values) where T : unmanaged => Cache.Remove(values);
}
