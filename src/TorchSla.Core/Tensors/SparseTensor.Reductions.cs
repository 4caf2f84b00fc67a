using TorchSla.Kernels;

namespace TorchSla;

/// <summary>
/// Reductions over the stored values, matrix by matrix.
/// <para>Semantics follow torch-sla (<c>torch_sla/sparse_tensor/reductions.py</c>, <c>axis=None</c>):
/// a reduction runs over the <b>stored</b> entries only — implicit zeros do not count. So
/// <c>Mean</c> is the mean of the stored values (Σ/nnz, not Σ/(M·N)), <c>Prod</c> the product of
/// the stored values, <c>Max</c>/<c>Min</c> the extremes of the stored values (a matrix with only
/// negative stored values has a negative <c>Max</c> even though its implicit zeros are larger).
/// Explicitly stored zeros do count. For the reductions over all M·N entries, use
/// <see cref="SparseTensor{T}.ToDense"/>.</para>
/// <para>Shapes: one value per matrix. The tensor forms return shape <c>[B...]</c> (the batch
/// shape; rank 0 with one element for a single matrix); the forms taking a batch index return
/// the value of that matrix as a scalar. torch-sla's <c>A.sum()</c> on a batch sums across the
/// whole batch; here each matrix keeps its own value (sum the returned tensor for the total).</para>
/// Every reduction runs on the tensor's device in a fixed order (same bits every run).
/// </summary>
public sealed partial class SparseTensor<T>
{
    /// <summary>Σ of the stored values of each matrix, shape <c>[B...]</c> (0 for a matrix with no stored entry).</summary>
    public Tensor<T> Sum() => RecordValueSum(PerMatrix(Sum), T.One, "sparse-sum");

    /// <summary>Σ of the stored values of matrix <paramref name="batchIndex"/>.</summary>
    public T Sum(int batchIndex) => ReduceValues(ReduceOp.Sum, batchIndex);

    /// <summary>Mean of the stored values of each matrix, Σ v / nnz, shape <c>[B...]</c> (NaN when nnz = 0, as torch's mean of nothing).</summary>
    public Tensor<T> Mean() => RecordValueSum(PerMatrix(Mean), T.One / T.CreateChecked(Nnz), "sparse-mean");

    /// <summary>Mean of the stored values of matrix <paramref name="batchIndex"/>, Σ v / nnz.</summary>
    public T Mean(int batchIndex) => Sum(batchIndex) / T.CreateChecked(Nnz);

    /// <summary>Product of the stored values of each matrix, shape <c>[B...]</c> (1 for a matrix with no stored entry).</summary>
    public Tensor<T> Prod() => PerMatrix(Prod);

    /// <summary>Product of the stored values of matrix <paramref name="batchIndex"/>.</summary>
    public T Prod(int batchIndex) => ReduceValues(ReduceOp.Prod, batchIndex);

    /// <summary>Largest stored value of each matrix, shape <c>[B...]</c> (NaN if any stored value is NaN).</summary>
    /// <exception cref="InvalidOperationException">The matrices have no stored entry (the maximum of nothing is undefined, as in torch).</exception>
    public Tensor<T> Max() => PerMatrix(Max);

    /// <summary>Largest stored value of matrix <paramref name="batchIndex"/>.</summary>
    /// <exception cref="InvalidOperationException">The matrix has no stored entry.</exception>
    public T Max(int batchIndex) => ReduceNonEmpty(ReduceOp.Max, batchIndex, "max");

    /// <summary>Smallest stored value of each matrix, shape <c>[B...]</c> (NaN if any stored value is NaN).</summary>
    /// <exception cref="InvalidOperationException">The matrices have no stored entry.</exception>
    public Tensor<T> Min() => PerMatrix(Min);

    /// <summary>Smallest stored value of matrix <paramref name="batchIndex"/>.</summary>
    /// <exception cref="InvalidOperationException">The matrix has no stored entry.</exception>
    public T Min(int batchIndex) => ReduceNonEmpty(ReduceOp.Min, batchIndex, "min");

    private T ReduceNonEmpty(ReduceOp op, int batchIndex, string name)
    {
        if (Nnz == 0)
            throw new InvalidOperationException($"{name} of a sparse tensor of shape {Shapes.Str(Shape)} with no stored entry is undefined");
        return ReduceValues(op, batchIndex);
    }

    private T ReduceValues(ReduceOp op, int batchIndex)
    {
        CheckBatchIndex(batchIndex);
        return Backend.Reduce(op, Values, batchIndex * Nnz, Nnz);
    }

    internal void CheckBatchIndex(int batchIndex)
    {
        if ((uint)batchIndex >= (uint)BatchSize)
            throw new ArgumentOutOfRangeException(nameof(batchIndex), $"batch index {batchIndex} is out of range [0, {BatchSize}) for a tensor of shape {Shapes.Str(Shape)}");
    }

    /// <summary>One value per matrix as a host-built tensor of shape <c>[B...]</c> on the tensor's device.</summary>
    internal Tensor<T> PerMatrix(Func<int, T> perMatrix)
    {
        var r = new T[BatchSize];
        for (int b = 0; b < BatchSize; b++) r[b] = perMatrix(b);
        return Tensor<T>.FromSpan(r, (int[])_batchShape.Clone(), Device);
    }
}
