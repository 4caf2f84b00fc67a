using System.Numerics;
using ILGPU;

namespace TorchSla.Kernels.Cuda;

/// <summary>Sizes and slots of one launch of the fused Krylov kernels (<see cref="CgKernels"/>).</summary>
internal struct CgLaunch
{
    /// <summary>Entries per vector, vectors, and where entry i of vector b lives (b·SystemStride + i·ElementStride).</summary>
    public int Length, Count, SystemStride, ElementStride;
    /// <summary>Elements per system in the scalar block.</summary>
    public int ScalarStride;
    /// <summary>Reduction groups per system (the first pass's grid is Count·Groups groups).</summary>
    public int Groups;
    /// <summary>The scalar slots the kernel reads or writes (meaning per kernel).</summary>
    public int SlotA, SlotB;
    /// <summary>1 when an inverse diagonal D is passed (Jacobi: z = D·r).</summary>
    public int HasDiagonal;
    /// <summary>Position of this iteration in the history ring.</summary>
    public int HistoryIndex;
    /// <summary>CgUpdate: 1 when x's update is deferred (α and the iteration stored for the next pass 1).</summary>
    public int DeferX;
    /// <summary>CgDirectionSpMVDot: stored entries of A, and the values' stride between systems (nnz, or 0 for one matrix).</summary>
    public int Nnz, ValStride;
}

/// <summary>
/// The GPU twins of the fused Krylov primitives (see <see cref="CgScalars"/> and the CPU's CgBlocks). Scalars
/// stay on the device: every thread of a system reads α = ρ/pᵀq or β = ρ_new/ρ from the scalar block, and the
/// single thread that owns a system's status word writes it. Reductions are deterministic and two-pass like
/// <see cref="ReductionKernels"/> (fixed grid, fixed shared-memory tree), one set of groups per system, so the
/// systems of a batch advance in one launch per step. A thread decides whether its system is frozen from
/// values every thread of the system reads alike (the status word, pᵀq), so they all agree without a barrier.
/// Status codes are written as values from <c>codes</c> (codes[c] = c, uploaded once) to keep integer→T
/// conversions out of the kernels.
/// </summary>
internal static class CgKernels
{
    private const int G = ReductionKernels.GroupSize;

    private static long At(in CgLaunch l, int b, int i) => (long)b * l.SystemStride + (long)i * l.ElementStride;

    private static void Fold2<T>(ArrayView<T> a, ArrayView<T> c, int t) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Group.Barrier();
        for (int half = G / 2; half > 0; half >>= 1)
        {
            if (t < half) { a[t] += a[t + half]; c[t] += c[t + half]; }
            Group.Barrier();
        }
    }

    /// <summary>Pass 1 of DotInto: partial[b·Groups + g] = Σ over group g's entries of x_b·y_b.</summary>
    public static void DotPartial<T>(ArrayView<T> x, ArrayView<T> y, ArrayView<T> partial, CgLaunch l)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sh = SharedMemory.Allocate<T>(G);
        var unused = SharedMemory.Allocate<T>(G);
        int t = Group.IdxX, b = Grid.IdxX / l.Groups, g = Grid.IdxX % l.Groups;
        T acc = T.Zero;
        for (int i = g * G + t; i < l.Length; i += l.Groups * G) { long j = At(l, b, i); acc += x[j] * y[j]; }
        sh[t] = acc; unused[t] = T.Zero;
        Fold2(sh, unused, t);
        if (t == 0) partial[Grid.IdxX] = sh[0];
    }

    /// <summary>Pass 2 (one group per system): scalars[b, SlotA] = Σ_g partial[b·Groups + g] in a fixed tree.</summary>
    public static void FoldInto<T>(ArrayView<T> partial, ArrayView<T> scalars, CgLaunch l)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sh = SharedMemory.Allocate<T>(G);
        var unused = SharedMemory.Allocate<T>(G);
        int t = Group.IdxX, b = Grid.IdxX;
        T acc = T.Zero;
        for (int k = t; k < l.Groups; k += G) acc += partial[b * l.Groups + k];
        sh[t] = acc; unused[t] = T.Zero;
        Fold2(sh, unused, t);
        if (t == 0) scalars[b * l.ScalarStride + l.SlotA] = sh[0];
    }

    /// <summary>
    /// Pass 1 of CgUpdate: for an active system with a usable pᵀq, x += α·p and r −= α·q with α = s[SlotA]/pᵀq,
    /// and the partial sums of ‖r‖² and rᵀD·r; a pᵀq that is not positive and finite freezes the system
    /// (status written by thread 0 of the system's group 0, stop iteration <paramref name="before"/>).
    /// </summary>
    public static void UpdatePartial<T>(ArrayView<T> x, ArrayView<T> p, ArrayView<T> r, ArrayView<T> q, ArrayView<T> d,
        ArrayView<T> s, ArrayView<T> codes, ArrayView<T> partial, CgLaunch l, T before)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sr = SharedMemory.Allocate<T>(G);
        var sz = SharedMemory.Allocate<T>(G);
        int t = Group.IdxX, b = Grid.IdxX / l.Groups, g = Grid.IdxX % l.Groups;
        int o = b * l.ScalarStride;
        T status = s[o + CgScalars.Status];
        T pq = s[o + CgScalars.Curvature];
        int code = CgScalars.AfterCurvature(pq);
        bool active = status == T.Zero && code == CgScalars.Active;
        T rr = T.Zero, rz = T.Zero;
        if (active)
        {
            T alpha = s[o + l.SlotA] / pq;
            for (int i = g * G + t; i < l.Length; i += l.Groups * G)
            {
                long j = At(l, b, i);
                if (l.DeferX == 0) x[j] += alpha * p[j];
                T ri = r[j] - alpha * q[j];
                r[j] = ri;
                rr += ri * ri;
                if (l.HasDiagonal != 0) rz += d[j] * ri * ri;
            }
        }
        else if (status == T.Zero && g == 0 && t == 0)
        {
            s[o + CgScalars.Status] = codes[code];
            s[o + CgScalars.StopIteration] = before;
        }
        sr[t] = rr; sz[t] = rz;
        Fold2(sr, sz, t);
        if (t == 0) { partial[Grid.IdxX] = sr[0]; partial[l.Count * l.Groups + Grid.IdxX] = sz[0]; }
    }

    /// <summary>
    /// Pass 2 of CgUpdate (one group per system): for a system still active, ‖r‖² into its slot and the history
    /// ring, ρ_new (rᵀD·r, or ‖r‖² without D) into SlotB, and the convergence / non-finite test against bound².
    /// </summary>
    public static void UpdateFinish<T>(ArrayView<T> partial, ArrayView<T> s, ArrayView<T> codes, CgLaunch l, T iteration)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sr = SharedMemory.Allocate<T>(G);
        var sz = SharedMemory.Allocate<T>(G);
        int t = Group.IdxX, b = Grid.IdxX;
        T rr = T.Zero, rz = T.Zero;
        for (int k = t; k < l.Groups; k += G)
        {
            rr += partial[b * l.Groups + k];
            rz += partial[l.Count * l.Groups + b * l.Groups + k];
        }
        sr[t] = rr; sz[t] = rz;
        Fold2(sr, sz, t);
        if (t != 0) return;
        int o = b * l.ScalarStride;
        if (s[o + CgScalars.Status] != T.Zero) return;
        rr = sr[0];
        s[o + CgScalars.ResidualSquared] = rr;
        s[o + l.SlotB] = l.HasDiagonal != 0 ? sz[0] : rr;
        s[o + CgScalars.History + l.HistoryIndex] = rr;
        if (l.DeferX != 0)
        {
            // Pass 1 of the next iteration applies x += α·p: the same α (same operands) UpdatePartial used.
            s[o + CgScalars.Alpha] = s[o + l.SlotA] / s[o + CgScalars.Curvature];
            s[o + CgScalars.AlphaIteration] = iteration;
        }
        int code = CgScalars.AfterResidual(rr, s[o + CgScalars.BoundSquared]);
        if (code != CgScalars.Active)
        {
            s[o + CgScalars.Status] = codes[code];
            s[o + CgScalars.StopIteration] = iteration;
        }
    }

    /// <summary>
    /// CgDirection, one thread per entry: p = z + β·p (z = D·r with D) with β = s[SlotA]/s[SlotB]; the thread of
    /// entry 0 stops an active system whose ρ_new is not positive and finite.
    /// </summary>
    public static void Direction<T>(ArrayView<T> z, ArrayView<T> d, ArrayView<T> p, ArrayView<T> s, ArrayView<T> codes,
        CgLaunch l, T iteration)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long gid = Grid.GlobalIndex.X;
        if (gid >= (long)l.Count * l.Length) return;
        int b = (int)(gid / l.Length), i = (int)(gid % l.Length);
        int o = b * l.ScalarStride;
        T rhoNew = s[o + l.SlotA];
        T beta = rhoNew / s[o + l.SlotB];
        long j = At(l, b, i);
        T zi = l.HasDiagonal != 0 ? d[j] * z[j] : z[j];
        p[j] = zi + beta * p[j];
        if (i == 0 && s[o + CgScalars.Status] == T.Zero)
        {
            int code = CgScalars.AfterPreconditioner(rhoNew);
            if (code != CgScalars.Active)
            {
                s[o + CgScalars.Status] = codes[code];
                s[o + CgScalars.StopIteration] = iteration;
            }
        }
    }

    /// <summary>
    /// Pass 1 of two-pass CG (Backend.CgDirectionSpMVDot), one thread per row: the deferred x += α·p_old when
    /// AlphaIteration = k − 1, then for an active system with a usable ρ_new (SlotA; ρ in SlotB) q = A·(z + β·p_old)
    /// with every p_new_j formed from r, D, p_old where the row needs it (p_old is read-only in the pass, so rows do
    /// not race), p_new and q stored for the thread's row, and the partial sums of pᵀq per group. The thread of
    /// row 0 stops a system whose ρ_new is not positive and finite (stop iteration <paramref name="before"/> = k − 1).
    /// </summary>
    public static void DirectionSpMVPartial<T>(ArrayView<int> rowPtr, ArrayView<int> colInd, ArrayView<T> vals,
        ArrayView<T> r, ArrayView<T> d, ArrayView<T> po, ArrayView<T> pn, ArrayView<T> x, ArrayView<T> q,
        ArrayView<T> s, ArrayView<T> codes, ArrayView<T> partial, CgLaunch l, T before)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sh = SharedMemory.Allocate<T>(G);
        var unused = SharedMemory.Allocate<T>(G);
        int t = Group.IdxX, b = Grid.IdxX / l.Groups, g = Grid.IdxX % l.Groups;
        int o = b * l.ScalarStride;
        bool pending = s[o + CgScalars.AlphaIteration] == before;
        T alphaOld = s[o + CgScalars.Alpha];
        T rhoNew = s[o + l.SlotA];
        int code = CgScalars.AfterPreconditioner(rhoNew);
        bool active = s[o + CgScalars.Status] == T.Zero && code == CgScalars.Active;
        T beta = rhoNew / s[o + l.SlotB];
        long vb = (long)b * l.SystemStride, ab = (long)b * l.ValStride;
        T acc = T.Zero;
        for (int i = g * G + t; i < l.Length; i += l.Groups * G)
        {
            long j = vb + i;
            if (pending) x[j] += alphaOld * po[j];
            if (!active) continue;
            T s0 = T.Zero, s1 = T.Zero;
            int k = rowPtr[i], end = rowPtr[i + 1];
            for (; k + 1 < end; k += 2)
            {
                long c0 = vb + colInd[k], c1 = vb + colInd[k + 1];
                T z0 = l.HasDiagonal != 0 ? d[c0] * r[c0] : r[c0];
                T z1 = l.HasDiagonal != 0 ? d[c1] * r[c1] : r[c1];
                s0 += vals[ab + k] * (z0 + beta * po[c0]);
                s1 += vals[ab + k + 1] * (z1 + beta * po[c1]);
            }
            if (k < end)
            {
                long c = vb + colInd[k];
                T zc = l.HasDiagonal != 0 ? d[c] * r[c] : r[c];
                s0 += vals[ab + k] * (zc + beta * po[c]);
            }
            T qi = s0 + s1;
            T zi = l.HasDiagonal != 0 ? d[j] * r[j] : r[j];
            T pi = zi + beta * po[j];
            q[j] = qi;
            pn[j] = pi;
            acc += pi * qi;
        }
        if (s[o + CgScalars.Status] == T.Zero && code != CgScalars.Active && g == 0 && t == 0)
        {
            s[o + CgScalars.Status] = codes[code];
            s[o + CgScalars.StopIteration] = before;
        }
        sh[t] = acc; unused[t] = T.Zero;
        Fold2(sh, unused, t);
        if (t == 0) partial[Grid.IdxX] = sh[0];
    }

    /// <summary>result[r] = 1/a_rr, one thread per row (binary search of the sorted columns); +∞ when a_rr is zero or absent.</summary>
    public static void InverseDiagonal<T>(Index1D r, ArrayView<int> rowPtr, ArrayView<int> colInd, ArrayView<T> vals, ArrayView<T> result)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int lo = rowPtr[r], hi = rowPtr[r + 1] - 1;
        T d = T.Zero;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1, c = colInd[mid];
            if (c == r) { d = vals[mid]; break; }
            if (c < r) lo = mid + 1; else hi = mid - 1;
        }
        result[r] = T.One / d;
    }

    /// <summary>One level of a level-scheduled triangular solve: thread t solves row rows[first + t] (see Backend.TriangularSolve).</summary>
    public static void TriangularLevel<T>(Index1D t, ArrayView<int> rowPtr, ArrayView<int> colInd, ArrayView<T> vals, ArrayView<T> diag,
        ArrayView<int> rows, ArrayView<T> b, ArrayView<T> x, int first, int hasDiagonal)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = rows[first + t];
        T s = b[i];
        for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) s -= vals[k] * x[colInd[k]];
        x[i] = hasDiagonal != 0 ? s / diag[i] : s;
    }
}
