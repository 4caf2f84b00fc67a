using System.Numerics;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Shape, device and name bookkeeping shared by the built-in preconditioners; subclasses
/// implement <see cref="ApplyCore"/> with the vectors already checked.
/// </summary>
/// <typeparam name="T"><see cref="double"/> or <see cref="float"/>.</typeparam>
public abstract class PreconditionerBase<T> : IPreconditioner<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Records the size n (of an n×n matrix), the device and the name.</summary>
    protected PreconditionerBase(string name, int n, Device device)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        Name = name;
        Rows = n;
        Device = device;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public int Rows { get; }

    /// <inheritdoc/>
    public int Cols => Rows;

    /// <inheritdoc/>
    public Device Device { get; }

    /// <summary>z ← M⁻¹·r. r and z have <see cref="Rows"/> entries on <see cref="Device"/> and must not be the same tensor.</summary>
    /// <exception cref="ShapeMismatchException">A length or device does not fit.</exception>
    public void Apply(Tensor<T> x, Tensor<T> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Length != Rows || y.Length != Rows || x.Device != Device || y.Device != Device)
            throw new ShapeMismatchException(
                $"{Name} preconditioner is {Rows}×{Rows} on {Device}; r has {x.Length} entries on {x.Device}, z {y.Length} on {y.Device}");
        if (ReferenceEquals(x, y))
            throw new ArgumentException($"{Name} preconditioner: r and z must be different tensors", nameof(y));
        ApplyCore(x, y);
    }

    /// <summary>z ← M⁻¹·r with the arguments checked.</summary>
    protected abstract void ApplyCore(Tensor<T> r, Tensor<T> z);

    /// <summary>The values of matrix <paramref name="batchIndex"/> on the host, with its shape checked (square).</summary>
    /// <exception cref="ShapeMismatchException">A is not square.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The batch index is out of range.</exception>
    internal static T[] HostValues(SparseTensor<T> a, int batchIndex, string name)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare)
            throw new ShapeMismatchException($"{name} preconditioner needs a square matrix; A is {a.Rows}×{a.Cols}", nameof(a));
        return a.GetValues(batchIndex);
    }
}
