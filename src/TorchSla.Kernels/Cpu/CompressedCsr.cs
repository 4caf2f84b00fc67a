using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// A CSR matrix stored with fewer bytes for the CPU's bandwidth-bound SpMV: column indices delta-encoded
/// (CSR-DU, Kourtis, Goumas &amp; Koziris, "Optimizing sparse matrix-vector multiplication using index and value
/// compression", CF 2008; Willcock &amp; Lumsdaine, "Accelerating sparse matrix computations via data compression",
/// ICS 2006) and, when the matrix has few distinct values, the values replaced by 1- or 2-byte indices into a
/// table of those values (CSR-VI, same papers). The row offsets stay the plain CSR's.
/// </summary>
/// <remarks>
/// <para><b>Columns.</b> Row i's first column is stored as c₀ − i, every further one as c_k − c_{k−1}, signed, in
/// 1 or 2 bytes. The width is chosen per chunk of <see cref="ChunkRows"/> rows (the widest delta of the chunk
/// decides); a chunk whose deltas do not fit 16 bits reads the plain 4-byte column indices instead. Deltas are
/// row-relative, so a product can start at any row (SpMV's row partition, CG's row blocks).</para>
/// <para><b>Values.</b> Keyed by their bits (so NaN payloads, −0 and ±∞ come back exactly), numbered in order of
/// first appearance: ≤ 256 distinct values take 1-byte indices, ≤ <see cref="MaxTable16"/> 2-byte indices (the table,
/// ≤ 256 KiB, stays in the core's L2) when that halves the value bytes, more keep the plain 8-byte (4-byte) values.</para>
/// <para><b>Exactness.</b> A table entry has the bits of the value it replaces, and the row sums are taken in the
/// order of <see cref="CsrKernels"/>' kernel for the same matrix: the scalar kernel's expression, or (rows long
/// enough for the gather kernel) the gather kernel itself on a decoded chunk. Results are bit-identical to the
/// plain kernel's.</para>
/// <para><b>Bytes per entry</b> (float64): plain 12; 2D/3D stencils on n ≥ 256² grids 2 (16-bit deltas) + 1 (index) = 3.</para>
/// </remarks>
internal sealed unsafe class CompressedCsr<T> : PackedCsr<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Rows per chunk of one column width.</summary>
    public const int ChunkRows = 512;

    /// <summary>Most distinct values a 2-byte value index is used for (a table of 256 KiB in float64).</summary>
    public const int MaxTable16 = 1 << 15;

    /// <summary>How the values are stored.</summary>
    public enum ValueCoding : byte { Plain, Index8, Index16 }

    private readonly byte[] _width;      // per chunk: 1, 2 or 4 (4 = the plain column indices)
    private readonly long[] _byteStart;  // per chunk: byte offset of its first entry's delta in _deltas
    private readonly byte[] _deltas;     // pinned
    private readonly byte[] _index;      // pinned; 1 or 2 bytes per entry (empty when plain)
    private readonly T[] _table;         // pinned

    /// <summary>The value coding chosen.</summary>
    public ValueCoding Values { get; }

    /// <summary>Chunks by column width: [0] 1-byte, [1] 2-byte, [2] plain 4-byte.</summary>
    public int[] ChunksByWidth { get; } = new int[3];

    /// <summary>Distinct values (0 when more than the tables hold).</summary>
    public int DistinctValues { get; }

    /// <inheritdoc/>
    public override string Description =>
        $"delta columns (8/16/32-bit chunks {ChunksByWidth[0]}/{ChunksByWidth[1]}/{ChunksByWidth[2]}), values {Values}{(Values == ValueCoding.Plain ? "" : $" of {DistinctValues}")}";

    private CompressedCsr(byte[] width, long[] byteStart, byte[] deltas, ValueCoding coding, byte[] index, T[] table,
        long bytes, long plainBytes)
    {
        _width = width; _byteStart = byteStart; _deltas = deltas; Values = coding; _index = index; _table = table;
        Bytes = bytes; PlainBytes = plainBytes; DistinctValues = coding == ValueCoding.Plain ? 0 : table.Length;
        foreach (byte w in width) ChunksByWidth[w == 1 ? 0 : w == 2 ? 1 : 2]++;
    }

    /// <summary>
    /// Encodes the matrix (rowPtr, colInd: canonical CSR; values: its nnz values). Always builds; the caller decides from
    /// <see cref="PackedCsr{T}.Bytes"/> against <see cref="PackedCsr{T}.PlainBytes"/> whether it pays. One pass over the pattern for the widths, one to
    /// write the deltas, one over the values with an open-addressing table of their bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // built once per operator: no tier-0 pass over the matrix
    public static CompressedCsr<T> Build(int rows, ReadOnlySpan<int> rowPtr, ReadOnlySpan<int> colInd, ReadOnlySpan<T> values)
    {
        int nnz = colInd.Length;
        if (rowPtr.Length != rows + 1 || rowPtr[rows] != nnz || values.Length != nnz)
            throw new ArgumentException($"CompressedCsr: {rowPtr.Length} row offsets, {nnz} columns and {values.Length} values do not form a {rows}-row CSR matrix");
        int chunks = (rows + ChunkRows - 1) / ChunkRows;
        var width = new byte[chunks];
        var byteStart = new long[chunks];
        long total = 0;
        for (int c = 0; c < chunks; c++)
        {
            int r0 = c * ChunkRows, r1 = Math.Min(rows, r0 + ChunkRows);
            int maxAbs = 0;
            for (int r = r0; r < r1 && maxAbs <= short.MaxValue; r++)
            {
                long prev = r;
                for (int k = rowPtr[r]; k < rowPtr[r + 1]; k++)
                {
                    long d = colInd[k] - prev;
                    prev = colInd[k];
                    long m = d < 0 ? -d - 1 : d; // |d| on the signed range: [-128, 127] fits a byte
                    if (m > maxAbs) maxAbs = (int)Math.Min(m, int.MaxValue);
                }
            }
            byte w = maxAbs <= sbyte.MaxValue ? (byte)1 : maxAbs <= short.MaxValue ? (byte)2 : (byte)4;
            width[c] = w;
            byteStart[c] = total;
            if (w < 4) total += (long)(rowPtr[r1] - rowPtr[r0]) * w;
        }
        var deltas = GC.AllocateUninitializedArray<byte>(checked((int)total), pinned: true);
        fixed (byte* pd = deltas)
        {
            for (int c = 0; c < chunks; c++)
            {
                byte w = width[c];
                if (w == 4) continue;
                int r0 = c * ChunkRows, r1 = Math.Min(rows, r0 + ChunkRows);
                byte* p = pd + byteStart[c];
                for (int r = r0; r < r1; r++)
                {
                    int prev = r;
                    for (int k = rowPtr[r]; k < rowPtr[r + 1]; k++)
                    {
                        int d = colInd[k] - prev;
                        prev = colInd[k];
                        if (w == 1) *(sbyte*)p = (sbyte)d; else *(short*)p = (short)d;
                        p += w;
                    }
                }
            }
        }
        var (coding, index, table) = EncodeValues(values);
        long columnBytes = total;
        for (int c = 0; c < chunks; c++)
            if (width[c] == 4) columnBytes += 4L * (rowPtr[Math.Min(rows, (c + 1) * ChunkRows)] - rowPtr[c * ChunkRows]);
        long valueBytes = coding == ValueCoding.Plain ? (long)nnz * sizeof(T) : (long)index.Length + (long)table.Length * sizeof(T);
        long offsets = 4L * (rows + 1);
        return new CompressedCsr<T>(width, byteStart, deltas, coding, index, table,
            offsets + columnBytes + valueBytes + chunks * 9L, offsets + (long)nnz * (4 + sizeof(T)));
    }

    /// <summary>The distinct values by their bits (first appearance first) and each entry's index, or Plain when there are too many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (ValueCoding, byte[], T[]) EncodeValues(ReadOnlySpan<T> values)
    {
        int nnz = values.Length;
        // Open addressing on the bits (Knuth's multiplicative hash); capacity 4× the largest table, so probes stay short.
        const int Capacity = 4 * MaxTable16;
        var keys = new ulong[Capacity];
        var ids = new int[Capacity]; // id + 1; 0 = empty
        var distinct = new List<T>();
        var entryId = new ushort[nnz];
        ulong lastBits = 0; int lastId = -1;
        for (int k = 0; k < nnz; k++)
        {
            T v = values[k];
            ulong bits = sizeof(T) == 8 ? Unsafe.As<T, ulong>(ref v) : Unsafe.As<T, uint>(ref v);
            if (lastId >= 0 && bits == lastBits) { entryId[k] = (ushort)lastId; continue; }
            int h = (int)((bits * 0x9E3779B97F4A7C15UL) >> (64 - 17));
            while (ids[h] != 0 && keys[h] != bits) h = (h + 1) & (Capacity - 1);
            if (ids[h] == 0)
            {
                if (distinct.Count == MaxTable16) return (ValueCoding.Plain, [], []);
                keys[h] = bits; distinct.Add(v); ids[h] = distinct.Count;
            }
            lastBits = bits; lastId = ids[h] - 1;
            entryId[k] = (ushort)lastId;
        }
        // An index only where it saves: ≤ half the plain bytes for 2-byte indices (the table then stays small beside them).
        long plainBytes = (long)nnz * sizeof(T), tableBytes = (long)distinct.Count * sizeof(T);
        if (distinct.Count <= 256 ? nnz + tableBytes >= plainBytes : 2L * nnz + tableBytes > plainBytes / 2)
            return (ValueCoding.Plain, [], []);
        var table = GC.AllocateUninitializedArray<T>(distinct.Count, pinned: true);
        distinct.CopyTo(table);
        if (distinct.Count <= 256)
        {
            var idx8 = GC.AllocateUninitializedArray<byte>(nnz, pinned: true);
            for (int k = 0; k < nnz; k++) idx8[k] = (byte)entryId[k];
            return (ValueCoding.Index8, idx8, table);
        }
        var idx16 = GC.AllocateUninitializedArray<byte>(checked(2 * nnz), pinned: true);
        fixed (byte* p = idx16) new ReadOnlySpan<ushort>(entryId).CopyTo(new Span<ushort>(p, nnz));
        return (ValueCoding.Index16, idx16, table);
    }

    /// <inheritdoc/>
    /// <remarks>4-byte chunks read colInd, plain values read val.</remarks>
    public override void SpMVRows(int r0, int r1, int* rowPtr, int* colInd, T* val, T* x, T* y, T alpha, T beta, bool gather)
    {
        if (r0 >= r1) return;
        fixed (byte* pd = _deltas) fixed (byte* pi = _index) fixed (T* tab = _table)
        {
            switch (Values)
            {
                case ValueCoding.Index8: Run(new Index8(pi, tab), r0, r1, rowPtr, colInd, val, x, y, alpha, beta, gather, pd); break;
                case ValueCoding.Index16: Run(new Index16((ushort*)pi, tab), r0, r1, rowPtr, colInd, val, x, y, alpha, beta, gather, pd); break;
                default: Run(new Plain(val), r0, r1, rowPtr, colInd, val, x, y, alpha, beta, gather, pd); break;
            }
        }
    }

    private void Run<TV>(TV vals, int r0, int r1, int* rowPtr, int* colInd, T* val, T* x, T* y, T alpha, T beta, bool gather, byte* pd)
        where TV : struct, IValues
    {
        for (int r = r0; r < r1;)
        {
            int c = r / ChunkRows;
            int re = Math.Min(r1, (c + 1) * ChunkRows);
            int first = rowPtr[c * ChunkRows]; // the chunk's first entry: delta pointers are offset by it
            byte w = _width[c];
            if (gather) GatherRows(vals, w, pd + _byteStart[c], first, r, re, rowPtr, colInd, x, y, alpha, beta);
            else if (w == 1) ScalarRows(new Delta8((sbyte*)(pd + _byteStart[c]) - first), vals, r, re, rowPtr, x, y, alpha, beta);
            else if (w == 2) ScalarRows(new Delta16((short*)(pd + _byteStart[c]) - first), vals, r, re, rowPtr, x, y, alpha, beta);
            else ScalarRows(new Absolute(colInd), vals, r, re, rowPtr, x, y, alpha, beta);
            r = re;
        }
    }

    /// <summary><see cref="CsrKernels.SpMVRowsScalar{T}"/>'s loop and expressions, reading decoded columns and values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScalarRows<TC, TV>(TC cols, TV vals, int r0, int r1, int* rowPtr, T* x, T* y, T alpha, T beta)
        where TC : struct, IColumns where TV : struct, IValues
    {
        bool plain = alpha == T.One && beta == T.Zero;
        int k = rowPtr[r0];
        for (int r = r0; r < r1; r++)
        {
            int end = rowPtr[r + 1];
            T s0 = T.Zero, s1 = T.Zero;
            int j = r;
            for (; k + 3 < end; k += 4)
            {
                int j0 = cols.Next(k, j), j1 = cols.Next(k + 1, j0), j2 = cols.Next(k + 2, j1), j3 = cols.Next(k + 3, j2);
                j = j3;
                s0 += vals.At(k) * x[j0] + vals.At(k + 2) * x[j2];
                s1 += vals.At(k + 1) * x[j1] + vals.At(k + 3) * x[j3];
            }
            for (; k < end; k++) { j = cols.Next(k, j); s0 += vals.At(k) * x[j]; }
            T s = s0 + s1;
            if (plain) y[r] = s;
            else y[r] = beta == T.Zero ? alpha * s : alpha * s + beta * y[r];
        }
    }

    [ThreadStatic] private static int[]? _scratchCols;
    [ThreadStatic] private static T[]? _scratchVals;

    /// <summary>Long rows: the chunk's rows decoded into this thread's scratch, then the plain gather kernel on them.</summary>
    private static void GatherRows<TV>(TV vals, byte w, byte* chunk, int first, int r0, int r1, int* rowPtr, int* colInd,
        T* x, T* y, T alpha, T beta) where TV : struct, IValues
    {
        int k0 = rowPtr[r0], len = rowPtr[r1] - k0;
        if ((_scratchCols?.Length ?? 0) < len) { _scratchCols = new int[len]; _scratchVals = new T[len]; }
        fixed (int* sc = _scratchCols) fixed (T* sv = _scratchVals)
        {
            int* cols = sc - k0; T* v = sv - k0;
            for (int r = r0; r < r1; r++)
            {
                int j = r;
                for (int k = rowPtr[r]; k < rowPtr[r + 1]; k++)
                {
                    j = w == 1 ? j + ((sbyte*)chunk)[k - first] : w == 2 ? j + ((short*)chunk)[k - first] : colInd[k];
                    cols[k] = j;
                    v[k] = vals.At(k);
                }
            }
            CsrKernels.SpMVRows(r0, r1, rowPtr, cols, v, x, y, alpha, beta, gather: true);
        }
    }

    /// <summary>Column of entry k given the previous column of its row (the row index before its first entry).</summary>
    private interface IColumns { int Next(int k, int previous); }
    private readonly struct Delta8(sbyte* d) : IColumns { public int Next(int k, int previous) => previous + d[k]; }
    private readonly struct Delta16(short* d) : IColumns { public int Next(int k, int previous) => previous + d[k]; }
    private readonly struct Absolute(int* c) : IColumns { public int Next(int k, int previous) => c[k]; }

    /// <summary>Value of entry k.</summary>
    private interface IValues { T At(int k); }
    private readonly struct Plain(T* v) : IValues { public T At(int k) => v[k]; }
    private readonly struct Index8(byte* i, T* t) : IValues { public T At(int k) => t[i[k]]; }
    private readonly struct Index16(ushort* i, T* t) : IValues { public T At(int k) => t[i[k]]; }
}
