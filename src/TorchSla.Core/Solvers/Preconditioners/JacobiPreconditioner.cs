using System.Numerics;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Jacobi (diagonal) preconditioning, M = diag(A): z_i = r_i / a_ii (Saad, "Iterative Methods
/// for Sparse Linear Systems", 2nd ed., §10.2). Held as a diagonal CSR matrix on A's device,
/// so applying it as an operator is one SpMV on every backend (2n values read, n written); CG fuses it
/// into its vector passes instead through <see cref="InverseDiagonal"/> (<see cref="IDiagonalPreconditioner{T}"/>).
/// </summary>
public sealed class JacobiPreconditioner<T> : PreconditionerBase<T>, IDiagonalPreconditioner<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SparseTensor<T> _inverseDiagonal;

    /// <summary>Builds M⁻¹ = diag(1/a_ii) of matrix <paramref name="batchIndex"/> of <paramref name="a"/>.</summary>
    /// <exception cref="ArgumentException">A diagonal entry is zero or missing (its row is named).</exception>
    public JacobiPreconditioner(SparseTensor<T> a, int batchIndex = 0) : base("jacobi", a?.Rows ?? 0, a?.Device ?? Device.Cpu)
    {
        var values = HostValues(a!, batchIndex, Name);
        int n = a!.Rows;
        var slots = a.Pattern.DiagonalSlots();
        var inv = new T[n];
        var ptr = new int[n + 1];
        var col = new int[n];
        for (int i = 0; i < n; i++)
        {
            T d = slots[i] >= 0 ? values[slots[i]] : T.Zero;
            if (d == T.Zero)
                throw new ArgumentException($"Jacobi preconditioner: diagonal entry a[{i},{i}] is {(slots[i] < 0 ? "not stored" : "zero")}", nameof(a));
            inv[i] = T.One / d;
            ptr[i + 1] = i + 1;
            col[i] = i;
        }
        _inverseDiagonal = SparseTensor.FromCsr<T>(ptr, col, inv, [n, n], device: a.Device);
        InverseDiagonal = Tensor<T>.FromSpan(inv, [n], a.Device);
    }

    /// <inheritdoc/>
    public Tensor<T> InverseDiagonal { get; }

    /// <inheritdoc/>
    protected override void ApplyCore(Tensor<T> r, Tensor<T> z) => _inverseDiagonal.Apply(r, z);
}

/// <summary>Builds <see cref="JacobiPreconditioner{T}"/> (name <c>jacobi</c>).</summary>
public sealed class JacobiPreconditionerFactory : IPreconditionerFactory
{
    /// <inheritdoc/>
    public string Name => "jacobi";

    /// <inheritdoc/>
    public string Description => "diagonal scaling, M = diag(A)";

    /// <inheritdoc/>
    public IPreconditioner<T> Setup<T>(SparseTensor<T> a, int batchIndex = 0) where T : unmanaged, IFloatingPointIeee754<T> =>
        new JacobiPreconditioner<T>(a, batchIndex);
}
