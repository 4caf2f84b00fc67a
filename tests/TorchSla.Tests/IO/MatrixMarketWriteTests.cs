using CsCheck;
using TorchSla.IO;
using Xunit;

namespace TorchSla.Tests.IO;

public class MatrixMarketWriteTests
{
    /// <summary>Random sparse matrices as (rows, cols, distinct COO triplets) with any double values, NaN and ±∞ included.</summary>
    private static readonly Gen<(int M, int N, (int I, int J, double V)[] E)> GenMatrix =
        from m in Gen.Int[1, 25]
        from n in Gen.Int[1, 25]
        from e in Gen.Select(Gen.Int[0, m - 1], Gen.Int[0, n - 1], Gen.Double).Array[0, 60]
        select (m, n, e.DistinctBy(t => (t.Item1, t.Item2)).ToArray());

    private static SparseTensor<double> Build(int m, int n, (int I, int J, double V)[] e) =>
        SparseTensor.FromCoo<double>(e.Select(t => t.V).ToArray(), e.Select(t => t.I).ToArray(), e.Select(t => t.J).ToArray(), [m, n], allowNonFinite: true);

    private static SparseTensor<double> RoundTrip(SparseTensor<double> a, MatrixMarketSymmetry s = MatrixMarketSymmetry.General)
    {
        var sw = new StringWriter();
        MatrixMarket.Write(sw, a, s);
        return MatrixMarket.Read<double>(new StringReader(sw.ToString()));
    }

    [Fact]
    public void GeneralRoundTripIsBitExact()
    {
        GenMatrix.Sample(t =>
        {
            var a = Build(t.M, t.N, t.E);
            var b = RoundTrip(a);
            Assert.Equal(a.Shape, b.Shape);
            Assert.Equal(a.RowPointers, b.RowPointers);
            Assert.Equal(a.ColumnIndices, b.ColumnIndices);
            // double.Equals: bit-equal for numbers, and NaN equals NaN
            Assert.Equal(a.GetValues(), b.GetValues());
        }, iter: 200);
    }

    [Fact]
    public void SymmetricAndSkewRoundTripsWriteOneTriangle()
    {
        Gen.Select(Gen.Int[1, 20], Gen.Int[0, 1000]).Sample((n, seed) =>
        {
            var rng = new Random(seed);
            var b = new double[n, n];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) if (rng.NextDouble() < 0.3) b[i, j] = rng.NextDouble() * 2 - 1;
            var sym = new double[n, n]; var skew = new double[n, n];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) { sym[i, j] = b[i, j] + b[j, i]; skew[i, j] = b[i, j] - b[j, i]; }
            foreach (var (dense, s) in new[] { (sym, MatrixMarketSymmetry.Symmetric), (skew, MatrixMarketSymmetry.SkewSymmetric) })
            {
                var a = SparseTensor.FromDense(dense);
                var text = new StringWriter();
                MatrixMarket.Write(text, a, s);
                var h = MatrixMarket.ReadHeader(new StringReader(text.ToString()));
                Assert.Equal(s, h.Symmetry);
                int lower = 0;
                for (int i = 0; i < n; i++) for (int j = 0; j < (s == MatrixMarketSymmetry.Symmetric ? i + 1 : i); j++) if (dense[i, j] != 0) lower++;
                Assert.Equal(lower, h.Entries);
                Assert.Equal(dense, MatrixMarket.Read<double>(new StringReader(text.ToString())).ToDense().ToArray2D());
            }
        }, iter: 50);
    }

    [Fact]
    public void FloatValuesRoundTripExactly()
    {
        var rng = new Random(3);
        var v = Enumerable.Range(0, 50).Select(_ => (float)(rng.NextDouble() * Math.Pow(10, rng.Next(-30, 30)))).ToArray();
        var a = SparseTensor.FromCoo<float>(v, Enumerable.Range(0, 50).ToArray(), Enumerable.Range(0, 50).Select(k => (k * 7) % 50).ToArray(), [50, 50]);
        var sw = new StringWriter();
        MatrixMarket.Write(sw, a);
        Assert.Equal(a.GetValues(), MatrixMarket.Read<float>(new StringReader(sw.ToString())).GetValues());
    }

    [Fact]
    public void FileRoundTripOfRealMatrixWithCommentAndSymmetry()
    {
        var a = MatrixMarket.Read<double>(TestPaths.Matrix("494_bus.mtx"));
        string path = Path.Combine(Path.GetTempPath(), $"torchsla-{Guid.NewGuid():N}.mtx");
        try
        {
            MatrixMarket.Write(path, a, MatrixMarketSymmetry.Symmetric, "494_bus\nwritten by a test");
            var lines = File.ReadAllLines(path);
            Assert.Equal("%%MatrixMarket matrix coordinate real symmetric", lines[0]);
            Assert.Equal("% 494_bus", lines[1]);
            Assert.Equal("% written by a test", lines[2]);
            // the original file's declared entry count is its lower triangle
            Assert.Equal(MatrixMarket.ReadHeader(TestPaths.Matrix("494_bus.mtx")).Entries, MatrixMarket.ReadHeader(path).Entries);
            var b = MatrixMarket.Read<double>(path);
            Assert.Equal(a.ToDense().ToArray(), b.ToDense().ToArray());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void NonSymmetricMatrixIsRefusedAndNoFileIsCreated()
    {
        var a = SparseTensor.FromDense(new double[,] { { 1, 2 }, { 2.5, 1 } });
        string path = Path.Combine(Path.GetTempPath(), $"torchsla-{Guid.NewGuid():N}.mtx");
        var e = Assert.Throws<ArgumentException>(() => MatrixMarket.Write(path, a, MatrixMarketSymmetry.Symmetric));
        Assert.Contains("not symmetric", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        // a symmetric matrix is not skew-symmetric, and a missing mirror must be zero
        Assert.Throws<ArgumentException>(() => MatrixMarket.Write(new StringWriter(), SparseTensor.FromDense(new double[,] { { 0, 1 }, { 1, 0 } }), MatrixMarketSymmetry.SkewSymmetric));
        Assert.Throws<ArgumentException>(() => MatrixMarket.Write(new StringWriter(), SparseTensor.FromDense(new double[,] { { 0, 1 }, { 0, 0 } }), MatrixMarketSymmetry.Symmetric));
        Assert.Throws<ArgumentException>(() => MatrixMarket.Write(new StringWriter(), SparseTensor.FromDense(new double[,] { { 1, 0 }, { 0, 1 } }), MatrixMarketSymmetry.SkewSymmetric));
    }

    [Fact]
    public void BatchedTensorIsRefused()
    {
        var a = SparseTensor.FromCoo<double>([1, 2, 3, 4], [0, 1], [0, 1], [2, 2, 2]);
        var e = Assert.Throws<ArgumentException>(() => MatrixMarket.Write(new StringWriter(), a));
        Assert.Contains("batch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DenseArrayRoundTripIsBitExact()
    {
        Gen.Select(Gen.Int[1, 12], Gen.Int[1, 12], Gen.Double.Array[144]).Sample((m, n, data) =>
        {
            var t = Tensor<double>.FromSpan(data.AsSpan(0, m * n), [m, n]);
            var sw = new StringWriter();
            MatrixMarket.WriteDense(sw, t);
            var back = MatrixMarket.ReadDense<double>(new StringReader(sw.ToString()));
            Assert.Equal(n == 1 ? [m] : [m, n], back.Shape);
            Assert.Equal(t.ToArray(), back.ToArray());
        }, iter: 100);

        // a vector is written as M×1 and read back as a vector
        var v = Tensor<double>.FromArray([1.0 / 3, -0.0, 1e300]);
        var text = new StringWriter();
        MatrixMarket.WriteDense(text, v);
        Assert.StartsWith("%%MatrixMarket matrix array real general\n3 1\n", text.ToString(), StringComparison.Ordinal);
        var r = MatrixMarket.ReadDense<double>(new StringReader(text.ToString()));
        Assert.Equal([3], r.Shape);
        Assert.Equal(v.ToArray(), r.ToArray());
        Assert.True(double.IsNegative(r.ToArray()[1])); // -0 keeps its sign
        Assert.Throws<ShapeMismatchException>(() => MatrixMarket.WriteDense(new StringWriter(), Tensor<double>.Zeros([2, 2, 2])));
    }
}
