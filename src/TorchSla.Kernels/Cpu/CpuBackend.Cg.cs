using System.Numerics;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cpu;

// The CPU twins of the fused Krylov primitives (Backend.DotInto, SpMVDot, CgUpdate, CgDirection).
// Each primitive is one pass over its vectors in fixed blocks (CgBlocks); the per-system decisions
// (α, β, the status word) are taken on the calling thread before the pass, the partial sums are
// folded in block order after it, so the bits depend on the sizes only, never on the thread count.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public override void DotInto<T>(Storage<T> x, Storage<T> y, VectorBatch layout, Storage<T> scalars, int scalarStride, int slot)
    {
        var job = CgBlocks<T>.Rent(CgBlocks<T>.Kind.Dot, layout, ArrayOf(scalars), scalarStride);
        CheckScalars(layout, scalars, scalarStride, slot);
        job.X = Checked(x, layout, nameof(x)); job.Y = Checked(y, layout, nameof(y));
        job.RunElementwise();
        job.FoldInto(slot, -1);
    }

    /// <inheritdoc/>
    public override unsafe void SpMVDot<T>(CsrIndices a, Storage<T> values, int valOffset, Storage<T> x, Storage<T> y,
        VectorBatch layout, Storage<T> scalars, int scalarStride, int slot)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a.Rows != a.Cols || layout.Length != a.Rows)
            throw new ArgumentException($"SpMVDot needs a square matrix matching the vectors: A is {a.Rows}×{a.Cols}, vectors have {layout.Length} entries", nameof(a));
        bool interleaved = layout.Count > 1 && !layout.IsUnitStride;
        if (interleaved ? layout != VectorBatch.Interleaved(layout.Length, layout.Count) : layout.SystemStride < layout.Length && layout.Count > 1)
            throw new ArgumentException($"SpMVDot: layout {layout} is neither [B, n] nor [n, K]", nameof(layout));
        CheckScalars(layout, scalars, scalarStride, slot);
        var xs = SpanOf(x); var ys = SpanOf(y);
        layout.Check(xs.Length, nameof(x)); layout.Check(ys.Length, nameof(y));
        var vs = SpanOf(values).Slice(valOffset, checked(a.Nnz * (interleaved ? 1 : layout.Count)));
        var job = CgBlocks<T>.Rent(CgBlocks<T>.Kind.SpMVDot, layout, ArrayOf(scalars), scalarStride);
        fixed (int* prp = SpanOf(a.RowPtr)) fixed (int* pci = SpanOf(a.ColInd)) fixed (T* pv = vs) fixed (T* px = xs) fixed (T* py = ys)
        {
            job.RowPtr = prp; job.ColInd = pci; job.Val = pv; job.Px = px; job.Py = py; job.Nnz = a.Nnz;
            job.Interleaved = interleaved;
            job.Gather = CsrKernels.GatherPays(a.Rows, a.Nnz);
            job.Packed = layout.Count == 1 ? CsrCompression.Find(a, values, valOffset) : null;
            job.RunRows((long)a.Nnz * layout.Count);
        }
        job.FoldInto(slot, -1);
    }

    /// <inheritdoc/>
    public override void CgUpdate<T>(Storage<T>? x, Storage<T>? p, Storage<T> r, Storage<T> q, Storage<T>? inverseDiagonal,
        VectorBatch layout, Storage<T> scalars, int scalarStride, int rhoSlot, int rhoNewSlot, int iteration)
    {
        CheckScalars(layout, scalars, scalarStride, rhoSlot); CheckScalars(layout, scalars, scalarStride, rhoNewSlot);
        var job = CgBlocks<T>.Rent(CgBlocks<T>.Kind.Update, layout, ArrayOf(scalars), scalarStride);
        job.X = x is null ? null : Checked(x, layout, nameof(x));
        job.P = x is null ? null : Checked(p!, layout, nameof(p));
        job.R = Checked(r, layout, nameof(r)); job.Q = Checked(q, layout, nameof(q));
        job.D = inverseDiagonal is null ? null : Checked(inverseDiagonal, layout, nameof(inverseDiagonal));
        var s = job.S;
        for (int b = 0; b < layout.Count; b++)
        {
            int o = b * scalarStride;
            // α = ρ/pᵀq, or the reason it cannot be taken: the system is frozen before it is touched.
            bool active = s[o + CgScalars.Status] == T.Zero;
            if (active)
            {
                int code = CgScalars.AfterCurvature(s[o + CgScalars.Curvature]);
                if (code != CgScalars.Active) Stop(s, o, code, iteration - 1);
                active = code == CgScalars.Active;
            }
            job.Active[b] = active;
            job.Coefficient[b] = active ? s[o + rhoSlot] / s[o + CgScalars.Curvature] : T.Zero;
        }
        job.RunElementwise();
        job.FoldInto(CgScalars.ResidualSquared, rhoNewSlot);
        int ring = scalarStride - CgScalars.History;
        for (int b = 0; b < layout.Count; b++)
        {
            int o = b * scalarStride;
            if (!job.Active[b]) continue;
            if (x is null) { s[o + CgScalars.Alpha] = job.Coefficient[b]; s[o + CgScalars.AlphaIteration] = T.CreateTruncating(iteration); }
            T rr = s[o + CgScalars.ResidualSquared];
            s[o + CgScalars.History + (iteration - 1) % ring] = rr;
            int code = CgScalars.AfterResidual(rr, s[o + CgScalars.BoundSquared]);
            if (code != CgScalars.Active) Stop(s, o, code, iteration);
        }
    }

    /// <inheritdoc/>
    public override void CgDirection<T>(Storage<T> z, Storage<T>? inverseDiagonal, Storage<T> p, VectorBatch layout,
        Storage<T> scalars, int scalarStride, int rhoNewSlot, int rhoSlot, int iteration)
    {
        CheckScalars(layout, scalars, scalarStride, rhoSlot); CheckScalars(layout, scalars, scalarStride, rhoNewSlot);
        var job = CgBlocks<T>.Rent(CgBlocks<T>.Kind.Direction, layout, ArrayOf(scalars), scalarStride);
        job.R = Checked(z, layout, nameof(z)); job.P = Checked(p, layout, nameof(p));
        job.D = inverseDiagonal is null ? null : Checked(inverseDiagonal, layout, nameof(inverseDiagonal));
        var s = job.S;
        for (int b = 0; b < layout.Count; b++)
        {
            int o = b * scalarStride;
            T rhoNew = s[o + rhoNewSlot];
            if (s[o + CgScalars.Status] == T.Zero)
            {
                int code = CgScalars.AfterPreconditioner(rhoNew);
                if (code != CgScalars.Active) Stop(s, o, code, iteration);
            }
            job.Coefficient[b] = rhoNew / s[o + rhoSlot];
            job.Active[b] = true; // p is free once a system stopped: updating it keeps the pass uniform
        }
        job.RunElementwise();
    }

    /// <inheritdoc/>
    public override unsafe void CgDirectionSpMVDot<T>(CsrIndices a, Storage<T> values, int valOffset, bool batchedValues,
        Storage<T> r, Storage<T>? inverseDiagonal, Storage<T> pOld, Storage<T> pNew, Storage<T> x, Storage<T> q,
        VectorBatch layout, Storage<T> scalars, int scalarStride, int rhoNewSlot, int rhoSlot, int iteration)
    {
        ArgumentNullException.ThrowIfNull(a);
        CgScalars.CheckDirectionSpMVDot(a, layout, pOld, pNew);
        CheckScalars(layout, scalars, scalarStride, rhoSlot); CheckScalars(layout, scalars, scalarStride, rhoNewSlot);
        var vs = SpanOf(values).Slice(valOffset, checked(a.Nnz * (batchedValues ? layout.Count : 1)));
        var job = CgBlocks<T>.Rent(CgBlocks<T>.Kind.DirectionSpMVDot, layout, ArrayOf(scalars), scalarStride);
        job.X = Checked(x, layout, nameof(x)); job.P = Checked(pOld, layout, nameof(pOld)); job.Y = Checked(pNew, layout, nameof(pNew));
        job.R = Checked(r, layout, nameof(r)); job.Q = Checked(q, layout, nameof(q));
        job.D = inverseDiagonal is null ? null : Checked(inverseDiagonal, layout, nameof(inverseDiagonal));
        var s = job.S;
        for (int b = 0; b < layout.Count; b++)
        {
            int o = b * scalarStride;
            // The deferred x += α_{k−1}·p_old: pending exactly when pass 2 of iteration k − 1 took α.
            job.Pending[b] = s[o + CgScalars.AlphaIteration] == T.CreateTruncating(iteration - 1);
            job.PendingAlpha[b] = s[o + CgScalars.Alpha];
            bool active = s[o + CgScalars.Status] == T.Zero;
            if (active)
            {
                int code = CgScalars.AfterPreconditioner(s[o + rhoNewSlot]);
                if (code != CgScalars.Active) Stop(s, o, code, iteration - 1);
                active = code == CgScalars.Active;
            }
            job.Active[b] = active;
            job.Coefficient[b] = active ? s[o + rhoNewSlot] / s[o + rhoSlot] : T.Zero;
        }
        fixed (int* prp = SpanOf(a.RowPtr)) fixed (int* pci = SpanOf(a.ColInd)) fixed (T* pv = vs)
        {
            job.RowPtr = prp; job.ColInd = pci; job.Val = pv; job.Nnz = batchedValues ? a.Nnz : 0;
            job.Interleaved = false;
            job.Gather = CsrKernels.GatherPays(a.Rows, a.Nnz);
            job.Packed = layout.Count == 1 ? CsrCompression.Find(a, values, valOffset) : null;
            job.Window = CgBlocks<T>.WindowsOf(a, prp, pci);
            job.RunRows((long)a.Nnz * layout.Count);
        }
        job.FoldInto(CgScalars.Curvature, -1);
    }

    /// <inheritdoc/>
    public override void InverseDiagonal<T>(CsrIndices a, Storage<T> values, int valOffset, Storage<T> result)
    {
        ArgumentNullException.ThrowIfNull(a);
        int n = Math.Min(a.Rows, a.Cols);
        var rp = SpanOf(a.RowPtr); var ci = SpanOf(a.ColInd);
        var v = SpanOf(values).Slice(valOffset, a.Nnz);
        var res = SpanOf(result);
        if (res.Length < n) throw new ArgumentException($"InverseDiagonal: result holds {res.Length} elements, the diagonal {n}", nameof(result));
        for (int i = 0; i < n; i++)
        {
            int k = ci.Slice(rp[i], rp[i + 1] - rp[i]).BinarySearch(i);
            res[i] = T.One / (k >= 0 ? v[rp[i] + k] : T.Zero);
        }
    }

    /// <inheritdoc/>
    public override void TriangularSolve<T>(CsrIndices strict, Storage<T> values, Storage<T>? diagonal, bool lower,
        Storage<int> levelRows, int[] levelPtr, Storage<T> b, Storage<T> x)
    {
        ArgumentNullException.ThrowIfNull(strict);
        int n = strict.Rows;
        var rp = SpanOf(strict.RowPtr); var ci = SpanOf(strict.ColInd); var v = SpanOf(values);
        var d = diagonal is null ? default : SpanOf(diagonal);
        var bs = SpanOf(b); var xs = SpanOf(x);
        if (bs.Length < n || xs.Length < n || v.Length < strict.Nnz || (diagonal is not null && d.Length < n))
            throw new ArgumentException($"TriangularSolve: vectors of {bs.Length}/{xs.Length} and {v.Length} values for a {n}-row factor with {strict.Nnz} entries");
        for (int step = 0; step < n; step++)
        {
            int i = lower ? step : n - 1 - step; // natural order: a topological order of either triangle
            T s = bs[i];
            for (int k = rp[i]; k < rp[i + 1]; k++) s -= v[k] * xs[ci[k]];
            xs[i] = diagonal is null ? s : s / d[i];
        }
    }

    private static void Stop<T>(T[] s, int o, int code, int iteration) where T : unmanaged, IFloatingPointIeee754<T>
    {
        s[o + CgScalars.Status] = T.CreateTruncating(code);
        s[o + CgScalars.StopIteration] = T.CreateTruncating(iteration);
    }

    private static T[] Checked<T>(Storage<T> v, VectorBatch layout, string name) where T : unmanaged
    {
        var a = ArrayOf(v ?? throw new ArgumentNullException(name));
        layout.Check(a.Length, name);
        return a;
    }

    private static void CheckScalars<T>(VectorBatch layout, Storage<T> scalars, int stride, int slot) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(scalars);
        if (stride < CgScalars.History + 1 || slot < 0 || slot >= stride || (long)layout.Count * stride > scalars.Length)
            throw new ArgumentOutOfRangeException(nameof(scalars),
                $"scalar block of {scalars.Length} elements cannot hold {layout.Count} systems of stride {stride} (slot {slot}; the stride must exceed {CgScalars.History})");
    }
}
