using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cpu;

// The CPU twins of the GMRES primitives (Backend.MultiDotInto, MultiAxpy, ScaleBySlot, ArnoldiColumn): block passes
// of GmresBlocks, sums folded in block order; the Arnoldi column runs GmresScalars.Column on the calling thread, the
// same routine the GPU runs on one thread.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public override void MultiDotInto<T>(Storage<T> basis, int count, int length, Storage<T> w, Storage<T> scalars, int slot)
    {
        CheckBlock(basis, count, length, w, nameof(MultiDotInto));
        CheckSlots(scalars, slot, count, nameof(MultiDotInto));
        var s = ArrayOf(scalars);
        var job = GmresBlocks<T>.Rent(GmresBlocks<T>.Kind.MultiDot, ArrayOf(basis), count, length, ArrayOf(w), s, slot);
        job.Run();
        for (int i = 0; i < count; i++) s[slot + i] = job.Sum(i);
    }

    /// <inheritdoc/>
    public override void MultiAxpy<T>(Storage<T> basis, int count, int length, Storage<T> coefficients, int slot, T alpha,
        Storage<T> w, int normSlot)
    {
        CheckBlock(basis, count, length, w, nameof(MultiAxpy));
        CheckSlots(coefficients, slot, count, nameof(MultiAxpy));
        if (normSlot >= 0) CheckSlots(coefficients, normSlot, 1, nameof(MultiAxpy));
        var s = ArrayOf(coefficients);
        var job = GmresBlocks<T>.Rent(GmresBlocks<T>.Kind.MultiAxpy, ArrayOf(basis), count, length, ArrayOf(w), s, slot);
        job.Alpha = alpha;
        job.Run();
        if (normSlot >= 0) s[normSlot] = job.Sum(0);
    }

    /// <inheritdoc/>
    public override void ScaleBySlot<T>(Storage<T> x, Storage<T> scalars, int slot, Storage<T> y, int yOffset, Storage<T>? copy, int length)
    {
        CheckBlock(x, 1, length, x, nameof(ScaleBySlot));
        CheckSlots(scalars, slot, 1, nameof(ScaleBySlot));
        ArgumentNullException.ThrowIfNull(y);
        if (yOffset < 0 || (long)yOffset + length > y.Length || (copy is not null && copy.Length < length))
            throw new ArgumentOutOfRangeException(nameof(yOffset), $"ScaleBySlot: {length} entries at {yOffset} overrun y ({y.Length}) or the copy ({copy?.Length})");
        var job = GmresBlocks<T>.Rent(GmresBlocks<T>.Kind.Scale, ArrayOf(y), 1, length, ArrayOf(x), ArrayOf(scalars), slot);
        job.Destinations(yOffset, copy is null ? null : ArrayOf(copy));
        job.Run();
    }

    /// <inheritdoc/>
    public override void ArnoldiColumn<T>(Storage<T> scalars, int restart, int column)
    {
        CheckColumn(scalars, restart, column);
        GmresScalars.Column(new ArraySlots<T>(ArrayOf(scalars)), new ArraySlots<T>(Codes<T>.Values), restart, column, T.CreateTruncating(column + 1));
    }

    /// <summary>codes[c] = c as values of T (what the GPU's kernel reads its status codes from).</summary>
    private static class Codes<T> where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        public static readonly T[] Values = [T.Zero, T.One, T.CreateTruncating(2), T.CreateTruncating(3)];
    }
}
