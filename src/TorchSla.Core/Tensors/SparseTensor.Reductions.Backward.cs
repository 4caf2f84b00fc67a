using TorchSla.Autodiff;
using TorchSla.Kernels;

namespace TorchSla;

/// <summary>
/// Backward rules of the per-matrix reductions and norms over the stored values:
/// Σ v (ḡ_v = ḡ_b for every slot of matrix b), mean (ḡ_b/nnz), Frobenius (ḡ_b·v/‖A_b‖_F),
/// ∞-norm and 1-norm (ḡ_b·sign(v) on the row, resp. column, of largest absolute sum — the first
/// one on ties, a subgradient as PyTorch takes for max), and the 2-norm (ḡ_b·u₁[row]·v₁[col] with the
/// top singular pair).
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
        var na = _node!;
        var norms = result.ToArray();
        if (ord == MatrixNorm.Two)
            return result.Record("sparse-norm-2", [na], g =>
            {
                var gh = g.ToArray();
                var ga = Tensor<T>.Zeros(ValuesShape, Device);
                for (int b = 0; b < BatchSize; b++)
                    if (Nnz > 0 && norms[b] != T.Zero) SpectralGradient(b, norms[b], gh[b], ga);
                na.Accumulate(ga);
            });
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

    /// <summary>
    /// ∂σ₁/∂a_s = u[row s]·v[col s] for the top singular pair (Magnus 1985, "On differentiating
    /// eigenvalues and eigenvectors", for a simple σ₁): v by power iteration on AᵀA until it moves by
    /// less than 1e-13 (∞-norm), u = A·v/σ₁; then the sampled product on the pattern, scaled by ḡ.
    /// </summary>
    /// <exception cref="NotConvergedException">v did not settle (σ₁ is not simple, or nearly so: the gradient is then ill-defined).</exception>
    private void SpectralGradient(int b, T sigma, T gradient, Tensor<T> ga)
    {
        const int maxIterations = 100_000;
        int off = b * Nnz;
        var t = TransposedValues(off);
        var idxT = t.Indices;
        using var vt = t.Values;
        using var v = PowerIterationStart();
        using var w = Backend.Allocate<T>(Rows);
        using var z = Backend.Allocate<T>(Cols);
        T tol = T.CreateTruncating(typeof(T) == typeof(float) ? 1e-6 : 1e-13);
        for (int it = 1; ; it++)
        {
            Backend.SpMV(Indices, Values, off, v, 0, w, 0, T.One, T.Zero);   // w = A v
            Backend.SpMV(idxT, vt, 0, w, 0, z, 0, T.One, T.Zero);            // z = Aᵀ w
            T zn = T.Sqrt(Backend.Dot(z, 0, z, 0, Cols));
            Backend.Map(UnaryOp.Identity, T.One / zn, z, 0, z, 0, Cols);
            Backend.Axpby(T.One, z, 0, -T.One, v, 0, Cols);                 // v ← z − v (the step)
            T moved = Backend.Reduce(ReduceOp.MaxAbs, v, 0, Cols);
            Backend.Copy(z, 0, v, 0, Cols);
            if (moved <= tol) break;
            if (it == maxIterations)
                throw new NotConvergedException(
                    $"gradient of the 2-norm of matrix {b} of shape {Shapes.Str(Shape)}: the top right singular vector did not settle in {maxIterations} power iterations (last step {moved}); σ₁ is (nearly) multiple and its gradient ill-defined",
                    maxIterations, double.CreateTruncating(moved));
        }
        Backend.SpMV(Indices, Values, off, v, 0, w, 0, T.One / sigma, T.Zero); // u = A v / σ
        Backend.Sddmm(Indices, w, 0, v, 0, 1, ga.Storage, off, gradient, accumulate: false);
    }
}
