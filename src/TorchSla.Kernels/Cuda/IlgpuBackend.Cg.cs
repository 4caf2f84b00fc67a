using ILGPU;
using ILGPU.Runtime;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cuda;

// The GPU side of the fused Krylov primitives (Backend.DotInto, SpMVDot, CgUpdate, CgDirection): launches of
// CgKernels on the default stream, never a read-back, never an allocation once the reduction scratch has grown
// to the solve's size.
public sealed partial class IlgpuBackend
{
    private CgKernelSet<T> Cg<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (_kernels.TryGetValue(typeof(CgKernelSet<T>), out var o)) return (CgKernelSet<T>)o;
        lock (Sync)
        {
            Accelerator.Bind();
            return (CgKernelSet<T>)_kernels.GetOrAdd(typeof(CgKernelSet<T>), _ =>
            {
                var k = new CgKernelSet<T>(Accelerator);
                Interlocked.Add(ref _jitTicks, TimeSpan.FromSeconds(k.CompileSeconds).Ticks);
                return k;
            });
        }
    }

    /// <summary>The launch description of <paramref name="layout"/>, with enough groups per system to fill the device.</summary>
    private CgLaunch Launch<T>(VectorBatch layout, Storage<T> scalars, int scalarStride, string what) where T : unmanaged
    {
        if (layout.Length < 0 || layout.Count < 0 || layout.SystemStride < 0 || layout.ElementStride < 1)
            throw new ArgumentOutOfRangeException(nameof(layout), $"{what}: layout {layout} has a negative size or stride");
        if (scalarStride <= CgScalars.History || (long)layout.Count * scalarStride > scalars.Length)
            throw new ArgumentOutOfRangeException(nameof(scalars),
                $"{what}: scalar block of {scalars.Length} elements cannot hold {layout.Count} systems of stride {scalarStride} (it must exceed {CgScalars.History})");
        return new CgLaunch
        {
            Length = layout.Length, Count = layout.Count, SystemStride = layout.SystemStride, ElementStride = layout.ElementStride,
            ScalarStride = scalarStride, Groups = GroupsPerSystem(layout.Length, layout.Count),
        };
    }

    /// <summary>Reduction groups per vector when <paramref name="count"/> vectors of <paramref name="length"/> are reduced in one launch: together they fill the device.</summary>
    private int GroupsPerSystem(int length, int count)
    {
        int fill = Accelerator.NumMultiprocessors * Math.Max(1, Accelerator.MaxNumThreadsPerMultiprocessor / ReductionKernels.GroupSize);
        int need = (int)Math.Max(1, ((long)length + ReductionKernels.GroupSize - 1) / ReductionKernels.GroupSize);
        return Math.Clamp(Math.Max(1, fill / Math.Max(1, count)), 1, need);
    }

    private static void CheckSlot(int slot, int stride, string name)
    {
        if (slot < 0 || slot >= stride) throw new ArgumentOutOfRangeException(name, $"slot {slot} is outside a scalar stride of {stride}");
    }

    private ArrayView<T> Vectors<T>(Storage<T> v, VectorBatch layout, string name) where T : unmanaged =>
        View(v, 0, layout.Extent, name);

    /// <inheritdoc/>
    public override void DotInto<T>(Storage<T> x, Storage<T> y, VectorBatch layout, Storage<T> scalars, int scalarStride, int slot)
    {
        var l = Launch(layout, scalars, scalarStride, nameof(DotInto));
        CheckSlot(slot, scalarStride, nameof(slot));
        var xv = Vectors(x, layout, nameof(x)); var yv = Vectors(y, layout, nameof(y));
        var sv = View(scalars, 0, scalars.Length, nameof(scalars));
        if (layout.Count == 0) return;
        var k = Cg<T>();
        lock (Sync)
        {
            Accelerator.Bind();
            LaunchDot(k, xv, yv, sv, l, slot);
        }
    }

    private void LaunchDot<T>(CgKernelSet<T> k, ArrayView<T> x, ArrayView<T> y, ArrayView<T> s, CgLaunch l, int slot)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var partial = Scratch<T>(l.Count * l.Groups);
        l.SlotA = slot;
        if (l.Length > 0) k.DotPartial(Groups(l.Count * l.Groups), x, y, partial, l);
        else Raw<T>().Fill(Cfg(partial.Length), partial, (int)partial.Length, default);
        k.FoldInto(Groups(l.Count), partial, s, l);
    }

    /// <inheritdoc/>
    public override void SpMVDot<T>(CsrIndices a, Storage<T> values, int valOffset, Storage<T> x, Storage<T> y,
        VectorBatch layout, Storage<T> scalars, int scalarStride, int slot)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a.Rows != a.Cols || layout.Length != a.Rows)
            throw new ArgumentException($"SpMVDot needs a square matrix matching the vectors: A is {a.Rows}×{a.Cols}, vectors have {layout.Length} entries", nameof(a));
        var l = Launch(layout, scalars, scalarStride, nameof(SpMVDot));
        CheckSlot(slot, scalarStride, nameof(slot));
        bool interleaved = layout.Count > 1 && !layout.IsUnitStride;
        if (interleaved ? layout != VectorBatch.Interleaved(layout.Length, layout.Count) : layout.Count > 1 && layout.SystemStride != layout.Length)
            throw new ArgumentException($"SpMVDot: layout {layout} is neither [B, n] nor [n, K]", nameof(layout));
        if (interleaved) SpMM(a, values, valOffset, x, 0, y, 0, layout.Count, T.One, T.Zero);
        else SpMVBatched(a, values, valOffset, layout.Count, x, 0, layout.Length, y, 0, T.One, T.Zero);
        DotInto(x, y, layout, scalars, scalarStride, slot);
    }

    /// <inheritdoc/>
    public override void CgUpdate<T>(Storage<T>? x, Storage<T>? p, Storage<T> r, Storage<T> q, Storage<T>? inverseDiagonal,
        VectorBatch layout, Storage<T> scalars, int scalarStride, int rhoSlot, int rhoNewSlot, int iteration)
    {
        var l = Launch(layout, scalars, scalarStride, nameof(CgUpdate));
        CheckSlot(rhoSlot, scalarStride, nameof(rhoSlot)); CheckSlot(rhoNewSlot, scalarStride, nameof(rhoNewSlot));
        var rv = Vectors(r, layout, nameof(r)); var qv = Vectors(q, layout, nameof(q));
        // x = null defers x's update to the next CgDirectionSpMVDot; the kernel then never touches x or p (r stands in).
        var xv = x is null ? rv : Vectors(x, layout, nameof(x)); var pv = x is null ? rv : Vectors(p!, layout, nameof(p));
        l.DeferX = x is null ? 1 : 0;
        var dv = inverseDiagonal is null ? xv : Vectors(inverseDiagonal, layout, nameof(inverseDiagonal));
        var sv = View(scalars, 0, scalars.Length, nameof(scalars));
        if (layout.Count == 0) return;
        l.SlotA = rhoSlot; l.SlotB = rhoNewSlot; l.HasDiagonal = inverseDiagonal is null ? 0 : 1;
        l.HistoryIndex = (iteration - 1) % (scalarStride - CgScalars.History);
        var k = Cg<T>();
        lock (Sync)
        {
            Accelerator.Bind();
            var partial = Scratch<T>(2 * l.Count * l.Groups);
            k.UpdatePartial(Groups(l.Count * l.Groups),
                xv, pv, rv, qv, dv, sv, k.Codes.View, partial, l, T.CreateTruncating(iteration - 1));
            k.UpdateFinish(Groups(l.Count),
                partial, sv, k.Codes.View, l, T.CreateTruncating(iteration));
        }
    }

    /// <inheritdoc/>
    public override void CgDirection<T>(Storage<T> z, Storage<T>? inverseDiagonal, Storage<T> p, VectorBatch layout,
        Storage<T> scalars, int scalarStride, int rhoNewSlot, int rhoSlot, int iteration)
    {
        var l = Launch(layout, scalars, scalarStride, nameof(CgDirection));
        CheckSlot(rhoSlot, scalarStride, nameof(rhoSlot)); CheckSlot(rhoNewSlot, scalarStride, nameof(rhoNewSlot));
        var zv = Vectors(z, layout, nameof(z)); var pv = Vectors(p, layout, nameof(p));
        var dv = inverseDiagonal is null ? zv : Vectors(inverseDiagonal, layout, nameof(inverseDiagonal));
        var sv = View(scalars, 0, scalars.Length, nameof(scalars));
        long n = (long)layout.Count * layout.Length;
        if (n == 0) return;
        l.SlotA = rhoNewSlot; l.SlotB = rhoSlot; l.HasDiagonal = inverseDiagonal is null ? 0 : 1;
        var k = Cg<T>();
        lock (Sync)
        {
            Accelerator.Bind();
            k.Direction(Cfg(n), zv, dv, pv, sv, k.Codes.View, l, T.CreateTruncating(iteration));
        }
    }

    /// <inheritdoc/>
    public override void CgDirectionSpMVDot<T>(CsrIndices a, Storage<T> values, int valOffset, bool batchedValues,
        Storage<T> r, Storage<T>? inverseDiagonal, Storage<T> pOld, Storage<T> pNew, Storage<T> x, Storage<T> q,
        VectorBatch layout, Storage<T> scalars, int scalarStride, int rhoNewSlot, int rhoSlot, int iteration)
    {
        ArgumentNullException.ThrowIfNull(a);
        CgScalars.CheckDirectionSpMVDot(a, layout, pOld, pNew);
        var l = Launch(layout, scalars, scalarStride, nameof(CgDirectionSpMVDot));
        CheckSlot(rhoSlot, scalarStride, nameof(rhoSlot)); CheckSlot(rhoNewSlot, scalarStride, nameof(rhoNewSlot));
        var rowPtr = View(a.RowPtr, 0, a.Rows + 1L, "a.RowPtr");
        var colInd = View(a.ColInd, 0, a.Nnz, "a.ColInd");
        var vv = View(values, valOffset, (long)a.Nnz * (batchedValues ? Math.Max(1, layout.Count) : 1), nameof(values));
        var rv = Vectors(r, layout, nameof(r)); var qv = Vectors(q, layout, nameof(q)); var xv = Vectors(x, layout, nameof(x));
        var pov = Vectors(pOld, layout, nameof(pOld)); var pnv = Vectors(pNew, layout, nameof(pNew));
        var dv = inverseDiagonal is null ? rv : Vectors(inverseDiagonal, layout, nameof(inverseDiagonal));
        var sv = View(scalars, 0, scalars.Length, nameof(scalars));
        if (layout.Count == 0) return;
        l.SlotA = rhoNewSlot; l.SlotB = rhoSlot; l.HasDiagonal = inverseDiagonal is null ? 0 : 1;
        l.Nnz = a.Nnz; l.ValStride = batchedValues ? a.Nnz : 0;
        var k = Cg<T>();
        lock (Sync)
        {
            Accelerator.Bind();
            var partial = Scratch<T>(l.Count * l.Groups);
            if (l.Length > 0)
                k.DirectionSpMVPartial(Groups(l.Count * l.Groups),
                    rowPtr, colInd, vv, rv, dv, pov, pnv, xv, qv, sv, k.Codes.View, partial, l, T.CreateTruncating(iteration - 1));
            else Raw<T>().Fill(Cfg(partial.Length), partial, (int)partial.Length, default);
            l.SlotA = CgScalars.Curvature;
            k.FoldInto(Groups(l.Count), partial, sv, l);
        }
    }

    /// <inheritdoc/>
    public override void InverseDiagonal<T>(CsrIndices a, Storage<T> values, int valOffset, Storage<T> result)
    {
        ArgumentNullException.ThrowIfNull(a);
        int n = Math.Min(a.Rows, a.Cols);
        var rowPtr = View(a.RowPtr, 0, a.Rows + 1L, "a.RowPtr");
        var colInd = View(a.ColInd, 0, a.Nnz, "a.ColInd");
        var vv = View(values, valOffset, a.Nnz, nameof(values));
        var rv = View(result, 0, n, nameof(result));
        if (n == 0) return;
        var k = Cg<T>();
        lock (Sync)
        {
            Accelerator.Bind();
            k.InverseDiagonal(n, rowPtr, colInd, vv, rv);
        }
    }

    /// <inheritdoc/>
    public override void TriangularSolve<T>(CsrIndices strict, Storage<T> values, Storage<T>? diagonal, bool lower,
        Storage<int> levelRows, int[] levelPtr, Storage<T> b, Storage<T> x)
    {
        ArgumentNullException.ThrowIfNull(strict); ArgumentNullException.ThrowIfNull(levelPtr);
        int n = strict.Rows;
        if (levelPtr.Length == 0 || levelPtr[^1] != n)
            throw new ArgumentException($"TriangularSolve: the levels list {(levelPtr.Length == 0 ? 0 : levelPtr[^1])} rows, the factor has {n}", nameof(levelPtr));
        var rowPtr = View(strict.RowPtr, 0, n + 1L, "strict.RowPtr");
        var colInd = View(strict.ColInd, 0, strict.Nnz, "strict.ColInd");
        var vv = View(values, 0, strict.Nnz, nameof(values));
        var bv = View(b, 0, n, nameof(b)); var xv = View(x, 0, n, nameof(x));
        var dv = diagonal is null ? bv : View(diagonal, 0, n, nameof(diagonal));
        var lv = View(levelRows, 0, n, nameof(levelRows));
        if (n == 0) return;
        var k = Cg<T>();
        lock (Sync)
        {
            Accelerator.Bind();
            // One launch per level: the stream orders them, so a level reads the x of every earlier level.
            for (int l = 0; l + 1 < levelPtr.Length; l++)
            {
                int count = levelPtr[l + 1] - levelPtr[l];
                if (count > 0) k.TriangularLevel(count, rowPtr, colInd, vv, dv, lv, bv, xv, levelPtr[l], diagonal is null ? 0 : 1);
            }
        }
    }
}
