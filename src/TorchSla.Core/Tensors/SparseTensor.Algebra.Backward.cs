using TorchSla.Autodiff;
using TorchSla.Kernels;

namespace TorchSla;

/// <summary>
/// Backward rules of the elementwise sparse algebra: s·A (ḡ_A = s·ḡ), |A| (ḡ_A = sign(a)∘ḡ, 0 at 0),
/// α·A + β·B on the union of the patterns (ḡ_A = α·ḡ restricted to A's slots through the inverse
/// union map, likewise for B; a broadcast operand sums over the batch) and Aᵀ (ḡ_A = ḡ moved back
/// through the inverse transposition map).
/// </summary>
public sealed partial class SparseTensor<T>
{
    internal SparseTensor<T> RecordScale(T s, SparseTensor<T> result)
    {
        if (!Tracked) return result;
        var na = _node!;
        return result.Record("sparse-scale", [na], g => na.Accumulate(g.ScaleRaw(s)));
    }

    internal SparseTensor<T> RecordAbs(SparseTensor<T> result)
    {
        if (!Tracked) return result;
        var na = _node!;
        var sign = ValuesView().PointwiseRaw(PointwiseOp.Sign, T.Zero);
        return result.Record("sparse-abs", [na], g => na.Accumulate(Tensor<T>.BinaryRaw(BinaryOp.Multiply, g, sign)));
    }

    internal SparseTensor<T> RecordAdd(SparseTensor<T> other, T alpha, T beta, UnionPlan plan, bool stepA, bool stepB, SparseTensor<T> result)
    {
        if (!Tracked && !other.Tracked) return result;
        GradNode<Tensor<T>>? na = _node, nb = other._node;
        int bs = result.BatchSize, nnzC = plan.Pattern.Nnz;
        return result.Record("sparse-add", Tensor<T>.Present(na, nb), g =>
        {
            na?.Accumulate(PullBack(g, bs, nnzC, plan.MapA, alpha, stepA));
            nb?.Accumulate(other.PullBack(g, bs, nnzC, plan.MapB, beta, stepB));
        });
    }

    /// <summary>
    /// The gradient of this operand's values from the gradient of a result whose slot u took
    /// scale·values[map[u]]: a gather through the inverse map per matrix, summed over the batch
    /// when this operand was broadcast (<paramref name="step"/> false).
    /// </summary>
    private Tensor<T> PullBack(Tensor<T> g, int batch, int nnzResult, IndexMap map, T scale, bool step)
    {
        var inv = IndexMapInverse.Of(map, Nnz).On(Device);
        var ga = Tensor<T>.Zeros(ValuesShape, Device);
        for (int b = 0; b < batch; b++)
            Backend.Gather(g.Storage, b * nnzResult, inv, 0, ga.Storage, step ? b * Nnz : 0, Nnz, scale, accumulate: !step && b > 0);
        return ga;
    }

    internal SparseTensor<T> RecordTranspose(SparseTensor<T> result)
    {
        if (!Tracked) return result;
        var na = _node!;
        return result.Record("transpose", [na], g => na.Accumulate(PullBack(g, BatchSize, Nnz, Pattern.TransposeMap, T.One, step: true)));
    }

    internal SparseTensor<T> RecordTo(SparseTensor<T> result)
    {
        if (!Tracked || ReferenceEquals(result, this)) return result;
        var na = _node!;
        var device = Device;
        return result.Record("to", [na], g => na.Accumulate(g.To(device)));
    }
}
