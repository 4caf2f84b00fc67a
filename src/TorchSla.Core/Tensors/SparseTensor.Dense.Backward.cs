using TorchSla.Autodiff;

namespace TorchSla;

/// <summary>
/// Backward rules of the conversions between sparse and dense: ToDense (ḡ_v[s] = Ḡ_D[row s, col s],
/// the dense gradient sampled on the pattern) and FromDense (Ḡ_D[i, j] = ḡ_v[slot(i, j)] where stored,
/// 0 elsewhere). Both are one gather per matrix through a map built on the host.
/// </summary>
public sealed partial class SparseTensor<T>
{
    internal Tensor<T> RecordToDense(Tensor<T> dense)
    {
        if (!Tracked) return dense;
        var na = _node!;
        return dense.Record("to-dense", [na], g =>
        {
            var rp = Pattern.RowPtr; var ci = Pattern.ColInd;
            var map = new int[Nnz];
            for (int i = 0; i < Rows; i++)
                for (int s = rp[i]; s < rp[i + 1]; s++) map[s] = i * Cols + ci[s];
            using var m = Backend.Upload<int>(map);
            var ga = Tensor<T>.Zeros(ValuesShape, Device);
            for (int b = 0; b < BatchSize; b++)
                Backend.Gather(g.Storage, b * Rows * Cols, m, 0, ga.Storage, b * Nnz, Nnz, T.One, accumulate: false);
            na.Accumulate(ga);
        });
    }

    internal SparseTensor<T> RecordFromDense(Tensor<T> dense)
    {
        if (!dense.Tracked) return this;
        var nd = dense.Node!;
        return Record("from-dense", [nd], g =>
        {
            var rp = Pattern.RowPtr; var ci = Pattern.ColInd;
            var map = new int[Rows * Cols];
            Array.Fill(map, -1);
            for (int i = 0; i < Rows; i++)
                for (int s = rp[i]; s < rp[i + 1]; s++) map[i * Cols + ci[s]] = s;
            using var m = Backend.Upload<int>(map);
            var gd = Tensor<T>.Zeros([.. _batchShape, Rows, Cols], Device);
            for (int b = 0; b < BatchSize; b++)
                Backend.Gather(g.Storage, b * Nnz, m, 0, gd.Storage, b * Rows * Cols, Rows * Cols, T.One, accumulate: false);
            nd.Accumulate(gd);
        });
    }
}
