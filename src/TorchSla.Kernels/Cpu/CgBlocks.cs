using System.Numerics;
using System.Runtime.CompilerServices;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// The block passes behind the CPU's fused Krylov primitives (<see cref="CpuBackend"/>'s DotInto, SpMVDot,
/// CgUpdate, CgDirection). Each system's vector is cut into fixed blocks of <see cref="CpuBackend.ReductionBlock"/>
/// entries (SpMVDot: <see cref="SpMVRows"/> rows); a block's partial sums go to its own slot and are added in block
/// order afterwards, so every sum has the same bits on every run and thread count. The state (coefficients,
/// partial sums) is kept per thread and reused, so a solve's loop allocates nothing on the host except, when a
/// pass is long enough to fork, the one small work item that hands its blocks to the thread pool.
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

    public enum Kind { Dot, SpMVDot, Update, Direction }

    [ThreadStatic] private static CgBlocks<T>? _cached;

    private T[] _partial = [];
    public bool[] Active = [];
    public T[] Coefficient = [];
    public Kind Op;
    public VectorBatch Layout;
    public T[] S = [];
    public int Stride;
    public T[]? X, Y, P, R, Q, D;
    public int* RowPtr, ColInd;
    public T* Val, Px, Py;
    public int Nnz;
    public bool Interleaved, Gather;
    private int _blocksPerSystem, _blocks;

    /// <summary>This thread's state, reset for one pass of <paramref name="op"/> (every system active).</summary>
    public static CgBlocks<T> Rent(Kind op, VectorBatch layout, T[] scalars, int stride)
    {
        var c = _cached ??= new CgBlocks<T>();
        c.Op = op; c.Layout = layout; c.S = scalars; c.Stride = stride;
        c.X = c.Y = c.P = c.R = c.Q = c.D = null;
        c.RowPtr = c.ColInd = null; c.Val = c.Px = c.Py = null;
        if (c.Active.Length < layout.Count) { c.Active = new bool[layout.Count]; c.Coefficient = new T[layout.Count]; }
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

    private void Dispatch(long work)
    {
        if (_blocks <= 1 || work < CpuBackend.ParallelThreshold)
            for (int i = 0; i < _blocks; i++) RunBlock(i);
        else new Job(this, _blocks).Run(CpuBackend.Threads - 1);
    }

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

    private void RunBlock(int block)
    {
        if (Op == Kind.SpMVDot) { RowBlock(block); return; }
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
        CsrKernels.SpMVRows(r0, r1, RowPtr, ColInd, Val + (long)b * Nnz, Px + off, Py + off, T.One, T.Zero, Gather);
        _partial[b * per + k] = DotPointers(Px + off + r0, Py + off + r0, r1 - r0);
    }

    private static T DotPointers(T* x, T* y, int n) =>
        System.Numerics.Tensors.TensorPrimitives.Dot(new ReadOnlySpan<T>(x, n), new ReadOnlySpan<T>(y, n));

    private static T DotUnit(T[] x, T[] y, int o, int n) =>
        System.Numerics.Tensors.TensorPrimitives.Dot(new ReadOnlySpan<T>(x, o, n), new ReadOnlySpan<T>(y, o, n));

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
        T[] x = X!, p = P!, r = R!, q = Q!;
        T[]? d = D;
        int i = 0;
        rr = T.Zero; rz = T.Zero;
        if (e == 1 && Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
        {
            var va = new Vector<T>(alpha);
            Vector<T> vrr = Vector<T>.Zero, vrz = Vector<T>.Zero;
            ref T rx = ref x[o]; ref T rp = ref p[o]; ref T rres = ref r[o]; ref T rq = ref q[o];
            ref T rd = ref (d is null ? ref rx : ref d[o]);
            int w = Vector<T>.Count;
            for (; i <= n - w; i += w)
            {
                var vx = Vector.LoadUnsafe(ref rx, (nuint)i) + va * Vector.LoadUnsafe(ref rp, (nuint)i);
                var vr = Vector.LoadUnsafe(ref rres, (nuint)i) - va * Vector.LoadUnsafe(ref rq, (nuint)i);
                vx.StoreUnsafe(ref rx, (nuint)i);
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
            x[j] += alpha * p[j];
            T ri = r[j] - alpha * q[j];
            r[j] = ri;
            rr += ri * ri;
            if (d is not null) rz += d[j] * ri * ri;
        }
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

    /// <summary>Hands the blocks of one pass to <see cref="BlockJob"/> (the only per-pass allocation, and only when forking).</summary>
    private sealed class Job(CgBlocks<T> owner, int blocks) : BlockJob(blocks)
    {
        protected override void RunBlock(int block) => owner.RunBlock(block);
    }
}
