using System.Numerics;

namespace TorchSla.Solvers;

/// <summary>
/// Matrix <c>index</c> of a batched sparse tensor as an operator: the shared pattern with the
/// index-th value set, so a batch is solved one matrix at a time without copying values.
/// </summary>
internal sealed class BatchMemberOperator<T> : ILinearOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SparseTensor<T> _a;
    private readonly int _index;

    public BatchMemberOperator(SparseTensor<T> a, int index)
    {
        if ((uint)index >= (uint)a.BatchSize)
            throw new ArgumentOutOfRangeException(nameof(index), $"batch index {index} is out of range [0, {a.BatchSize})");
        _a = a; _index = index;
    }

    /// <summary>The batched matrix and the member's index (for the fused SpMV + dot of the vector space).</summary>
    public SparseTensor<T> Matrix => _a;
    public int Index => _index;

    public int Rows => _a.Rows;
    public int Cols => _a.Cols;
    public Device Device => _a.Device;

    public void Apply(Tensor<T> x, Tensor<T> y)
    {
        if (x.Length != Cols || y.Length != Rows || x.Device != Device || y.Device != Device)
            throw new ShapeMismatchException($"Apply: matrix {_index} of the batch is {Rows}×{Cols} on {Device}; x has {x.Length} entries on {x.Device}, y {y.Length} on {y.Device}");
        _a.Backend.SpMV(_a.Indices, _a.Values, _index * _a.Nnz, x.Storage, 0, y.Storage, 0, T.One, T.Zero);
    }
}
