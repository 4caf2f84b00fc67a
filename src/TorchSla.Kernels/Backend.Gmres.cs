using System.Numerics;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels;

/// <summary>
/// The primitives of the GMRES family's Arnoldi process with classical Gram–Schmidt and reorthogonalisation (CGS2:
/// Giraud, Langou, Rozložník &amp; van den Eshof, Numer. Math. 101 (2005) 87–100, "twice is enough"). The basis is one
/// block of <c>count</c> vectors of <c>length</c> entries stored one after another, so that one launch reads all of
/// them; the coefficients and ‖w‖² stay in a device scalar block (<see cref="GmresScalars"/>), so the loop never waits
/// for the host. Sums are taken in a fixed order (the same bits on every run and thread count of a device).
/// </summary>
public abstract partial class Backend
{
    /// <summary>
    /// scalars[slot + i] = Σ_e basis[i·length + e]·w[e] for i &lt; <paramref name="count"/> (V[0..count)ᵀ·w), one pass over
    /// the basis, nothing read back.
    /// </summary>
    public abstract void MultiDotInto<T>(Storage<T> basis, int count, int length, Storage<T> w, Storage<T> scalars, int slot)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// w[e] += α·Σ_i coefficients[slot + i]·basis[i·length + e] over i &lt; <paramref name="count"/> (the sum over i taken
    /// first, in order), then, when <paramref name="normSlot"/> ≥ 0, coefficients[normSlot] = ‖w‖² of the result, in
    /// the same pass.
    /// </summary>
    public abstract void MultiAxpy<T>(Storage<T> basis, int count, int length, Storage<T> coefficients, int slot, T alpha,
        Storage<T> w, int normSlot)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// y[yOffset + e] = σ·x[e] and, when <paramref name="copy"/> is given, copy[e] = σ·x[e], with σ = scalars[slot] read on
    /// the device; σ = 0 writes zeros whatever x holds (0·NaN would not), so a stopped Arnoldi cycle fills its basis with 0.
    /// </summary>
    public abstract void ScaleBySlot<T>(Storage<T> x, Storage<T> scalars, int slot, Storage<T> y, int yOffset, Storage<T>? copy, int length)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// Step <paramref name="column"/> of the Arnoldi cycle in the scalar block (<see cref="GmresScalars.Length"/>(restart)
    /// elements): the Hessenberg column from both Gram–Schmidt passes, the Givens rotations, g, the estimate, the status
    /// and the scale of the new basis vector (<see cref="GmresScalars"/>). A GPU runs it on one thread.
    /// </summary>
    public abstract void ArnoldiColumn<T>(Storage<T> scalars, int restart, int column)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The argument rules of the block primitives (both twins).</summary>
    private protected static void CheckBlock<T>(Storage<T> basis, int count, int length, Storage<T> w, string what) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(basis); ArgumentNullException.ThrowIfNull(w);
        if (count < 0 || length < 0 || (long)count * length > basis.Length)
            throw new ArgumentOutOfRangeException(nameof(count), $"{what}: {count} vectors of {length} entries do not fit a basis block of {basis.Length}");
        if (w.Length < length)
            throw new ArgumentException($"{what}: w holds {w.Length} entries, the vectors {length}", nameof(w));
    }

    /// <summary>The range rule of a slot range in a scalar block.</summary>
    private protected static void CheckSlots<T>(Storage<T> scalars, int slot, int count, string what) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(scalars);
        if (slot < 0 || count < 0 || (long)slot + count > scalars.Length)
            throw new ArgumentOutOfRangeException(nameof(slot), $"{what}: slots [{slot}, {(long)slot + count}) are outside a scalar block of {scalars.Length}");
    }

    /// <summary>The size rule of <see cref="ArnoldiColumn{T}"/>.</summary>
    private protected static void CheckColumn<T>(Storage<T> scalars, int restart, int column) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(scalars);
        if (restart < 1 || column < 0 || column >= restart || scalars.Length < GmresScalars.Length(restart))
            throw new ArgumentOutOfRangeException(nameof(column),
                $"ArnoldiColumn: column {column} of restart {restart} needs a scalar block of {GmresScalars.Length(Math.Max(restart, 1))}, got {scalars.Length}");
    }
}
