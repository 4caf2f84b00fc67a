using TorchSla.Autodiff;

namespace TorchSla;

/// <summary>
/// Backward rule of the sparse × dense product Y = A·X (SpMV for a vector, SpMM for a block),
/// for every matrix of a batch: ḡ_A[s] = Σ_c ḡ_Y[row s, c]·X[col s, c] on the stored slots only
/// (a sampled dense–dense product, <see cref="Kernels.Backend.Sddmm{T}"/>), and ḡ_X = Aᵀ·ḡ_Y
/// (summed over the batch when one X serves every matrix).
/// </summary>
public sealed partial class SparseTensor<T>
{
    internal Tensor<T> RecordMatmul(Tensor<T> x, Tensor<T> y, int k, bool broadcast)
    {
        if (!Tracked && !x.Tracked) return y;
        GradNode<Tensor<T>>? na = _node, nx = x.Node;
        var sx = x.Save();
        int kk = Math.Max(k, 1);
        string op = k == 0 ? "spmv" : "spmm";
        return y.Record(op, Tensor<T>.Present(na, nx), g =>
        {
            var xv = sx.Get(op);
            if (na is not null)
            {
                var ga = Tensor<T>.Zeros(ValuesShape, Device);
                for (int b = 0; b < BatchSize; b++)
                    Backend.Sddmm(Indices, g.Storage, b * Rows * kk, xv.Storage, broadcast ? 0 : b * Cols * kk, kk, ga.Storage, b * Nnz, T.One, accumulate: false);
                na.Accumulate(ga);
            }
            if (nx is not null)
            {
                var gx = Tensor<T>.Zeros(xv.Shape, Device);
                ApplyTranspose(g, gx, k, broadcast);
                nx.Accumulate(gx);
            }
        });
    }

    /// <summary>
    /// dst ← Aᵀ·src for every matrix of the batch (src rows·k per matrix, dst cols·k per matrix; with
    /// <paramref name="sumOverBatch"/> one dst receives the sum over the batch). The transposed values
    /// come from the cached transposition map, one gather per matrix.
    /// </summary>
    internal void ApplyTranspose(Tensor<T> src, Tensor<T> dst, int k, bool sumOverBatch)
    {
        int kk = Math.Max(k, 1);
        var (pt, _) = Pattern.Transpose();
        var idxT = pt.On(Device);
        var map = Pattern.TransposeMap.On(Device);
        using var vt = Backend.Allocate<T>(Nnz);
        for (int b = 0; b < BatchSize; b++)
        {
            Backend.Gather(Values, b * Nnz, map, 0, vt, 0, Nnz, T.One, accumulate: false);
            int dOff = sumOverBatch ? 0 : b * Cols * kk;
            T beta = sumOverBatch && b > 0 ? T.One : T.Zero;
            if (k == 0) Backend.SpMV(idxT, vt, 0, src.Storage, b * Rows, dst.Storage, dOff, T.One, beta);
            else Backend.SpMM(idxT, vt, 0, src.Storage, b * Rows * kk, dst.Storage, dOff, k, T.One, beta);
        }
    }
}
