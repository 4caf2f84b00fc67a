using MathNet.Numerics.LinearAlgebra;
using TorchSla;
using Xunit;

namespace TorchSla.Tests.Tensors;

public class SparseReductionTests
{
    /// <summary>Stored values of matrix b in CSR order, read back through the dense matrix (independent of the reduction code).</summary>
    private static List<double> Stored(SparseTensor<double> a, double[,] dense)
    {
        var rp = a.RowPointers; var ci = a.ColumnIndices;
        var r = new List<double>();
        for (int i = 0; i < a.Rows; i++) for (int k = rp[i]; k < rp[i + 1]; k++) r.Add(dense[i, ci[k]]);
        return r;
    }

    [Fact]
    public void ReductionsRunOverStoredValuesPerMatrix()
    {
        var rng = new Random(3);
        var a = DenseReference.Batch(6, 5, 7, 0.4, rng);
        var sa = DenseReference.ToSparse(a, [2, 3], rng);
        var sum = sa.Sum(); var mean = sa.Mean(); var prod = sa.Prod(); var max = sa.Max(); var min = sa.Min();
        Assert.Equal(new[] { 2, 3 }, sum.Shape);
        for (int b = 0; b < 6; b++)
        {
            var v = Stored(sa, a[b]);
            Assert.Equal(v.Sum(), sum.ToArray()[b], 12);
            Assert.Equal(v.Sum() / sa.Nnz, mean.ToArray()[b], 12);
            Assert.Equal(v.Aggregate(1.0, (x, y) => x * y), prod.ToArray()[b], 12);
            Assert.Equal(v.Max(), max.ToArray()[b]);
            Assert.Equal(v.Min(), min.ToArray()[b]);
            Assert.Equal(v.Sum(), sa.Sum(b), 12);
        }
    }

    [Fact]
    public void ImplicitZerosDoNotCount()
    {
        // Stored values all negative: torch-sla's max is the largest stored value, not the implicit 0.
        var a = SparseTensor.FromDense(new double[,] { { -1, 0, 0 }, { 0, -4, 0 }, { 0, 0, -2 } });
        Assert.Equal(-1.0, a.Max(0));
        Assert.Equal(-7.0 / 3, a.Mean(0), 14);
        Assert.Equal(-8.0, a.Prod(0));
        Assert.Equal(0, a.Sum().Rank); // one matrix: a rank-0 tensor
        Assert.Equal(-7.0, a.Sum().ToArray()[0]);
    }

    [Fact]
    public void EmptyMatrixReductions()
    {
        var a = new SparseTensor<double>([], [], [], [2, 2]);
        Assert.Equal(0.0, a.Sum(0));
        Assert.Equal(1.0, a.Prod(0));
        Assert.True(double.IsNaN(a.Mean(0)));
        Assert.Throws<InvalidOperationException>(() => a.Max());
        Assert.Equal(0.0, a.Norm(MatrixNorm.Two, 0));
    }

    [Theory]
    [InlineData(6, 6, 1)]
    [InlineData(4, 9, 2)]
    [InlineData(11, 3, 3)]
    public void NormsMatchMathNet(int m, int n, int seed)
    {
        var rng = new Random(seed);
        var a = DenseReference.Batch(2, m, n, 0.5, rng);
        var sa = DenseReference.ToSparse(a, [2], rng);
        var fro = sa.Norm(); var one = sa.Norm("1"); var inf = sa.Norm(MatrixNorm.Infinity); var two = sa.Norm("2");
        for (int b = 0; b < 2; b++)
        {
            var d = Matrix<double>.Build.DenseOfArray(a[b]);
            Assert.Equal(d.FrobeniusNorm(), fro.ToArray()[b], 12);
            Assert.Equal(d.L1Norm(), one.ToArray()[b], 12);
            Assert.Equal(d.InfinityNorm(), inf.ToArray()[b], 12);
            Assert.Equal(d.Svd(false).S[0], two.ToArray()[b], 7);
        }
    }

    [Fact]
    public void FrobeniusNormSurvivesOverflowingSquares()
    {
        var a = SparseTensor.FromDense(new double[,] { { 3e200, 0 }, { 0, 4e200 } });
        Assert.Equal(5e200, a.Norm(MatrixNorm.Frobenius, 0), 1e188);
    }

    [Fact]
    public void SpectralNormReportsNonConvergence()
    {
        var p = SparseTensor.Poisson2D<double>(8);
        var e = Assert.Throws<NotConvergedException>(() => p.Norm(MatrixNorm.Two, 0, tolerance: 1e-14, maxIterations: 3));
        Assert.Equal(3, e.Iterations);
        Assert.True(e.Residual > 0);
        Assert.Contains("power iteration", e.Message);
        // A fine-grid Laplacian has clustered top singular values: the extrapolated error stays large,
        // so the cap is reported instead of returning an estimate that stopped short of σ₁.
        var fine = SparseTensor.Poisson2D<double>(60);
        Assert.Throws<NotConvergedException>(() => fine.Norm(MatrixNorm.Two, 0, maxIterations: 200));
    }

    [Fact]
    public void SpectralNormOfALaplacianMatchesTheClosedForm()
    {
        // Poisson2D(n) is symmetric with eigenvalues 4 − 2cos(iπ/(n+1)) − 2cos(jπ/(n+1)): σ₁ = 4 + 4cos(π/(n+1)).
        int n = 20;
        double sigma = 4 + 4 * Math.Cos(Math.PI / (n + 1));
        Assert.Equal(sigma, SparseTensor.Poisson2D<double>(n).Norm(MatrixNorm.Two, 0), 8);
    }

    [Fact]
    public void NormNamesParseAsInTorchSla()
    {
        Assert.Equal(MatrixNorm.Frobenius, MatrixNorms.Parse("fro"));
        Assert.Equal(MatrixNorm.One, MatrixNorms.Parse("1"));
        Assert.Equal(MatrixNorm.Two, MatrixNorms.Parse("2"));
        Assert.Equal(MatrixNorm.Infinity, MatrixNorms.Parse("inf"));
        Assert.Contains("'nuc'", Assert.Throws<ArgumentException>(() => MatrixNorms.Parse("nuc")).Message);
    }
}
