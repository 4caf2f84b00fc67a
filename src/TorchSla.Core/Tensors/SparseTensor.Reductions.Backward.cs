using TorchSla.Autodiff;
using TorchSla.Kernels;

namespace TorchSla;

/// <summary>
/// Backward rules of the per-matrix reductions and norms over the stored values:
/// Σ v (ḡ_v = ḡ_b for every slot of matrix b), mean (ḡ_b/nnz), Frobenius (ḡ_b·v/‖A_b‖_F),
/// ∞-norm and 1-norm (ḡ_b·sign(v) on the row, resp. column, of largest absolute sum — the first
/// one on ties, a subgradient as PyTorch takes for max).
/// </summary>
public sealed partial class SparseTensor<T>
{
    internal Tensor<T> RecordValueSum(Tensor<T> result, T scale, string op)
    {
        if (!Tracked) return result;
        var na = _node!;
        return result.Record(op, [na], g =>
        {
            var gh = g.ToArray();
            var ga = Tensor<T>.Zeros(ValuesShape, Device);
            for (int b = 0; b < BatchSize; b++) Backend.Fill(ga.Storage, b * Nnz, Nnz, scale * gh[b]);
            na.Accumulate(ga);
        });
    }

    internal Tensor<T> RecordNorm(MatrixNorm ord, Tensor<T> result)
    {
        if (!Tracked) return result;
        if (ord == MatrixNorm.Two)
            throw new NotSupportedException("the gradient of the spectral norm (ord 2) is not available; use the Frobenius, 1- or ∞-norm, or compute the norm under GradMode.NoGrad()");
        var na = _node!;
        var norms = result.ToArray();
        return result.Record("sparse-norm", [na], g =>
        {
            var gh = g.ToArray();
            var v = Values.ToArray();
            var ga = new T[v.Length];
            var rp = Pattern.RowPtr; var ci = Pattern.ColInd;
            for (int b = 0; b < BatchSize; b++)
            {
                int off = b * Nnz;
                if (Nnz == 0 || norms[b] == T.Zero) continue;
                switch (ord)
                {
                    case MatrixNorm.Frobenius:
                        for (int s = 0; s < Nnz; s++) ga[off + s] = gh[b] * v[off + s] / norms[b];
                        break;
                    case MatrixNorm.Infinity:
                    {
                        int best = 0; T bestSum = T.NegativeInfinity;
                        for (int i = 0; i < Rows; i++)
                        {
                            T sum = T.Zero;
                            for (int s = rp[i]; s < rp[i + 1]; s++) sum += T.Abs(v[off + s]);
                            if (sum > bestSum) { bestSum = sum; best = i; }
                        }
                        for (int s = rp[best]; s < rp[best + 1]; s++) ga[off + s] = gh[b] * T.CreateTruncating(T.Sign(v[off + s]));
                        break;
                    }
                    case MatrixNorm.One:
                    {
                        var colSum = new T[Cols];
                        for (int s = 0; s < Nnz; s++) colSum[ci[s]] += T.Abs(v[off + s]);
                        int best = 0;
                        for (int j = 1; j < Cols; j++) if (colSum[j] > colSum[best]) best = j;
                        for (int s = 0; s < Nnz; s++) if (ci[s] == best) ga[off + s] = gh[b] * T.CreateTruncating(T.Sign(v[off + s]));
                        break;
                    }
                }
            }
            na.Accumulate(Tensor<T>.FromSpan(ga, ValuesShape, Device));
        });
    }
}
