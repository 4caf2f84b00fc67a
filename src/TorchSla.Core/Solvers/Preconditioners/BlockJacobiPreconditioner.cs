using System.Numerics;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Block-Jacobi preconditioning (Saad, "Iterative Methods for Sparse Linear Systems", 2nd ed.,
/// §12.2): the rows are cut into consecutive blocks of <c>blockSize</c>, each diagonal block
/// A_bb (dense, with the entries A does not store as zeros) is inverted by Gauss–Jordan
/// elimination with partial pivoting in double precision, and M⁻¹ = blockdiag(A_bb⁻¹) is held
/// as a CSR matrix on A's device, so applying it is one SpMV on every backend.
/// </summary>
public sealed class BlockJacobiPreconditioner<T> : PreconditionerBase<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SparseTensor<T> _inverse;

    /// <summary>Builds blockdiag(A_bb⁻¹) of matrix <paramref name="batchIndex"/> of <paramref name="a"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The block size is below 1.</exception>
    /// <exception cref="ArgumentException">A diagonal block is singular (its rows are named).</exception>
    public BlockJacobiPreconditioner(SparseTensor<T> a, int blockSize, int batchIndex = 0)
        : base("block-jacobi", a?.Rows ?? 0, a?.Device ?? Device.Cpu)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        var values = HostValues(a!, batchIndex, Name);
        int n = a!.Rows;
        BlockSize = blockSize;
        var rowPtr = a.Pattern.RowPtr;
        var colInd = a.Pattern.ColInd;
        var ptr = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            int start = i / blockSize * blockSize;
            ptr[i + 1] = ptr[i] + Math.Min(blockSize, n - start);
        }
        var col = new int[ptr[n]];
        var val = new T[ptr[n]];
        var block = new double[blockSize, blockSize];
        var inv = new double[blockSize, blockSize];
        for (int start = 0; start < n; start += blockSize)
        {
            int m = Math.Min(blockSize, n - start);
            Array.Clear(block);
            for (int i = 0; i < m; i++)
                for (int k = rowPtr[start + i]; k < rowPtr[start + i + 1]; k++)
                {
                    int j = colInd[k] - start;
                    if (j >= 0 && j < m) block[i, j] += double.CreateTruncating(values[k]);
                }
            if (!GaussJordan.Invert(block, inv, m))
                throw new ArgumentException($"block-Jacobi preconditioner: the diagonal block of rows {start}..{start + m - 1} is singular", nameof(a));
            for (int i = 0; i < m; i++)
                for (int j = 0; j < m; j++)
                {
                    col[ptr[start + i] + j] = start + j;
                    val[ptr[start + i] + j] = T.CreateTruncating(inv[i, j]);
                }
        }
        _inverse = SparseTensor.FromCsr<T>(ptr, col, val, [n, n], device: a.Device);
    }

    /// <summary>Rows per diagonal block (the last block may be smaller).</summary>
    public int BlockSize { get; }

    /// <inheritdoc/>
    protected override void ApplyCore(Tensor<T> r, Tensor<T> z) => _inverse.Apply(r, z);
}

/// <summary>Builds <see cref="BlockJacobiPreconditioner{T}"/> (name <c>block-jacobi</c>, blocks of 4 rows unless told otherwise).</summary>
/// <param name="blockSize">Rows per diagonal block (default 4).</param>
public sealed class BlockJacobiPreconditionerFactory(int blockSize = 4) : IPreconditionerFactory
{
    /// <inheritdoc/>
    public string Name => "block-jacobi";

    /// <inheritdoc/>
    public string Description => $"inverted dense diagonal blocks of {blockSize} rows";

    /// <inheritdoc/>
    public IPreconditioner<T> Setup<T>(SparseTensor<T> a, int batchIndex = 0) where T : unmanaged, IFloatingPointIeee754<T> =>
        new BlockJacobiPreconditioner<T>(a, blockSize, batchIndex);
}
