using System.Globalization;
using System.Numerics;

namespace TorchSla.IO;

/// <summary>
/// Emits Matrix Market text: coordinate entries of a sparse tensor (all, or one triangle after
/// checking the symmetry) and column-major values of a dense tensor. Numbers are formatted
/// into a reused character buffer with the shortest representation that parses back to the
/// same bits ("R"); NaN and infinities as <c>nan</c>, <c>inf</c>, <c>-inf</c>, which other
/// readers (SciPy, Fortran) understand.
/// </summary>
internal static class MatrixMarketWriter
{
    /// <summary>What to write: the matrix's CSR arrays and values, and which slots.</summary>
    internal sealed class WritePlan<T>(int rows, int cols, int[] rowPtr, int[] colInd, T[] values, int count)
    {
        public int Rows { get; } = rows;
        public int Cols { get; } = cols;
        public int[] RowPtr { get; } = rowPtr;
        public int[] ColInd { get; } = colInd;
        public T[] Values { get; } = values;
        /// <summary>Number of entry lines.</summary>
        public int Count { get; } = count;
    }

    /// <summary>Validates the request (batch, symmetry) before anything is written.</summary>
    public static WritePlan<T> Plan<T>(SparseTensor<T> a, MatrixMarketSymmetry symmetry) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a.IsBatched)
            throw new ArgumentException($"a Matrix Market file holds one matrix; this tensor has batch shape {Shapes.Str(a.BatchShape)}: write each matrix separately", nameof(a));
        if (symmetry == MatrixMarketSymmetry.Hermitian)
            throw new ArgumentException("hermitian storage needs complex values; for a real matrix use Symmetric", nameof(symmetry));
        var p = a.Pattern;
        var v = a.GetValues();
        if (symmetry == MatrixMarketSymmetry.General)
            return new WritePlan<T>(p.Rows, p.Cols, p.RowPtr, p.ColInd, v, p.Nnz);
        if (!a.IsSquare)
            throw new ArgumentException($"a {MatrixMarketParser.Name(symmetry)} matrix must be square, this one is {a.Rows}×{a.Cols}", nameof(a));
        CheckSymmetry(p, v, symmetry == MatrixMarketSymmetry.SkewSymmetric);
        int count = 0;
        bool skew = symmetry == MatrixMarketSymmetry.SkewSymmetric;
        for (int i = 0; i < p.Rows; i++)
            for (int k = p.RowPtr[i]; k < p.RowPtr[i + 1]; k++)
                if (p.ColInd[k] < i || (!skew && p.ColInd[k] == i)) count++;
        return new WritePlan<T>(p.Rows, p.Cols, p.RowPtr, p.ColInd, v, count);
    }

    /// <summary>
    /// Checks A(i,j) = s·A(j,i) for every (i,j) (s = −1 for skew), merging row i of A with row i
    /// of Aᵀ (the cached transposition map); a missing entry counts as 0. Exact comparison: the
    /// file will claim the mirror entries are equal.
    /// </summary>
    private static void CheckSymmetry<T>(SparsePattern p, T[] v, bool skew) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (pt, map) = p.Transpose();
        string what = skew ? "skew-symmetric (A = -Aᵀ)" : "symmetric (A = Aᵀ)";
        for (int i = 0; i < p.Rows; i++)
        {
            int ka = p.RowPtr[i], ea = p.RowPtr[i + 1], kt = pt.RowPtr[i], et = pt.RowPtr[i + 1];
            while (ka < ea || kt < et)
            {
                int ca = ka < ea ? p.ColInd[ka] : int.MaxValue;
                int ct = kt < et ? pt.ColInd[kt] : int.MaxValue;
                int j = Math.Min(ca, ct);
                T aij = ca == j ? v[ka++] : T.Zero;
                T aji = ct == j ? v[map[kt++]] : T.Zero;
                T mirror = skew ? -aji : aji;
                if (!(aij == mirror))
                    throw new ArgumentException(
                        $"the matrix is not {what}: A[{i}, {j}] = {aij.ToString("R", CultureInfo.InvariantCulture)} but A[{j}, {i}] = {aji.ToString("R", CultureInfo.InvariantCulture)}",
                        "a");
            }
        }
    }

    public static void WriteCoordinate<T>(TextWriter w, WritePlan<T> plan, MatrixMarketSymmetry symmetry, string? comment)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        w.Write("%%MatrixMarket matrix coordinate real ");
        w.Write(MatrixMarketParser.Name(symmetry));
        w.Write('\n');
        WriteComment(w, comment);
        w.Write($"{plan.Rows} {plan.Cols} {plan.Count}\n");
        bool lower = symmetry != MatrixMarketSymmetry.General;
        bool skew = symmetry == MatrixMarketSymmetry.SkewSymmetric;
        Span<char> line = stackalloc char[96];
        for (int i = 0; i < plan.Rows; i++)
            for (int k = plan.RowPtr[i]; k < plan.RowPtr[i + 1]; k++)
            {
                int j = plan.ColInd[k];
                if (lower && (j > i || (skew && j == i))) continue;
                int n = 0;
                n += Format(i + 1, line[n..]);
                line[n++] = ' ';
                n += Format(j + 1, line[n..]);
                line[n++] = ' ';
                n += Format(plan.Values[k], line[n..]);
                line[n++] = '\n';
                w.Write(line[..n]);
            }
    }

    public static void CheckDense<T>(Tensor<T> t) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(t);
        if (t.Rank is not (1 or 2))
            throw new ShapeMismatchException($"a Matrix Market array holds a vector [M] or a matrix [M, N]; this tensor has shape {Shapes.Str(t.ShapeSpan)}", nameof(t));
    }

    public static void WriteArray<T>(TextWriter w, Tensor<T> t) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = t.ShapeSpan[0], cols = t.Rank == 2 ? t.ShapeSpan[1] : 1;
        var a = t.ToArray();
        w.Write("%%MatrixMarket matrix array real general\n");
        w.Write($"{rows} {cols}\n");
        Span<char> line = stackalloc char[64];
        for (int j = 0; j < cols; j++)
            for (int i = 0; i < rows; i++)
            {
                int n = Format(a[(long)i * cols + j], line);
                line[n++] = '\n';
                w.Write(line[..n]);
            }
    }

    private static void WriteComment(TextWriter w, string? comment)
    {
        if (string.IsNullOrEmpty(comment)) return;
        foreach (var raw in comment.Split('\n'))
        {
            w.Write("% ");
            w.Write(raw.TrimEnd('\r'));
            w.Write('\n');
        }
    }

    private static int Format(int value, Span<char> dst)
    {
        value.TryFormat(dst, out int n, default, CultureInfo.InvariantCulture);
        return n;
    }

    private static int Format<T>(T value, Span<char> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ReadOnlySpan<char> special =
            T.IsNaN(value) ? "nan"
            : T.IsPositiveInfinity(value) ? "inf"
            : T.IsNegativeInfinity(value) ? "-inf"
            : default;
        if (!special.IsEmpty)
        {
            special.CopyTo(dst);
            return special.Length;
        }
        value.TryFormat(dst, out int n, "R", CultureInfo.InvariantCulture);
        return n;
    }
}
