using System.Globalization;
using TorchSla.IO;
using Xunit;

namespace TorchSla.Tests.IO;

public class MatrixMarketReadTests
{
    public static TheoryData<string> AllMatrices()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(TestPaths.Shared, "matrices"), "*.mtx").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(AllMatrices))]
    public void EveryFileReadsWithTheEntriesOfAnIndependentParse(string name)
    {
        string path = TestPaths.Matrix(name);
        var naive = NaiveMatrixMarket.Parse(path);
        var h = MatrixMarket.ReadHeader(path);
        Assert.Equal((naive.Rows, naive.Cols, naive.Declared), (h.Rows, h.Cols, h.Entries));
        Assert.Equal(naive.Field, h.Field.ToString().ToLowerInvariant());

        if (naive.Field == "complex")
        {
            var e = Assert.Throws<MatrixFormatException>(() => MatrixMarket.Read<double>(path));
            Assert.Equal(1, e.Line);
            Assert.Contains("complex", e.Message, StringComparison.Ordinal);
            Assert.Contains("not supported yet", e.Message, StringComparison.Ordinal);
            return;
        }

        var a = MatrixMarket.Read<double>(path);
        Assert.Equal([naive.Rows, naive.Cols], a.Shape);
        // Every position of the expanded file appears once in the CSR, with the file's value (bit-exact; NaN included).
        var expected = NaiveMatrixMarket.Summed(naive);
        Assert.Equal(expected.Count, a.Nnz);
        Assert.Equal(naive.Entries.Count, a.InputEntries);
        var rp = a.RowPointers; var ci = a.ColumnIndices; var v = a.GetValues();
        for (int i = 0; i < a.Rows; i++)
            for (int k = rp[i]; k < rp[i + 1]; k++)
            {
                Assert.True(expected.TryGetValue((i, ci[k]), out double want), $"({i}, {ci[k]}) is stored but not in the file");
                Assert.Equal(want, v[k]);
            }
        if (naive.Symmetry == "symmetric")
        {
            // the expansion makes A = Aᵀ
            var d = a.ToDense().ToArray2D();
            for (int i = 0; i < a.Rows; i += 7) for (int j = 0; j < a.Cols; j += 5) Assert.Equal(d[i, j], d[j, i]);
        }
    }

    [Fact]
    public void ProductWithFileMatrixMatchesProductOverRawTriplets()
    {
        // hangGlider_2: symmetric, indefinite; y = A·x from the tensor vs Σ over the raw (expanded) triplets.
        string path = TestPaths.Matrix("hangGlider_2.mtx");
        var naive = NaiveMatrixMarket.Parse(path);
        var a = MatrixMarket.Read<double>(path);
        var x = Tensor<double>.Random([a.Cols], 7);
        var xa = x.ToArray();
        var want = new double[a.Rows];
        foreach (var (i, j, val) in naive.Entries) want[i] += val * xa[j];
        var y = (a * x).ToArray();
        double scale = want.Max(Math.Abs);
        for (int i = 0; i < y.Length; i++) Assert.True(Math.Abs(y[i] - want[i]) <= 1e-12 * scale, $"row {i}: {y[i]} vs {want[i]}");
    }

    [Fact]
    public void ExplicitNaNIsReadAndSecondHeaderLineIsAComment()
    {
        var a = MatrixMarket.Read<double>(TestPaths.Matrix("comments_west0067.mtx"));
        Assert.Equal([67, 67], a.Shape);
        Assert.True(double.IsNaN(a.ToDense()[0, 0]));
        Assert.False(a.ToDense().IsFinite());
    }

    [Fact]
    public void FloatReadParsesEachValueDirectlyInSinglePrecision()
    {
        string path = TestPaths.Matrix("494_bus.mtx");
        var a = MatrixMarket.Read<float>(path);
        var naive = NaiveMatrixMarket.Parse(path);
        // parse the file's text once more as float, independently
        var lines = File.ReadAllLines(path).Where(l => !l.StartsWith('%') && l.Trim().Length > 0).Skip(1);
        var d = a.ToDense().ToArray2D();
        foreach (var l in lines)
        {
            var t = l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            int i = int.Parse(t[0], CultureInfo.InvariantCulture) - 1, j = int.Parse(t[1], CultureInfo.InvariantCulture) - 1;
            float v = float.Parse(t[2], CultureInfo.InvariantCulture);
            Assert.Equal(v, d[i, j]);
            Assert.Equal(v, d[j, i]);
        }
        Assert.Equal(NaiveMatrixMarket.Summed(naive).Count, a.Nnz);
    }

    [Fact]
    public void PatternFileHasValueOne()
    {
        var a = MatrixMarket.Read<double>(TestPaths.Matrix("can___24.mtx"));
        Assert.All(a.GetValues(), v => Assert.Equal(1.0, v));
        var d = a.ToDense().ToArray2D();
        for (int i = 0; i < 24; i++) for (int j = 0; j < 24; j++) Assert.Equal(d[i, j], d[j, i]);
    }

    [Fact]
    public void LenientSpellingsAreAccepted()
    {
        // banner in mixed case, tabs and runs of blanks, CRLF, comments and blank lines between entries,
        // Fortran D exponents, spelled infinities, integer field converted
        string text = "%%matrixmarket MATRIX Coordinate Real General\r\n% c\r\n\r\n 3\t3   4 \r\n1 1   1.5D+01\r\n% mid\r\n\r\n2\t3 -inf\r\n3 2 +Infinity\r\n3 3 -2.5e-3";
        var a = MatrixMarket.Read<double>(new StringReader(text));
        var d = a.ToDense().ToArray2D();
        Assert.Equal(15.0, d[0, 0]);
        Assert.Equal(double.NegativeInfinity, d[1, 2]);
        Assert.Equal(double.PositiveInfinity, d[2, 1]);
        Assert.Equal(-2.5e-3, d[2, 2]);

        var bom = MatrixMarket.Read<double>(new StringReader("\uFEFF%%MatrixMarket matrix coordinate real general\n1 1 1\n1 1 2\n"));
        Assert.Equal(2.0, bom.ToDense()[0, 0]);

        var i = MatrixMarket.Read<double>(new StringReader("%%MatrixMarket matrix coordinate integer general\n2 2 2\n1 2 -7\n2 1 9007199254740993\n"));
        Assert.Equal(-7.0, i.ToDense()[0, 1]);
        Assert.Equal(9007199254740992.0, i.ToDense()[1, 0]); // 2^53 + 1 rounds to nearest even
    }

    [Fact]
    public void SkewSymmetricAndHermitianRealFilesAreExpanded()
    {
        var s = MatrixMarket.Read<double>(new StringReader("%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 2\n2 1 5\n3 2 -1.25\n"));
        Assert.Equal(new double[,] { { 0, -5, 0 }, { 5, 0, 1.25 }, { 0, -1.25, 0 } }, s.ToDense().ToArray2D());
        var h = MatrixMarket.Read<double>(new StringReader("%%MatrixMarket matrix coordinate real hermitian\n2 2 2\n1 1 3\n2 1 4\n"));
        Assert.Equal(new double[,] { { 3, 4 }, { 4, 0 } }, h.ToDense().ToArray2D());
    }

    [Fact]
    public void DuplicateEntriesAreSummed()
    {
        var a = MatrixMarket.Read<double>(new StringReader("%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 1\n1 1 2.5\n2 2 4\n"));
        Assert.Equal(2, a.Nnz);
        Assert.Equal(3, a.InputEntries);
        Assert.Equal(new double[,] { { 3.5, 0 }, { 0, 4 } }, a.ToDense().ToArray2D());
    }

    [Fact]
    public void ArrayFilesReadColumnMajorIntoSparseAndDense()
    {
        // general 3×2, column-major: column 0 = (1, 0, 3), column 1 = (4, 5, 0)
        string general = "%%MatrixMarket matrix array real general\n% a comment\n3 2\n1\n0\n3\n4\n5\n0\n";
        var want = new double[,] { { 1, 4 }, { 0, 5 }, { 3, 0 } };
        Assert.Equal(want, MatrixMarket.ReadDense<double>(new StringReader(general)).ToArray2D());
        var sp = MatrixMarket.Read<double>(new StringReader(general));
        Assert.Equal(4, sp.Nnz); // zeros of an array file are not stored
        Assert.Equal(want, sp.ToDense().ToArray2D());

        // symmetric array: lower triangle column by column: (0,0) (1,0) (2,0) (1,1) (2,1) (2,2)
        string sym = "%%MatrixMarket matrix array real symmetric\n3 3\n1\n2\n3\n4\n5\n6\n";
        Assert.Equal(new double[,] { { 1, 2, 3 }, { 2, 4, 5 }, { 3, 5, 6 } }, MatrixMarket.ReadDense<double>(new StringReader(sym)).ToArray2D());
        string skew = "%%MatrixMarket matrix array real skew-symmetric\n3 3\n1\n2\n3\n";
        Assert.Equal(new double[,] { { 0, -1, -2 }, { 1, 0, -3 }, { 2, 3, 0 } }, MatrixMarket.ReadDense<double>(new StringReader(skew)).ToArray2D());
        Assert.Equal(new double[,] { { 0, -1, -2 }, { 1, 0, -3 }, { 2, 3, 0 } }, MatrixMarket.Read<double>(new StringReader(skew)).ToDense().ToArray2D());
    }

    [Fact]
    public void SingleColumnReadsAsVector()
    {
        var v = MatrixMarket.ReadDense<double>(new StringReader("%%MatrixMarket matrix array real general\n3 1\n1.5\n-2\n0.25\n"));
        Assert.Equal([3], v.Shape);
        Assert.Equal(new[] { 1.5, -2, 0.25 }, v.ToArray());
        var c = MatrixMarket.ReadDense<double>(new StringReader("%%MatrixMarket matrix coordinate real general\n4 1 2\n4 1 7\n2 1 -1\n"));
        Assert.Equal(new[] { 0, -1.0, 0, 7 }, c.ToArray());
    }

    [Fact]
    public void CoordinateFileReadsDenseEqualToSparseToDense()
    {
        string path = TestPaths.Matrix("west0067_jumbled.mtx");
        Assert.Equal(MatrixMarket.Read<double>(path).ToDense().ToArray(), MatrixMarket.ReadDense<double>(path).ToArray());
    }

    [Fact]
    public void LargeTridiagonalParsesCorrectly()
    {
        // 100,000 rows, ~300,000 entries: a moderate size that exercises buffer refills and list growth.
        const int n = 100_000;
        var sb = new System.Text.StringBuilder(8 * 1024 * 1024);
        sb.Append("%%MatrixMarket matrix coordinate real symmetric\n").Append(n).Append(' ').Append(n).Append(' ').Append(2 * n - 1).Append('\n');
        for (int i = 1; i <= n; i++)
        {
            sb.Append(i).Append(' ').Append(i).Append(" 2\n");
            if (i < n) sb.Append(i + 1).Append(' ').Append(i).Append(" -1\n");
        }
        var a = MatrixMarket.Read<double>(new StringReader(sb.ToString()));
        Assert.Equal(3 * n - 2, a.Nnz);
        // A·1 = (1, 0, ..., 0, 1) for the 1-D Laplacian
        var y = (a * Tensor<double>.Ones([n])).ToArray();
        Assert.Equal(1.0, y[0]); Assert.Equal(1.0, y[^1]);
        Assert.All(y[1..^1], v => Assert.Equal(0.0, v));
    }
}
