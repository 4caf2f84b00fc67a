using ILGPU;
using ILGPU.Runtime;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cuda;

// The GPU side of BiCGStab's fused steps: launches of BiCgStabKernels on the default stream, never a read-back.
public sealed partial class IlgpuBackend
{
    private CgLaunch BiLaunch<T>(VectorBatch layout, Storage<T> scalars, int scalarStride, int iteration, string what) where T : unmanaged
    {
        if (scalarStride <= BiCgStabScalars.History)
            throw new ArgumentOutOfRangeException(nameof(scalarStride), $"{what}: a BiCGStab scalar stride must exceed {BiCgStabScalars.History}, got {scalarStride}");
        var l = Launch(layout, scalars, scalarStride, what);
        l.HistoryIndex = (iteration - 1) % (scalarStride - BiCgStabScalars.History);
        return l;
    }

    /// <inheritdoc/>
    public override void BiCgStabDirection<T>(Storage<T> r, Storage<T> v, Storage<T> p, VectorBatch layout, Storage<T> scalars,
        int scalarStride, int iteration)
    {
        var l = BiLaunch(layout, scalars, scalarStride, iteration, nameof(BiCgStabDirection));
        var rv = Vectors(r, layout, nameof(r)); var vv = Vectors(v, layout, nameof(v)); var pv = Vectors(p, layout, nameof(p));
        var sv = View(scalars, 0, scalars.Length, nameof(scalars));
        long n = (long)layout.Count * layout.Length;
        if (n == 0) return;
        var k = Cg<T>();
        lock (Sync)
        {
            Accelerator.Bind();
            k.BiDirection(Cfg(n), rv, vv, pv, sv, k.Codes.View, l, T.CreateTruncating(iteration - 1));
        }
    }

    /// <inheritdoc/>
    public override void BiCgStabHalfStep<T>(Storage<T> r, Storage<T> v, VectorBatch layout, Storage<T> scalars,
        int scalarStride, int iteration)
    {
        var l = BiLaunch(layout, scalars, scalarStride, iteration, nameof(BiCgStabHalfStep));
        var rv = Vectors(r, layout, nameof(r)); var vv = Vectors(v, layout, nameof(v));
        var sv = View(scalars, 0, scalars.Length, nameof(scalars));
        if (layout.Count == 0) return;
        var k = Cg<T>();
        lock (Sync)
        {
            Accelerator.Bind();
            var partial = Scratch<T>(l.Count * l.Groups);
            k.BiHalfPartial(Groups(l.Count * l.Groups),
                rv, vv, sv, k.Codes.View, partial, l, T.CreateTruncating(iteration - 1));
            k.BiHalfEnd(Groups(l.Count), partial, sv, k.Codes.View, l,
                T.CreateTruncating(iteration));
        }
    }

    /// <inheritdoc/>
    public override void BiCgStabFinish<T>(Storage<T> x, Storage<T> pHat, Storage<T> sHat, Storage<T> r, Storage<T> t,
        VectorBatch layout, Storage<T> scalars, int scalarStride, int iteration)
    {
        var l = BiLaunch(layout, scalars, scalarStride, iteration, nameof(BiCgStabFinish));
        var xv = Vectors(x, layout, nameof(x)); var phv = Vectors(pHat, layout, nameof(pHat)); var shv = Vectors(sHat, layout, nameof(sHat));
        var rv = Vectors(r, layout, nameof(r)); var tv = Vectors(t, layout, nameof(t));
        var sv = View(scalars, 0, scalars.Length, nameof(scalars));
        if (layout.Count == 0) return;
        var k = Cg<T>();
        lock (Sync)
        {
            Accelerator.Bind();
            var partial = Scratch<T>(l.Count * l.Groups);
            k.BiFinishPartial(Groups(l.Count * l.Groups),
                xv, phv, shv, rv, tv, sv, k.Codes.View, partial, l, T.CreateTruncating(iteration));
            k.BiFinishEnd(Groups(l.Count), partial, sv, k.Codes.View, l,
                T.CreateTruncating(iteration));
        }
    }
}
