using System.Numerics;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Jacobi (diagonal) preconditioning, M = diag(A): z_i = r_i / a_ii (Saad, "Iterative Methods
/// for Sparse Linear Systems", 2nd ed., §10.2). Applied as an operator through a diagonal CSR matrix on A's
/// device, one SpMV on every backend (2n values read, n written); CG fuses it
/// into its vector passes instead through <see cref="InverseDiagonal"/> (<see cref="IDiagonalPreconditioner{T}"/>).
/// </summary>
public sealed class JacobiPreconditioner<T> : PreconditionerBase<T>, IDiagonalPreconditioner<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private SparseTensor<T>? _inverseDiagonal;

    /// <summary>
    /// Builds M⁻¹ = diag(1/a_ii) of matrix <paramref name="batchIndex"/> of <paramref name="a"/> on A's device
    /// (<see cref="Kernels.Backend.InverseDiagonal{T}"/>: one pass over the rows, no host map, no copy of the values);
    /// the host reads back one scalar, max |1/a_ii|, to refuse a zero or missing diagonal entry. The diagonal CSR
    /// operator behind <see cref="ILinearOperator{T}.Apply"/> is built on first use (CG never needs it).
    /// </summary>
    /// <exception cref="ArgumentException">A diagonal entry is zero or missing (its row is named).</exception>
    /// <exception cref="ShapeMismatchException">A is not square.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The batch index is out of range.</exception>
    public JacobiPreconditioner(SparseTensor<T> a, int batchIndex = 0) : base("jacobi", a?.Rows ?? 0, a?.Device ?? Device.Cpu)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare)
            throw new ShapeMismatchException($"{Name} preconditioner needs a square matrix; A is {a.Rows}×{a.Cols}", nameof(a));
        if ((uint)batchIndex >= (uint)a.BatchSize)
            throw new ArgumentOutOfRangeException(nameof(batchIndex), $"batch index {batchIndex} is out of range [0, {a.BatchSize})");
        int n = a.Rows;
        var inv = Tensor<T>.Zeros([n], a.Device);
        a.Backend.InverseDiagonal(a.Indices, a.Values, batchIndex * a.Nnz, inv.Storage);
        // 1/0 = ±∞ marks a zero or missing entry (a NaN entry passes through as NaN, as before).
        if (n > 0 && T.IsInfinity(a.Backend.Reduce(Kernels.ReduceOp.MaxAbs, inv.Storage, 0, n)))
        {
            var host = inv.ToArray();
            int i = Array.FindIndex(host, T.IsInfinity);
            throw new ArgumentException($"Jacobi preconditioner: diagonal entry a[{i},{i}] is {(a.Pattern.DiagonalSlots()[i] < 0 ? "not stored" : "zero")}", nameof(a));
        }
        InverseDiagonal = inv;
    }

    /// <inheritdoc/>
    public Tensor<T> InverseDiagonal { get; }

    /// <inheritdoc/>
    protected override void ApplyCore(Tensor<T> r, Tensor<T> z) => (_inverseDiagonal ??= DiagonalOperator()).Apply(r, z);

    /// <summary>diag(1/a_ii) as a CSR matrix on A's device (one SpMV per application on every backend).</summary>
    private SparseTensor<T> DiagonalOperator()
    {
        int n = Rows;
        var ptr = new int[n + 1];
        var col = new int[n];
        for (int i = 0; i < n; i++) { ptr[i + 1] = i + 1; col[i] = i; }
        return SparseTensor.FromCsr<T>(ptr, col, InverseDiagonal.ToArray(), [n, n], device: Device);
    }
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
