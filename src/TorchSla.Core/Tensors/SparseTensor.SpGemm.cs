namespace TorchSla;

public sealed partial class SparseTensor<T>
{
    /// <summary>
    /// The sparse product C = A·B (SpGEMM), A of shape <c>[..., M, K]</c> and B of shape
    /// <c>[..., K, N]</c>, c_ij = Σ_k a_ik·b_kj on the pattern of all such products (products
    /// that cancel stay stored as explicit zeros). Batch shapes must be equal, or one operand
    /// unbatched (broadcast). The pattern of C is found by Gustavson's row-by-row algorithm once
    /// per pair of patterns and cached; the values are one gather and one SpMV per matrix
    /// (see the expansion plan in <c>SparsePattern.Product.cs</c>), so every backend runs it.
    /// </summary>
    /// <exception cref="ShapeMismatchException">K differs, or the batch shapes differ (the message names both shapes).</exception>
    /// <exception cref="ArgumentException">The operands live on different devices.</exception>
    public SparseTensor<T> Matmul(SparseTensor<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Cols != other.Rows)
            throw new ShapeMismatchException($"matmul: A has shape {Shapes.Str(Shape)}, B has shape {Shapes.Str(other.Shape)}; A's columns ({Cols}) must equal B's rows ({other.Rows})", nameof(other));
        var (batch, stepA, stepB) = BroadcastBatch(this, other, "matmul");
        var plan = Pattern.ProductWith(other.Pattern);
        int bs = Shapes.Numel(batch), nnz = plan.Pattern.Nnz, flops = plan.ExpansionMap.Length;
        var r = Backend.Allocate<T>(checked(bs * nnz));
        if (flops > 0)
        {
            using var expansionValues = Backend.Allocate<T>(flops);
            var map = plan.ExpansionMap.On(Device);
            var e = plan.Expansion.On(Device);
            for (int b = 0; b < bs; b++)
            {
                if (b == 0 || stepA)
                    Backend.Gather(Values, stepA ? b * Nnz : 0, map, 0, expansionValues, 0, flops, T.One, accumulate: false);
                Backend.SpMV(e, expansionValues, 0, other.Values, stepB ? b * other.Nnz : 0, r, b * nnz, T.One, T.Zero);
            }
        }
        return RecordMatmul(other, plan, stepA, stepB, new SparseTensor<T>(plan.Pattern, r, batch, null));
    }

    /// <summary>The sparse product A·B (see <see cref="Matmul(SparseTensor{T})"/>).</summary>
    public static SparseTensor<T> operator *(SparseTensor<T> a, SparseTensor<T> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Matmul(b);
    }
}
