using TorchSla;
using Xunit;

namespace TorchSla.Tests.Tensors;

public class SparseAlgebraTests
{
    [Theory]
    [InlineData(5, 7, 1)]
    [InlineData(9, 9, 2)]
    [InlineData(1, 6, 3)]
    public void AddAndSubtractWithDifferentPatternsMatchDense(int m, int n, int seed)
    {
        var rng = new Random(seed);
        var a = DenseReference.Random(m, n, 0.3, rng);
        var b = DenseReference.Random(m, n, 0.3, rng);
        var sa = DenseReference.ToSparse(a, rng);
        var sb = DenseReference.ToSparse(b, rng);
        DenseReference.AssertClose(DenseReference.Add(a, b, 1, 1), DenseReference.ToArray(sa + sb));
        DenseReference.AssertClose(DenseReference.Add(a, b, 1, -1), DenseReference.ToArray(sa - sb));
        DenseReference.AssertClose(DenseReference.Add(a, b, 2.5, -0.5), DenseReference.ToArray(sa.Add(sb, 2.5, -0.5)));
        // The union pattern holds exactly the positions stored in either operand.
        var u = sa + sb;
        int expected = 0;
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) if (a[i, j] != 0 || b[i, j] != 0) expected++;
        Assert.Equal(expected, u.Nnz);
        // Inputs unchanged.
        DenseReference.AssertClose(a, DenseReference.ToArray(sa));
    }

    [Fact]
    public void BatchedAddMatchesDensePerMatrixAndBroadcastsAnUnbatchedOperand()
    {
        var rng = new Random(7);
        var a = DenseReference.Batch(6, 4, 5, 0.4, rng);
        var b = DenseReference.Batch(6, 4, 5, 0.4, rng);
        var sa = DenseReference.ToSparse(a, [2, 3], rng);
        var sb = DenseReference.ToSparse(b, [2, 3], rng);
        var sum = sa - sb;
        Assert.Equal(new[] { 2, 3, 4, 5 }, sum.Shape);
        DenseReference.AssertClose(a.Zip(b, (x, y) => DenseReference.Add(x, y, 1, -1)).ToArray(), sum.ToDense());
        var c = DenseReference.Random(4, 5, 0.4, rng);
        var sc = DenseReference.ToSparse(c, rng);
        DenseReference.AssertClose(a.Select(x => DenseReference.Add(x, c, 1, 1)).ToArray(), (sa + sc).ToDense());
        DenseReference.AssertClose(a.Select(x => DenseReference.Add(c, x, 1, 1)).ToArray(), (sc + sa).ToDense());
    }

    [Fact]
    public void ScaleNegateAndAbsKeepThePattern()
    {
        var rng = new Random(11);
        var a = DenseReference.Batch(2, 6, 4, 0.5, rng);
        var sa = DenseReference.ToSparse(a, [2], rng);
        DenseReference.AssertClose(a.Select(x => DenseReference.Add(x, x, 3, 0)).ToArray(), (sa * 3.0).ToDense());
        DenseReference.AssertClose(a.Select(x => DenseReference.Add(x, x, 3, 0)).ToArray(), (3.0 * sa).ToDense());
        DenseReference.AssertClose(a.Select(x => DenseReference.Add(x, x, -1, 0)).ToArray(), (-sa).ToDense());
        var abs = a.Select(x => { var r = (double[,])x.Clone(); for (int i = 0; i < 6; i++) for (int j = 0; j < 4; j++) r[i, j] = Math.Abs(r[i, j]); return r; }).ToArray();
        DenseReference.AssertClose(abs, sa.Abs().ToDense());
        Assert.Equal(sa.Nnz, sa.Abs().Nnz);
        Assert.Equal(sa.ColumnIndices, (sa * 2.0).ColumnIndices);
    }

    [Theory]
    [InlineData(3, 8, 5)]
    [InlineData(10, 10, 6)]
    public void TransposeMatchesDenseForBatchesAndRectangles(int m, int n, int seed)
    {
        var rng = new Random(seed);
        var a = DenseReference.Batch(6, m, n, 0.3, rng);
        var sa = DenseReference.ToSparse(a, [3, 2], rng);
        var t = sa.Transpose();
        Assert.Equal(new[] { 3, 2, n, m }, t.Shape);
        DenseReference.AssertClose(a.Select(DenseReference.Transpose).ToArray(), t.ToDense(), 0);
        DenseReference.AssertClose(a.Select(DenseReference.Transpose).ToArray(), sa.T().ToDense(), 0);
        DenseReference.AssertClose(a.Select(DenseReference.Transpose).ToArray(), sa.H().ToDense(), 0);
        // Transposing twice gives the matrix back exactly.
        DenseReference.AssertClose(a, t.T().ToDense(), 0);
    }

    [Fact]
    public void CancellingEntriesStayAsExplicitZeros()
    {
        var a = SparseTensor.FromDense(new double[,] { { 1, 2 }, { 0, 3 } });
        var d = a - a;
        Assert.Equal(a.Nnz, d.Nnz);
        Assert.All(d.GetValues(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Float32WorksToo()
    {
        var a = SparseTensor.FromDense(new float[,] { { 1, 0, 2 }, { 0, -3, 0 } });
        var b = SparseTensor.FromDense(new float[,] { { 0, 5, 1 }, { 4, 0, 0 } });
        Assert.Equal(new float[,] { { 1, 5, 3 }, { 4, -3, 0 } }, (a + b).ToDense().ToArray2D());
        Assert.Equal(new float[,] { { 1, 0 }, { 0, -3 }, { 2, 0 } }, a.T().ToDense().ToArray2D());
    }
}
