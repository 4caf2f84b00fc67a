using MathNet.Numerics.LinearAlgebra;

namespace TorchSla.Interop;

/// <summary>
/// Conversions between <see cref="SparseTensor{T}"/> and MathNet.Numerics matrices, the
/// vocabulary .NET numerics users already know. Values are copied both ways. MathNet's sparse
/// storage keeps no explicit zeros, so stored zeros of a tensor are dropped on the way out.
/// </summary>
public static class MathNetInterop
{
    /// <summary>Matrix <paramref name="batchIndex"/> as a MathNet double-precision sparse (CSR) matrix.</summary>
    public static MathNet.Numerics.LinearAlgebra.Double.SparseMatrix ToMathNet(this SparseTensor<double> a, int batchIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(a);
        return MathNet.Numerics.LinearAlgebra.Double.SparseMatrix.OfIndexed(a.Rows, a.Cols, Triplets(a, batchIndex));
    }

    /// <summary>Matrix <paramref name="batchIndex"/> as a MathNet single-precision sparse (CSR) matrix.</summary>
    public static MathNet.Numerics.LinearAlgebra.Single.SparseMatrix ToMathNet(this SparseTensor<float> a, int batchIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(a);
        return MathNet.Numerics.LinearAlgebra.Single.SparseMatrix.OfIndexed(a.Rows, a.Cols, Triplets(a, batchIndex));
    }

    private static IEnumerable<Tuple<int, int, T>> Triplets<T>(SparseTensor<T> a, int batchIndex) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var v = a.GetValues(batchIndex);
        var rp = a.Pattern.RowPtr; var ci = a.Pattern.ColInd;
        var r = new List<Tuple<int, int, T>>(v.Length);
        for (int i = 0; i < a.Rows; i++)
            for (int k = rp[i]; k < rp[i + 1]; k++) r.Add(Tuple.Create(i, ci[k], v[k]));
        return r;
    }

    /// <summary>
    /// A sparse tensor holding the non-zeros of a MathNet matrix (sparse or dense; for a dense
    /// matrix every non-zero entry is stored).
    /// </summary>
    /// <exception cref="NonFiniteValueException">An entry is NaN or infinite and <paramref name="allowNonFinite"/> is false.</exception>
    public static SparseTensor<T> FromMathNet<T>(Matrix<T> matrix, bool allowNonFinite = false, Device? device = null)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>, IEquatable<T>, IFormattable
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var row = new List<int>(); var col = new List<int>(); var val = new List<T>();
        foreach (var (i, j, v) in matrix.EnumerateIndexed(Zeros.AllowSkip))
        {
            if (v == T.Zero) continue;
            row.Add(i); col.Add(j); val.Add(v);
        }
        return new SparseTensor<T>(val.ToArray(), row.ToArray(), col.ToArray(), [matrix.RowCount, matrix.ColumnCount], allowNonFinite, device);
    }
}
