using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// When the CPU backend multiplies by a <see cref="PackedCsr{T}"/> (row templates or compressed CSR) instead of the plain CSR arrays: only for a matrix
/// the caller declared fixed and repeatedly applied (<see cref="Backend.PrepareRepeatedSpMV{T}"/>: a Krylov solve's
/// operator), large enough to leave the caches, and only when the encoding saves at least
/// <see cref="MinSaving"/> of the matrix bytes. Built once per (pattern, values storage, offset), at the
/// <see cref="BuildAfterCalls"/>-th preparation, and kept as long as the values storage lives; a declined matrix is
/// remembered too, so it is not examined again.
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

    /// <summary>Stored entries below which the delta/index encoding is not used (12 MB in float64: the plain matrix then
    /// leaves the last-level cache; in cache the decoding measured 0.3–0.8× the plain kernel's speed, bench spmv-compare). 0 (benchmarks)
    /// also lifts the gather-kernel exclusion.</summary>
    internal static int MinDeltaNnz { get; set; } = 1 << 20;

    /// <summary>Fraction of the matrix's plain bytes the encoding must save to be used (decoding is not free); settable for benchmarks.</summary>
    internal static double MinSaving { get; set; } = 0.2;

    /// <summary>
    /// Preparations of one operator before it is encoded: the build costs about 20–30 products' savings (bench cg-bytes,
    /// bench/RESULTS.md), so a solve that stops within a few iterations (AMG-PCG: ~12) does not pay for it; from this
    /// many on, it is built (at most this many products go unencoded: the rent-or-buy bound).
    /// </summary>
    internal static int BuildAfterCalls { get; set; } = 16;

    /// <summary>Wall time of the last encoding built (benchmarks report it).</summary>
    internal static double LastBuildMilliseconds { get; private set; }

    private sealed class Known(CsrIndices pattern, int offset)
    {
        public readonly CsrIndices Pattern = pattern;
        public readonly int Offset = offset;
        public int Calls;
        public bool Decided;
        public object? Packed;
    }

    private sealed class Entry
    {
        public readonly List<Known> Known = [];
    }

    private static readonly ConditionalWeakTable<object, Entry> Cache = new();

    /// <summary>
    /// Counts a preparation of values[valOffset, +nnz) on <paramref name="a"/>; at the <see cref="BuildAfterCalls"/>-th builds
    /// (once; <paramref name="now"/>: at this call) and remembers its encoding, or that it does not pay. Returns the encoding when there is one.
    /// </summary>
    internal static PackedCsr<T>? Prepare<T>(CsrIndices a, Storage<T> values, int valOffset, bool now = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!Enabled || a.Nnz < MinNnz || values is not CpuStorage<T> cpu) return null;
        var e = Cache.GetValue(cpu, _ => new Entry());
        lock (e)
        {
            Known? known = null;
            foreach (var k in e.Known)
                if (ReferenceEquals(k.Pattern, a) && k.Offset == valOffset) { known = k; break; }
            if (known is null) e.Known.Add(known = new Known(a, valOffset));
            if (known.Decided) return (PackedCsr<T>?)known.Packed;
            if (++known.Calls < BuildAfterCalls && !now) return null;
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            PackedCsr<T>? keep = Build(a, cpu.Span.Slice(valOffset, a.Nnz));
            LastBuildMilliseconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (keep.Bytes > (1 - MinSaving) * keep.PlainBytes) keep = null;
            // Delta/index decoding costs instructions: it pays only where the plain matrix streams from memory, and with the
            // scalar kernel (the gather kernel's rows are decoded into scratch first, measured slower: bench spmv-compare).
            if (keep is CompressedCsr<T> && (a.Nnz < MinDeltaNnz || (MinDeltaNnz > 0 && CsrKernels.GatherPays(a.Rows, a.Nnz)))) keep = null;
            known.Packed = keep; known.Decided = true;
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
                if (ReferenceEquals(k.Pattern, a) && k.Offset == valOffset) return (PackedCsr<T>?)k.Packed;
        }
        return null;
    }

    /// <summary>Forgets every compressed form built for <paramref name="values"/> (tests and benchmarks).</summary>
    internal static void Forget<T>(Storage<T> values) where T : unmanaged => Cache.Remove(values);
}
