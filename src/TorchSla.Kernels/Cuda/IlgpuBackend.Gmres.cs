using ILGPU;
using ILGPU.Runtime;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cuda;

// The GPU side of the GMRES primitives: launches of GmresKernels on the default stream, never a read-back, never an
// allocation once the reduction scratch has grown to the solve's size.
public sealed partial class IlgpuBackend
{
    private GmresKernelSet<T> Gmres<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        Compiled(a => new GmresKernelSet<T>(a), k => k.CompileSeconds);

    /// <inheritdoc/>
    public override void MultiDotInto<T>(Storage<T> basis, int count, int length, Storage<T> w, Storage<T> scalars, int slot)
    {
        CheckBlock(basis, count, length, w, nameof(MultiDotInto));
        CheckSlots(scalars, slot, count, nameof(MultiDotInto));
        var vv = View(basis, 0, (long)count * length, nameof(basis)); var wv = View(w, 0, length, nameof(w));
        var sv = View(scalars, 0, scalars.Length, nameof(scalars));
        if (count == 0) return;
        var l = new CgLaunch { Length = length, Count = count, SystemStride = length, ElementStride = 1, ScalarStride = 1, SlotA = slot,
                               Groups = GroupsPerSystem(length, count) };
        var k = Gmres<T>();
        lock (Sync)
        {
            Accelerator.Bind();
            var partial = Scratch<T>(count * l.Groups);
            if (length > 0) k.MultiDotPartial(Groups(count * l.Groups), vv, wv, partial, l);
            else Raw<T>().Fill(Cfg(partial.Length), partial, (int)partial.Length, default);
            k.FoldInto(Groups(count), partial, sv, l);
        }
    }

    /// <inheritdoc/>
    public override void MultiAxpy<T>(Storage<T> basis, int count, int length, Storage<T> coefficients, int slot, T alpha,
        Storage<T> w, int normSlot)
    {
        CheckBlock(basis, count, length, w, nameof(MultiAxpy));
        CheckSlots(coefficients, slot, count, nameof(MultiAxpy));
        if (normSlot >= 0) CheckSlots(coefficients, normSlot, 1, nameof(MultiAxpy));
        var vv = View(basis, 0, (long)count * length, nameof(basis)); var wv = View(w, 0, length, nameof(w));
        var cv = View(coefficients, 0, coefficients.Length, nameof(coefficients));
        if (length == 0)
        {
            if (normSlot >= 0) Fill(coefficients, normSlot, 1, T.Zero);
            return;
        }
        int groups = ReductionGroups(length);
        var k = Gmres<T>();
        lock (Sync)
        {
            Accelerator.Bind();
            var partial = Scratch<T>(groups);
            k.MultiAxpyPartial(Groups(groups), vv, cv, wv, partial, length, count, slot, alpha);
            if (normSlot >= 0)
                k.FoldInto(Groups(1), partial, cv, new CgLaunch { Count = 1, Groups = groups, ScalarStride = 1, SlotA = normSlot });
        }
    }

    /// <inheritdoc/>
    public override void ScaleBySlot<T>(Storage<T> x, Storage<T> scalars, int slot, Storage<T> y, int yOffset, Storage<T>? copy, int length)
    {
        CheckSlots(scalars, slot, 1, nameof(ScaleBySlot));
        var xv = View(x, 0, length, nameof(x)); var yv = View(y, yOffset, length, nameof(y));
        var cv = copy is null ? yv : View(copy, 0, length, nameof(copy));
        var sv = View(scalars, 0, scalars.Length, nameof(scalars));
        if (length == 0) return;
        Own(y, nameof(y)).Touch();
        if (copy is not null) Own(copy, nameof(copy)).Touch();
        var k = Gmres<T>();
        lock (Sync)
        {
            Accelerator.Bind();
            k.Scale(length, xv, sv, slot, yv, 0, cv, copy is null ? 0 : 1);
        }
    }

    /// <inheritdoc/>
    public override void ArnoldiColumn<T>(Storage<T> scalars, int restart, int column)
    {
        CheckColumn(scalars, restart, column);
        var sv = View(scalars, 0, scalars.Length, nameof(scalars));
        var k = Gmres<T>();
        lock (Sync)
        {
            Accelerator.Bind();
            k.Column(1, sv, k.Codes.View, restart, column, T.CreateTruncating(column + 1));
        }
    }
}
