namespace TorchSla;

public sealed partial class SparseTensor<T>
{
    /// <summary>
    /// The sparse product C = A·B (SpGEMM), A of shape <c>[..., M, K]</c> and B of shape
    /// <c>[..., K, N]</c>, c_ij = Σ_k a_ik·b_kj on the pattern of all such products (products
    /// that cancel stay stored as explicit zeros). Batch shapes must be equal, or one operand
    /// unbatched (broadcast). The pattern of C is found once per pair of patterns by the device's
    /// backend (<see cref="Kernels.Backend.SpGemmSymbolic"/>: Gustavson on the host, a hash SpGEMM on
    /// a GPU) and cached; the values are one <see cref="Kernels.Backend.SpGemmNumeric{T}"/> per matrix.
    /// </summary>
    /// <exception cref="ShapeMismatchException">K differs, or the batch shapes differ (the message names both shapes).</exception>
    /// <exception cref="ArgumentException">The operands live on different devices.</exception>
    public SparseTensor<T> Matmul(SparseTensor<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Cols != other.Rows)
            throw new ShapeMismatchException($"matmul: A has shape {Shapes.Str(Shape)}, B has shape {Shapes.Str(other.Shape)}; A's columns ({Cols}) must equal B's rows ({other.Rows})", nameof(other));
        var (batch, stepA, stepB) = BroadcastBatch(this, other, "matmul");
        var plan = Pattern.ProductWith(other.Pattern, Device);
        var onDevice = plan.On(Device);
        int bs = Shapes.Numel(batch), nnz = plan.Pattern.Nnz;
        var r = Backend.Allocate<T>(checked(bs * nnz));
        for (int b = 0; b < bs; b++)
            Backend.SpGemmNumeric(onDevice, Values, stepA ? b * Nnz : 0, other.Values, stepB ? b * other.Nnz : 0, r, b * nnz);
        return RecordMatmul(other, plan, stepA, stepB, new SparseTensor<T>(plan.Pattern, r, batch, null));
    }

    /// <summary>The sparse product A·B (see <see cref="Matmul(SparseTensor{T})"/>).</summary>
    public static SparseTensor<T> operator *(SparseTensor<T> a, SparseTensor<T> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Matmul(b);
    }
}
