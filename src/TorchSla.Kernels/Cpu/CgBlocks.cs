using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// The block passes behind the CPU's fused Krylov primitives (<see cref="CpuBackend"/>'s DotInto, SpMVDot,
/// CgUpdate, CgDirection). Each system's vector is cut into fixed blocks of <see cref="CpuBackend.ReductionBlock"/>
/// entries (SpMVDot: <see cref="SpMVRows"/> rows); a block's partial sums go to its own slot and are added in block
/// order afterwards, so every sum has the same bits on every run and thread count. The state (coefficients,
/// partial sums, the fork/join job) is kept per thread and reused, so a solve's loop allocates nothing on the host.
/// </summary>
/// <remarks>
/// Bytes per element of one float64 pass (the fusion's point, Ginkgo's cg step_1/step_2 on the CPU):
/// Update reads x, p, r, q (and D) and writes x, r: 48 (56) B, with ‖r‖² and rᵀD·r accumulated on the fly;
/// Direction reads z (or r and D) and p and writes p: 24 (32) B; SpMVDot streams the matrix and writes q,
/// adding pᵀq while q's rows are still in cache.
/// </remarks>
internal sealed unsafe class CgBlocks<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Rows per block of SpMVDot (fixed, so pᵀq's partial sums do not depend on the thread count).</summary>
    public const int SpMVRows = 4096;

    public enum Kind { Dot, SpMVDot, Update, Direction, DirectionSpMVDot, BiDirection, BiHalf, BiFinish }

    [ThreadStatic] private static CgBlocks<T>? _cached;

    private T[] _partial = [];
    public bool[] Active = [];
    public T[] Coefficient = [];
    /// <summary>DirectionSpMVDot: whether system b's deferred x += α·p_old is due, and that α.</summary>
    public bool[] Pending = [];
    public T[] PendingAlpha = [];
    /// <summary>BiCGStab: ω per system, and whether the finish applies x += α·p̂ only (the half step stopped the system).</summary>
    public T[] Coefficient2 = [];
    public bool[] HalfOnly = [];
    public Kind Op;
    public VectorBatch Layout;
    public T[] S = [];
    public int Stride;
    public T[]? X, Y, P, R, Q, D;
    public int* RowPtr, ColInd;
    public T* Val, Px, Py;
    public int Nnz;
    public bool Interleaved, Gather;
    /// <summary>The compressed form of a single system's matrix, when prepared (<see cref="CsrCompression"/>); null: the plain arrays.</summary>
    public PackedCsr<T>? Packed;
    private int _blocksPerSystem, _blocks;

    /// <summary>This thread's state, reset for one pass of <paramref name="op"/> (every system active).</summary>
    public static CgBlocks<T> Rent(Kind op, VectorBatch layout, T[] scalars, int stride)
    {
        var c = _cached ??= new CgBlocks<T>();
        c.Op = op; c.Layout = layout; c.S = scalars; c.Stride = stride;
        c.X = c.Y = c.P = c.R = c.Q = c.D = null;
        c.RowPtr = c.ColInd = null; c.Val = c.Px = c.Py = null; c.Packed = null;
        if (c.Active.Length < layout.Count)
        {
            c.Active = new bool[layout.Count]; c.Coefficient = new T[layout.Count];
            c.Pending = new bool[layout.Count]; c.PendingAlpha = new T[layout.Count];
            c.Coefficient2 = new T[layout.Count]; c.HalfOnly = new bool[layout.Count];
        }
        c.Active.AsSpan(0, layout.Count).Fill(true);
        return c;
    }

    private void Plan(int blocksPerSystem, int blocks)
    {
        _blocksPerSystem = blocksPerSystem; _blocks = blocks;
        int need = 2 * Layout.Count * blocksPerSystem;
        if (_partial.Length < need) _partial = new T[Math.Max(need, 64)];
        _partial.AsSpan(0, need).Clear();
    }

    /// <summary>Runs Dot, Update or Direction over fixed element blocks of every system.</summary>
    public void RunElementwise()
    {
        int per = Layout.Length == 0 ? 0 : (Layout.Length + CpuBackend.ReductionBlock - 1) / CpuBackend.ReductionBlock;
        Plan(per, per * Layout.Count);
        Dispatch((long)Layout.Length * Layout.Count);
    }

    /// <summary>Runs SpMVDot over fixed row blocks (per system for a batch; all columns at once for [n, K]).</summary>
    public void RunRows(long work)
    {
        int per = (Layout.Length + SpMVRows - 1) / SpMVRows;
        Plan(per, Interleaved ? per : per * Layout.Count);
        Dispatch(work);
    }

    private void Dispatch(long work) => OwnedBlockJob.Dispatch(ref _job, _runBlock ??= RunBlock, _blocks, work);

    /// <summary>scalars[b, slotA] (and [b, slotB] when ≥ 0) = the partial sums of system b added in block order, for active systems.</summary>
    public void FoldInto(int slotA, int slotB)
    {
        int n = Layout.Count * _blocksPerSystem;
        for (int b = 0; b < Layout.Count; b++)
        {
            if (!Active[b]) continue;
            T a = T.Zero, c = T.Zero;
            for (int k = 0; k < _blocksPerSystem; k++)
            {
                a += _partial[b * _blocksPerSystem + k];
                c += _partial[n + b * _blocksPerSystem + k];
            }
            S[b * Stride + slotA] = a;
            if (slotB >= 0) S[b * Stride + slotB] = Op == Kind.Update && D is null ? a : c;
        }
    }

    /// <summary>System b's first partial sums added in block order (as <see cref="FoldInto"/> adds them).</summary>
    public T SumOf(int b)
    {
        T a = T.Zero;
        for (int k = 0; k < _blocksPerSystem; k++) a += _partial[b * _blocksPerSystem + k];
        return a;
    }

    private void RunBlock(int block)
    {
        if (Op == Kind.SpMVDot) { RowBlock(block); return; }
        if (Op == Kind.DirectionSpMVDot) { DirectionRowBlock(block); return; }
        int b = block / _blocksPerSystem, k = block % _blocksPerSystem;
        if (!Active[b]) return;
        int s = k * CpuBackend.ReductionBlock, len = Math.Min(CpuBackend.ReductionBlock, Layout.Length - s);
        int o = b * Layout.SystemStride + s * Layout.ElementStride, e = Layout.ElementStride;
        int slot = b * _blocksPerSystem + k, second = Layout.Count * _blocksPerSystem + slot;
        T c = Coefficient[b];
        switch (Op)
        {
            case Kind.Dot:
                _partial[slot] = e == 1 ? DotUnit(X!, Y!, o, len) : DotStrided(X!, Y!, o, len, e);
                break;
            case Kind.Update:
                Update(o, len, e, c, out _partial[slot], out _partial[second]);
                break;
            case Kind.Direction:
                Direction(o, len, e, c);
                break;
            case Kind.BiDirection:
                BiDirection(o, len, e, c, Coefficient2[b]);
                break;
            case Kind.BiHalf:
                _partial[slot] = BiHalf(o, len, e, c);
                break;
            case Kind.BiFinish:
                _partial[slot] = BiFinish(o, len, e, c, Coefficient2[b], HalfOnly[b]);
                break;
        }
    }

    private void RowBlock(int block)
    {
        int per = _blocksPerSystem, n = Layout.Length;
        int b = Interleaved ? 0 : block / per, k = Interleaved ? block : block % per;
        int r0 = k * SpMVRows, r1 = Math.Min(n, r0 + SpMVRows);
        if (Interleaved)
        {
            int kk = Layout.Count;
            CsrKernels.SpMMRows(r0, r1, RowPtr, ColInd, Val, Px, Py, kk, T.One, T.Zero);
            for (int c = 0; c < kk; c++)
            {
                T acc = T.Zero;
                for (int r = r0; r < r1; r++) acc += Px[(long)r * kk + c] * Py[(long)r * kk + c];
                _partial[c * per + k] = acc;
            }
            return;
        }
        long off = (long)b * Layout.SystemStride;
        if (Packed is null) CsrKernels.SpMVRows(r0, r1, RowPtr, ColInd, Val + (long)b * Nnz, Px + off, Py + off, T.One, T.Zero, Gather);
        else Packed.SpMVRows(r0, r1, RowPtr, ColInd, Val, Px, Py, T.One, T.Zero, Gather);
        _partial[b * per + k] = DotPointers(Px + off + r0, Py + off + r0, r1 - r0);
    }

    /// <summary>
    /// One row block of DirectionSpMVDot for system b. The block's rows touch the columns [lo, hi) (<see cref="Windows"/>);
    /// when that window is narrow (banded matrices: a 2D grid's is the block plus a grid line either side) p_new = z + β·p_old
    /// is formed once over the whole window, vectorised, into this thread's scratch (x's deferred update fused into the same
    /// loop for the block's own rows), the block's own part stored to p_new, and the rows multiplied by the ordinary SpMV row
    /// kernel reading the scratch. p_old, r and D are only read during the pass, so blocks recomputing each other's edge
    /// values do not race, and every value has the bits the three-pass iteration gives it. A wide window (scattered
    /// columns) forms p_new_j at each entry instead.
    /// </summary>
    private void DirectionRowBlock(int block)
    {
        int per = _blocksPerSystem, n = Layout.Length;
        int b = block / per, k = block % per;
        int r0 = k * SpMVRows, r1 = Math.Min(n, r0 + SpMVRows);
        long off = (long)b * Layout.SystemStride;
        int lo = Window![2 * k], hi = Window[2 * k + 1];
        fixed (T* x = X, po = P, pn = Y, r = R, q = Q, d = D)
        {
            T* xb = x + off, pob = po + off, pnb = pn + off, rb = r + off, qb = q + off, db = d is null ? null : d + off;
            T* val = Val + (long)b * Nnz;
            bool active = Active[b];
            if (!active || hi - lo > MaxWindow)
            {
                if (Pending[b]) DeferredX(xb, pob, r0, r1, PendingAlpha[b]);
                if (!active) return;
                _partial[b * per + k] = db is null
                    ? DirectionRows(new NoDiagonal(), r0, r1, RowPtr, ColInd, val, rb, db, pob, pnb, qb, Coefficient[b])
                    : DirectionRows(new WithDiagonal(), r0, r1, RowPtr, ColInd, val, rb, db, pob, pnb, qb, Coefficient[b]);
                return;
            }
            lo = Math.Min(lo, r0); hi = Math.Max(hi, r1);
            if (_window.Length < hi - lo + SpMVRows) _window = new T[Math.Max(hi - lo, MaxWindow + SpMVRows) + SpMVRows];
            fixed (T* w = _window)
            {
                // w[0, hi − lo) holds p_new over the window, w[hi − lo, + rows) the block's q: both stay in this core's
                // cache, and p_new and q go to memory by streaming stores (no read-for-ownership of lines that are only
                // written: 16 of the ~170 bytes a row would otherwise move).
                T beta = Coefficient[b];
                T* own = w + (r0 - lo), qs = w + (hi - lo);
                FormDirection(w, rb + lo, db is null ? null : db + lo, pob + lo, 0, r0 - lo, beta);
                FormDirection(w, rb + lo, db is null ? null : db + lo, pob + lo, r1 - lo, hi - lo, beta);
                FormOwnDirection(own, rb + r0, db is null ? null : db + r0, pob + r0, xb + r0, r1 - r0, beta, Pending[b], PendingAlpha[b]);
                if (Packed is null) CsrKernels.SpMVRows(r0, r1, RowPtr, ColInd, val, w - lo, qs - r0, T.One, T.Zero, Gather);
                else Packed.SpMVRows(r0, r1, RowPtr, ColInd, val, w - lo, qs - r0, T.One, T.Zero, Gather);
                _partial[b * per + k] = DotPointers(own, qs, r1 - r0);
                StreamCopy(pnb + r0, own, r1 - r0);
                StreamCopy(qb + r0, qs, r1 - r0);
            }
        }
    }

    /// <summary>
    /// dst[0, n) = src[0, n) with non-temporal stores where the hardware has them (AVX, after a scalar prologue up to a
    /// 32-byte boundary), fenced so that the values are visible to whichever thread reads them next.
    /// </summary>
    private static void StreamCopy(T* dst, T* src, int n)
    {
        int i = 0;
        if (Avx.IsSupported && (typeof(T) == typeof(double) || typeof(T) == typeof(float)))
        {
            int lanes = 32 / sizeof(T);
            for (; i < n && ((nuint)(dst + i) & 31) != 0; i++) dst[i] = src[i];
            if (typeof(T) == typeof(double))
                for (; i + lanes <= n; i += lanes) Avx.StoreAlignedNonTemporal((double*)(dst + i), Avx.LoadVector256((double*)(src + i)));
            else
                for (; i + lanes <= n; i += lanes) Avx.StoreAlignedNonTemporal((float*)(dst + i), Avx.LoadVector256((float*)(src + i)));
            Sse.StoreFence();
        }
        for (; i < n; i++) dst[i] = src[i];
    }

    /// <summary>Widest column window (entries) a row block forms p_new over; wider blocks form it per entry.</summary>
    private const int MaxWindow = 4 * SpMVRows;

    [ThreadStatic] private static T[]? _windowStore;
    private static T[] _window { get => _windowStore ?? []; set => _windowStore = value; }

    /// <summary>The column window [lo, hi) of every row block of a pattern (2 ints per block), computed once per pattern.</summary>
    public int[]? Window;

    private static readonly ConditionalWeakTable<Memory.CsrIndices, int[]> Windows = new();

    /// <summary>The column windows of <paramref name="a"/>'s row blocks (an empty row block gets an empty window at its start).</summary>
    public static int[] WindowsOf(Memory.CsrIndices a, int* rowPtr, int* colInd)
    {
        if (Windows.TryGetValue(a, out var known)) return known; // no closure on this path: the loop allocates nothing
        int blocks = (a.Rows + SpMVRows - 1) / SpMVRows;
        var win = new int[2 * blocks];
        for (int k = 0; k < blocks; k++)
        {
            int r0 = k * SpMVRows, r1 = Math.Min(a.Rows, r0 + SpMVRows);
            int lo = int.MaxValue, hi = int.MinValue;
            for (int e = rowPtr[r0]; e < rowPtr[r1]; e++) { lo = Math.Min(lo, colInd[e]); hi = Math.Max(hi, colInd[e] + 1); }
            if (lo > hi) { lo = r0; hi = r0; }
            win[2 * k] = lo; win[2 * k + 1] = hi;
        }
        Windows.AddOrUpdate(a, win);
        return win;
    }

    /// <summary>w[i] = z_i + β·p_i for i in [from, to) (z = D·r, or r when d is null); vectorised.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FormDirection(T* w, T* r, T* d, T* p, int from, int to, T beta)
    {
        int i = from;
        if (Vector.IsHardwareAccelerated)
        {
            var vb = new Vector<T>(beta);
            for (; i <= to - Vector<T>.Count; i += Vector<T>.Count)
            {
                var z = Vector.Load(r + i);
                if (d != null) z = Vector.Load(d + i) * z;
                Vector.Store(z + vb * Vector.Load(p + i), w + i);
            }
        }
        for (; i < to; i++) w[i] = (d != null ? d[i] * r[i] : r[i]) + beta * p[i];
    }

    /// <summary>The block's own rows: w = p_new = z + β·p_old, and x += α·p_old when due.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FormOwnDirection(T* w, T* r, T* d, T* p, T* x, int n, T beta, bool pending, T alpha)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vb = new Vector<T>(beta);
            var va = new Vector<T>(alpha);
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
            {
                var z = Vector.Load(r + i);
                if (d != null) z = Vector.Load(d + i) * z;
                var po = Vector.Load(p + i);
                var v = z + vb * po;
                Vector.Store(v, w + i);
                if (pending) Vector.Store(Vector.Load(x + i) + va * po, x + i);
            }
        }
        for (; i < n; i++)
        {
            T v = (d != null ? d[i] * r[i] : r[i]) + beta * p[i];
            w[i] = v;
            if (pending) x[i] += alpha * p[i];
        }
    }

    private static void DeferredX(T* x, T* p, int r0, int r1, T alpha)
    {
        for (int i = r0; i < r1; i++) x[i] += alpha * p[i];
    }

    /// <summary>z_j: r_j with Jacobi's D_j·r_j folded in or not, chosen per instantiation (no branch in the row loop).</summary>
    private interface IPreconditioned { T Z(T* r, T* d, int j); }
    private readonly struct NoDiagonal : IPreconditioned { public T Z(T* r, T* d, int j) => r[j]; }
    private readonly struct WithDiagonal : IPreconditioned { public T Z(T* r, T* d, int j) => d[j] * r[j]; }

    /// <summary>
    /// The rows [r0, r1): q = A·(z + β·p_old) summed exactly as <see cref="CsrKernels.SpMVRowsScalar{T}"/> sums a row,
    /// and pᵀq as SpMVDot takes it, so the two-pass iteration has the bits of the three-pass one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T DirectionRows<TZ>(TZ z, int r0, int r1, int* rowPtr, int* colInd, T* val, T* r, T* d, T* po, T* pn, T* q, T beta)
        where TZ : struct, IPreconditioned
    {
        int k = rowPtr[r0];
        for (int i = r0; i < r1; i++)
        {
            int end = rowPtr[i + 1];
            T s0 = T.Zero, s1 = T.Zero;
            for (; k + 3 < end; k += 4)
            {
                int j0 = colInd[k], j1 = colInd[k + 1], j2 = colInd[k + 2], j3 = colInd[k + 3];
                s0 += val[k] * (z.Z(r, d, j0) + beta * po[j0]) + val[k + 2] * (z.Z(r, d, j2) + beta * po[j2]);
                s1 += val[k + 1] * (z.Z(r, d, j1) + beta * po[j1]) + val[k + 3] * (z.Z(r, d, j3) + beta * po[j3]);
            }
            for (; k < end; k++) { int j = colInd[k]; s0 += val[k] * (z.Z(r, d, j) + beta * po[j]); }
            q[i] = s0 + s1;
            pn[i] = z.Z(r, d, i) + beta * po[i];
        }
        return DotPointers(pn + r0, q + r0, r1 - r0);
    }

    private static T DotPointers(T* x, T* y, int n) => VectorLoops.Dot(new ReadOnlySpan<T>(x, n), new ReadOnlySpan<T>(y, n));

    private static T DotUnit(T[] x, T[] y, int o, int n) => VectorLoops.Dot(new ReadOnlySpan<T>(x, o, n), new ReadOnlySpan<T>(y, o, n));

    private static T DotStrided(T[] x, T[] y, int o, int n, int e)
    {
        T acc = T.Zero;
        for (int i = 0; i < n; i++) acc += x[o + i * e] * y[o + i * e];
        return acc;
    }

    /// <summary>x += α·p, r −= α·q over one block; rr = Σ r², rz = Σ d·r² (0 without D).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Update(int o, int n, int e, T alpha, out T rr, out T rz)
    {
        T[]? x = X, p = P, d = D; // x null: the x update is deferred (two-pass CG)
        T[] r = R!, q = Q!;
        int i = 0;
        rr = T.Zero; rz = T.Zero;
        if (e == 1 && Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
        {
            var va = new Vector<T>(alpha);
            Vector<T> vrr = Vector<T>.Zero, vrz = Vector<T>.Zero;
            ref T rres = ref r[o]; ref T rq = ref q[o];
            ref T rx = ref (x is null ? ref rres : ref x[o]); ref T rp = ref (p is null ? ref rres : ref p[o]);
            ref T rd = ref (d is null ? ref rres : ref d[o]);
            int w = Vector<T>.Count;
            for (; i <= n - w; i += w)
            {
                if (x is not null) (Vector.LoadUnsafe(ref rx, (nuint)i) + va * Vector.LoadUnsafe(ref rp, (nuint)i)).StoreUnsafe(ref rx, (nuint)i);
                var vr = Vector.LoadUnsafe(ref rres, (nuint)i) - va * Vector.LoadUnsafe(ref rq, (nuint)i);
                vr.StoreUnsafe(ref rres, (nuint)i);
                var r2 = vr * vr;
                vrr += r2;
                if (d is not null) vrz += r2 * Vector.LoadUnsafe(ref rd, (nuint)i);
            }
            rr = Vector.Sum(vrr); rz = Vector.Sum(vrz);
        }
        for (; i < n; i++)
        {
            int j = o + i * e;
            if (x is not null) x[j] += alpha * p![j];
            T ri = r[j] - alpha * q[j];
            r[j] = ri;
            rr += ri * ri;
            if (d is not null) rz += d[j] * ri * ri;
        }
    }

    /// <summary>BiCGStab's p = r + β·(p − ω·v) over one block (R = r, Q = v).</summary>
    private void BiDirection(int o, int n, int e, T beta, T omega)
    {
        T[] r = R!, v = Q!, p = P!;
        for (int i = 0; i < n; i++) { int j = o + i * e; p[j] = r[j] + beta * (p[j] - omega * v[j]); }
    }

    /// <summary>BiCGStab's s = r − α·v over one block, written over r (R = r, Q = v); returns Σ s².</summary>
    private T BiHalf(int o, int n, int e, T alpha)
    {
        T[] r = R!, v = Q!;
        T acc = T.Zero;
        for (int i = 0; i < n; i++) { int j = o + i * e; T si = r[j] - alpha * v[j]; r[j] = si; acc += si * si; }
        return acc;
    }

    /// <summary>BiCGStab's x += α·p̂, x += ω·ŝ, r = s − ω·t over one block (P = p̂, Y = ŝ, Q = t); returns Σ r² (0 when only x += α·p̂).</summary>
    private T BiFinish(int o, int n, int e, T alpha, T omega, bool halfOnly)
    {
        T[] x = X!, ph = P!, sh = Y!, r = R!, t = Q!;
        T acc = T.Zero;
        if (halfOnly)
        {
            for (int i = 0; i < n; i++) { int j = o + i * e; x[j] += alpha * ph[j]; }
            return acc;
        }
        for (int i = 0; i < n; i++)
        {
            int j = o + i * e;
            x[j] = x[j] + alpha * ph[j] + omega * sh[j];
            T ri = r[j] - omega * t[j];
            r[j] = ri;
            acc += ri * ri;
        }
        return acc;
    }

    /// <summary>p = z + β·p (z = D·r when D is given) over one block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Direction(int o, int n, int e, T beta)
    {
        T[] z = R!, p = P!;
        T[]? d = D;
        int i = 0;
        if (e == 1 && Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
        {
            var vb = new Vector<T>(beta);
            ref T rz = ref z[o]; ref T rp = ref p[o];
            ref T rd = ref (d is null ? ref rz : ref d[o]);
            int w = Vector<T>.Count;
            for (; i <= n - w; i += w)
            {
                var vz = Vector.LoadUnsafe(ref rz, (nuint)i);
                if (d is not null) vz *= Vector.LoadUnsafe(ref rd, (nuint)i);
                (vz + vb * Vector.LoadUnsafe(ref rp, (nuint)i)).StoreUnsafe(ref rp, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            int j = o + i * e;
            T zi = d is null ? z[j] : d[j] * z[j];
            p[j] = zi + beta * p[j];
        }
    }

    /// <summary>The fork/join of this thread's passes (reused, see <see cref="OwnedBlockJob"/>) and the block method it runs.</summary>
    private OwnedBlockJob? _job;
    private Action<int>? _runBlock;
}
