using TorchSla.Solvers.Direct;

namespace TorchSla;

/// <summary>
/// Backward rule of det and log|det| (Jacobi's formula, d det A = det A·tr(A⁻¹·dA), restricted to the stored
/// slots): ḡ_A[s] = ḡ_b·c_b·(A_b⁻ᵀ)[row s, col s] with c_b = det A_b for det and 1 for log|det|. The entries of
/// A⁻ᵀ on the pattern come from the selected inverse of the forward's factors, which the node keeps (one node
/// per call, the factors' memory until the graph is freed); nothing is computed when no backward pass comes.
/// </summary>
public sealed partial class SparseTensor<T>
{
    private Tensor<T> RecordDeterminant(Tensor<T> result, SparseFactorization<T> f, double[] scale, string op)
    {
        if (!Tracked)
        {
            f.Dispose();
            return result;
        }
        var na = _node!;
        return result.Record(op, [na], g =>
        {
            var gh = g.ToArray();
            var ga = new T[BatchSize * Nnz];
            for (int b = 0; b < BatchSize; b++)
            {
                double c = double.CreateChecked(gh[b]) * scale[b];
                if (c == 0) continue;
                var z = f.InverseTransposeOnPattern(b);
                for (int s = 0; s < Nnz; s++) ga[b * Nnz + s] = T.CreateChecked(c * z[s]);
            }
            na.Accumulate(Tensor<T>.FromSpan(ga, ValuesShape, Device));
        });
    }
}
