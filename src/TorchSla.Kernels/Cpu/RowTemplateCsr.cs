using System.Numerics;
using System.Runtime.CompilerServices;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// A CSR matrix whose rows repeat up to a shift, stored as a table of distinct rows ("templates": the column offsets
/// c − i and the values of a row i) and one 1- or 2-byte template number per row. It is CSR-VI's value indexing
/// (Kourtis, Goumas &amp; Koziris, CF 2008) applied to whole rows, or the row-level case of the substructures CSX
/// detects (Kourtis et al., "CSX: an extended compression format for SpMV on shared memory systems", PPoPP 2011):
/// stencils and FEM operators on uniform meshes, graph Laplacians of regular grids have a handful of templates
/// (interior, faces, edges, corners), so the matrix shrinks from 12 bytes per entry to 1 byte per row and the
/// templates stay in L1. Matrices with too many distinct rows are not encoded (<see cref="TryBuild"/>).
/// </summary>
/// <remarks>
/// Exact: a template holds the bits of the entries it replaces, and a row is summed with the scalar kernel's
/// expression (<see cref="CsrKernels.SpMVRowsScalar{T}"/>: groups of four from the row's first entry, two accumulators),
/// so only matrices that the plain SpMV multiplies with the scalar kernel are encoded (<c>gather</c> false).
/// </remarks>
internal sealed unsafe class RowTemplateCsr<T> : PackedCsr<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Most templates kept (2-byte numbers).</summary>
    public const int MaxTemplates = ushort.MaxValue + 1;

    /// <summary>Most stored entries over all templates (12 B each in float64: 96 KiB, the size of an L2 slice's share).</summary>
    public const int MaxTemplateEntries = 8192;

    private readonly byte[] _ids;     // pinned: 1 or 2 bytes per row
    private readonly bool _wide;
    private readonly long[] _span;    // pinned: per template, start | length << 32 into _offsets/_values
    private readonly int[] _offsets;  // pinned
    private readonly T[] _values;     // pinned

    /// <summary>Distinct rows.</summary>
    public int Templates => _span.Length;

    /// <inheritdoc/>
    public override string Description => $"row templates ({Templates}, {_offsets.Length} entries, {(_wide ? 2 : 1)}-byte numbers)";

    private RowTemplateCsr(byte[] ids, bool wide, long[] span, int[] offsets, T[] values, long plainBytes)
    {
        _ids = ids; _wide = wide; _span = span; _offsets = offsets; _values = values;
        PlainBytes = plainBytes;
        Bytes = ids.Length + span.Length * 8L + offsets.Length * (4L + sizeof(T));
    }

    /// <summary>
    /// The template encoding of the matrix, or null when it has more than <see cref="MaxTemplates"/> distinct rows or
    /// <see cref="MaxTemplateEntries"/> template entries (found out early: the build stops at the first row past a limit).
    /// Rows are keyed by their length, column offsets and value bits (a hash, then an exact comparison).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // built once per operator: no tier-0 pass over a million rows
    public static RowTemplateCsr<T>? TryBuild(int rows, ReadOnlySpan<int> rowPtr, ReadOnlySpan<int> colInd, ReadOnlySpan<T> values)
    {
        int nnz = colInd.Length;
        if (rowPtr.Length != rows + 1 || rowPtr[rows] != nnz || values.Length != nnz)
            throw new ArgumentException($"RowTemplateCsr: {rowPtr.Length} row offsets, {nnz} columns and {values.Length} values do not form a {rows}-row CSR matrix");
        var ids = new ushort[rows];
        var first = new Dictionary<ulong, int>();  // hash → newest template with that hash
        var next = new List<int>();                // chain of templates sharing a hash
        var span = new List<long>();
        var offsets = new List<int>(); var vals = new List<T>();
        int last = -1; // the previous row's template: consecutive rows mostly share one
        for (int r = 0; r < rows; r++)
        {
            int k0 = rowPtr[r], len = rowPtr[r + 1] - k0;
            if (last >= 0 && Same(span, offsets, vals, last, r, colInd.Slice(k0, len), values.Slice(k0, len))) { ids[r] = (ushort)last; continue; }
            ulong h = (ulong)len * 0x9E3779B97F4A7C15UL;
            for (int k = k0; k < k0 + len; k++)
            {
                T v = values[k];
                ulong bits = sizeof(T) == 8 ? Unsafe.As<T, ulong>(ref v) : Unsafe.As<T, uint>(ref v);
                h = (h ^ (uint)(colInd[k] - r)) * 0x100000001B3UL;
                h = (h ^ bits) * 0xC2B2AE3D27D4EB4FUL;
            }
            bool known = first.TryGetValue(h, out int head);
            int t = known ? head : -1;
            while (t >= 0 && !Same(span, offsets, vals, t, r, colInd.Slice(k0, len), values.Slice(k0, len))) t = next[t];
            if (t < 0)
            {
                if (span.Count == MaxTemplates || offsets.Count + len > MaxTemplateEntries) return null;
                t = span.Count;
                span.Add((uint)offsets.Count | ((long)len << 32));
                for (int k = k0; k < k0 + len; k++) { offsets.Add(colInd[k] - r); vals.Add(values[k]); }
                next.Add(known ? head : -1);
                first[h] = t;
            }
            ids[r] = (ushort)t;
            last = t;
        }
        bool wide = span.Count > 256;
        var idBytes = GC.AllocateUninitializedArray<byte>(wide ? 2 * rows : rows, pinned: true);
        if (wide) fixed (byte* p = idBytes) ids.AsSpan().CopyTo(new Span<ushort>(p, rows));
        else for (int r = 0; r < rows; r++) idBytes[r] = (byte)ids[r];
        var spanArr = GC.AllocateUninitializedArray<long>(span.Count, pinned: true); span.CopyTo(spanArr);
        var offArr = GC.AllocateUninitializedArray<int>(offsets.Count, pinned: true); offsets.CopyTo(offArr);
        var valArr = GC.AllocateUninitializedArray<T>(vals.Count, pinned: true); vals.CopyTo(valArr);
        return new RowTemplateCsr<T>(idBytes, wide, spanArr, offArr, valArr, 4L * (rows + 1) + (long)nnz * (4 + sizeof(T)));

        // Whether template t is row r (its columns cols and values vs): same length, offsets and value bits.
        static bool Same(List<long> span, List<int> offsets, List<T> vals, int t, int r, ReadOnlySpan<int> cols, ReadOnlySpan<T> vs)
        {
            long s = span[t];
            int len = cols.Length;
            if ((int)(s >> 32) != len) return false;
            int o = (int)s;
            for (int k = 0; k < len; k++)
            {
                if (offsets[o + k] != cols[k] - r) return false;
                T a = vals[o + k], b = vs[k];
                if (sizeof(T) == 8 ? Unsafe.As<T, ulong>(ref a) != Unsafe.As<T, ulong>(ref b) : Unsafe.As<T, uint>(ref a) != Unsafe.As<T, uint>(ref b)) return false;
            }
            return true;
        }
    }

    /// <inheritdoc/>
    /// <remarks>Asked for the gather kernel's bits (the kernel switches were changed after the build), it runs the plain kernel.</remarks>
    public override void SpMVRows(int r0, int r1, int* rowPtr, int* colInd, T* val, T* x, T* y, T alpha, T beta, bool gather)
    {
        if (gather) { CsrKernels.SpMVRows(r0, r1, rowPtr, colInd, val, x, y, alpha, beta, gather); return; }
        if (r0 >= r1) return;
        fixed (byte* ids = _ids) fixed (long* span = _span) fixed (int* off = _offsets) fixed (T* v = _values)
        {
            if (_wide) Rows(new Wide((ushort*)ids), span, off, v, r0, r1, x, y, alpha, beta);
            else Rows(new Narrow(ids), span, off, v, r0, r1, x, y, alpha, beta);
        }
    }

    /// <summary>
    /// <see cref="CsrKernels.SpMVRowsScalar{T}"/>'s expressions, row i reading its template with x shifted by i. Where
    /// <see cref="Vector{T}.Count"/> consecutive rows share a template (the interior of a stencil) they are done together,
    /// one row per lane: the template's entry k multiplies the contiguous x[i + o_k .. i + o_k + lanes), and each lane
    /// takes the scalar row's operations in the scalar row's order (separate multiplies and adds, the sums started from
    /// zero), so each lane has the scalar row's bits. This is SIMD across rows, as SELL-C-σ does by storage (Kreutzer et
    /// al., SIAM J. Sci. Comput. 36(5), 2014), here found in the pattern; it turns ~5 instructions per entry into ~1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows<TI>(TI ids, long* span, int* off, T* v, int r0, int r1, T* x, T* y, T alpha, T beta) where TI : struct, IIds
    {
        bool plain = alpha == T.One && beta == T.Zero;
        int lanes = Vector<T>.Count;
        for (int r = r0; r < r1;)
        {
            int t = ids.At(r);
            long s = span[t];
            int len = (int)(s >> 32);
            int* o = off + (int)s; T* tv = v + (int)s; T* xr = x + r;
            if (Vector.IsHardwareAccelerated && r + lanes <= r1 && ids.Repeats(r, lanes))
            {
                Vector<T> v0 = Vector<T>.Zero, v1 = Vector<T>.Zero;
                int j = 0;
                for (; j + 3 < len; j += 4)
                {
                    v0 += new Vector<T>(tv[j]) * Vector.Load(xr + o[j]) + new Vector<T>(tv[j + 2]) * Vector.Load(xr + o[j + 2]);
                    v1 += new Vector<T>(tv[j + 1]) * Vector.Load(xr + o[j + 1]) + new Vector<T>(tv[j + 3]) * Vector.Load(xr + o[j + 3]);
                }
                for (; j < len; j++) v0 += new Vector<T>(tv[j]) * Vector.Load(xr + o[j]);
                Vector<T> vs = v0 + v1;
                if (!plain)
                    vs = beta == T.Zero ? new Vector<T>(alpha) * vs : new Vector<T>(alpha) * vs + new Vector<T>(beta) * Vector.Load(y + r);
                vs.Store(y + r);
                r += lanes;
                continue;
            }
            T s0 = T.Zero, s1 = T.Zero;
            int k = 0;
            for (; k + 3 < len; k += 4)
            {
                s0 += tv[k] * xr[o[k]] + tv[k + 2] * xr[o[k + 2]];
                s1 += tv[k + 1] * xr[o[k + 1]] + tv[k + 3] * xr[o[k + 3]];
            }
            for (; k < len; k++) s0 += tv[k] * xr[o[k]];
            T sum = s0 + s1;
            if (plain) y[r] = sum;
            else y[r] = beta == T.Zero ? alpha * sum : alpha * sum + beta * y[r];
            r++;
        }
    }

    /// <summary>Row r's template number; whether rows r .. r + count − 1 all have row r's.</summary>
    private interface IIds { int At(int r); bool Repeats(int r, int count); }
    private readonly struct Narrow(byte* p) : IIds
    {
        public int At(int r) => p[r];
        public bool Repeats(int r, int count) { for (int i = 1; i < count; i++) if (p[r + i] != p[r]) return false; return true; }
    }
    private readonly struct Wide(ushort* p) : IIds
    {
        public int At(int r) => p[r];
        public bool Repeats(int r, int count) { for (int i = 1; i < count; i++) if (p[r + i] != p[r]) return false; return true; }
    }
}
