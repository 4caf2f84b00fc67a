using System.Numerics;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>M = I: z ← r (the registry's <c>none</c>; solvers skip it rather than copy).</summary>
public sealed class IdentityPreconditioner<T> : PreconditionerBase<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The identity on vectors of <paramref name="n"/> entries on <paramref name="device"/>.</summary>
    public IdentityPreconditioner(int n, Device device) : base("none", n, device) { }

    /// <inheritdoc/>
    protected override void ApplyCore(Tensor<T> r, Tensor<T> z) => z.CopyFrom(r);
}

/// <summary>Builds <see cref="IdentityPreconditioner{T}"/> (name <c>none</c>).</summary>
public sealed class IdentityPreconditionerFactory : IPreconditionerFactory
{
    /// <inheritdoc/>
    public string Name => "none";

    /// <inheritdoc/>
    public string Description => "no preconditioning (M = I)";

    /// <inheritdoc/>
    public IPreconditioner<T> Setup<T>(SparseTensor<T> a, int batchIndex = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ShapeMismatchException($"a preconditioner needs a square matrix; A is {a.Rows}×{a.Cols}", nameof(a));
        return new IdentityPreconditioner<T>(a.Rows, a.Device);
    }
}
