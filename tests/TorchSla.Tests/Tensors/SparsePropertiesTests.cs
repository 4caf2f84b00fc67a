using MathNet.Numerics.LinearAlgebra;
using TorchSla;
using Xunit;

namespace TorchSla.Tests.Tensors;

public class SparsePropertiesTests
{
    private static double MinEig(double[,] a) => Matrix<double>.Build.DenseOfArray(a).Evd(Symmetricity.Symmetric).EigenValues.Min(z => z.Real);

    [Fact]
    public void DiagonalOfBatchedAndRectangular()
    {
        var rng = new Random(2);
        var a = DenseReference.Batch(6, 4, 7, 0.5, rng);
        var sa = DenseReference.ToSparse(a, [3, 2], rng);
        var d = sa.Diagonal();
        Assert.Equal(new[] { 3, 2, 4 }, d.Shape);
        var flat = d.ToArray();
        for (int b = 0; b < 6; b++) for (int i = 0; i < 4; i++) Assert.Equal(a[b][i, i], flat[b * 4 + i]);
    }

    [Fact]
    public void SymmetryIsTestedOnValuesWithATolerance()
    {
        var rng = new Random(4);
        var s = DenseReference.RandomSymmetric(12, 0.3, rng);
        var ss = DenseReference.ToSparse(s, rng);
        Assert.True(ss.IsSymmetric());
        Assert.True(ss.IsSymmetric(0)); // exact
        Assert.True(ss.IsHermitian());
        var t = (double[,])s.Clone();
        t[3, 5] += 1e-9;
        var st = DenseReference.ToSparse(t, rng);
        Assert.False(st.IsSymmetric());            // 1e-9 ≫ 1e-12·max|a|
        Assert.True(st.IsSymmetric(1e-6));
        Assert.False(st.IsSymmetric(0));
        Assert.False(SparseTensor.FromDense(new double[,] { { 1, 2, 3 }, { 2, 1, 3 } }).IsSymmetric());
        Assert.False(SparseTensor.FromDense(new double[,] { { 1, 2 }, { 0, 1 } }).IsSymmetric());
    }

    [Fact]
    public void ExplicitZerosDoNotBreakSymmetry()
    {
        // (0,1) stores an explicit 0, (1,0) is not stored: numerically symmetric.
        var a = new SparseTensor<double>([1.0, 0.0, 2.0], [0, 0, 1], [0, 1, 1], [2, 2]);
        Assert.True(a.IsSymmetric(0));
        Assert.Equal(MatrixType.SymmetricPositiveDefinite, a.DetectMatrixType());
    }

    [Fact]
    public void SymmetryPerMatrixOfABatch()
    {
        double[] v = [1, 2, 2, 1, /**/ 1, 2, 3, 1];
        var a = new SparseTensor<double>(v, [0, 0, 1, 1], [0, 1, 0, 1], [2, 2, 2]);
        Assert.True(a.IsSymmetric(batchIndex: 0));
        Assert.False(a.IsSymmetric(batchIndex: 1));
        Assert.False(a.IsSymmetric());
        Assert.Throws<ArgumentOutOfRangeException>(() => a.IsSymmetric(batchIndex: 2));
    }

    [Fact]
    public void PoissonMatricesArePositiveDefinite()
    {
        var p2 = SparseTensor.Poisson2D<double>(12);
        var r = p2.CheckPositiveDefinite();
        Assert.True(r.IsPositiveDefinite);
        Assert.Equal(DefinitenessMethod.Cholesky, r.Method);
        Assert.True(r.Certain);
        Assert.Equal(MatrixType.SymmetricPositiveDefinite, p2.DetectMatrixType());
        Assert.Equal("spd", p2.DetectMatrixType().ToTorchSlaString());
        Assert.True(SparseTensor.Poisson3D<float>(5).IsPositiveDefinite());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void DefinitenessAgreesWithDenseEigenvalues(int seed)
    {
        var rng = new Random(seed);
        var spd = DenseReference.RandomSpd(25, 0.15, 0.1, rng);
        Assert.True(MinEig(spd) > 0);
        Assert.True(DenseReference.ToSparse(spd, rng).IsPositiveDefinite());
        var ind = DenseReference.RandomSymmetric(25, 0.15, rng);
        Assert.True(MinEig(ind) < 0);
        var si = DenseReference.ToSparse(ind, rng);
        Assert.False(si.IsPositiveDefinite());
        Assert.Equal(MatrixType.Symmetric, si.DetectMatrixType());
        Assert.Equal("symmetric", si.DetectMatrixType().ToTorchSlaString());
    }

    [Fact]
    public void ShiftedLaplacianWithOneNegativeEigenvalueIsNotPositiveDefinite()
    {
        // Poisson2D(n) has λ_min = 4 − 4cos(π/(n+1)); shift just past it: exactly one negative eigenvalue,
        // while the diagonal stays large and positive (a diagonal guess would say "definite").
        int n = 10;
        double lmin = 4 - 4 * Math.Cos(Math.PI / (n + 1));
        var p = SparseTensor.Poisson2D<double>(n);
        var eye = SparseTensor.FromCoo(Enumerable.Repeat(1.0, n * n).ToArray(), Enumerable.Range(0, n * n).ToArray(), Enumerable.Range(0, n * n).ToArray(), [n * n, n * n]);
        var shifted = p - eye * (lmin * 1.01);
        Assert.True(MinEig(DenseReference.ToArray(shifted)) < 0);
        var r = shifted.CheckPositiveDefinite();
        Assert.False(r.IsPositiveDefinite);
        Assert.Equal(DefinitenessMethod.Cholesky, r.Method);
        Assert.True(r.Certain);
        Assert.True((p - eye * (lmin * 0.99)).IsPositiveDefinite());
    }

    [Fact]
    public void LanczosDecidesWhenTheFactorWouldExceedTheBudget()
    {
        int n = 10;
        double lmin = 4 - 4 * Math.Cos(Math.PI / (n + 1));
        var p = SparseTensor.Poisson2D<double>(n);
        var eye = SparseTensor.FromCoo(Enumerable.Repeat(1.0, n * n).ToArray(), Enumerable.Range(0, n * n).ToArray(), Enumerable.Range(0, n * n).ToArray(), [n * n, n * n]);
        var yes = p.CheckPositiveDefinite(maxFactorEntries: 10);
        Assert.True(yes.IsPositiveDefinite);
        Assert.Equal(DefinitenessMethod.Lanczos, yes.Method);
        Assert.False(yes.Certain);
        var no = (p - eye * (lmin * 1.5)).CheckPositiveDefinite(maxFactorEntries: 10);
        Assert.False(no.IsPositiveDefinite);
        Assert.Equal(DefinitenessMethod.Lanczos, no.Method);
        Assert.True(no.Certain);
    }

    [Fact]
    public void NonSymmetricAndNonSquareAreNotPositiveDefinite()
    {
        var a = SparseTensor.FromDense(new double[,] { { 2, 1 }, { 0, 2 } });
        var r = a.CheckPositiveDefinite();
        Assert.False(r.IsPositiveDefinite);
        Assert.Equal(DefinitenessMethod.NotSymmetric, r.Method);
        Assert.Equal(MatrixType.General, a.DetectMatrixType());
        Assert.Equal("general", a.DetectMatrixType().ToTorchSlaString());
        var rect = SparseTensor.FromDense(new double[,] { { 1, 0, 0 }, { 0, 1, 0 } });
        Assert.Equal(DefinitenessMethod.NotSquare, rect.CheckPositiveDefinite().Method);
        Assert.Equal(MatrixType.General, rect.DetectMatrixType());
    }

    [Fact]
    public void BatchedDefinitenessPerMatrix()
    {
        // [[2,1],[1,2]] is SPD; [[1,2],[2,1]] has eigenvalue −1.
        double[] v = [2, 1, 1, 2, /**/ 1, 2, 2, 1];
        var a = new SparseTensor<double>(v, [0, 0, 1, 1], [0, 1, 0, 1], [2, 2, 2]);
        Assert.True(a.IsPositiveDefinite(batchIndex: 0));
        Assert.False(a.IsPositiveDefinite(batchIndex: 1));
        Assert.False(a.IsPositiveDefinite());
        Assert.Equal(MatrixType.SymmetricPositiveDefinite, a.DetectMatrixType(0));
        Assert.Equal(MatrixType.Symmetric, a.DetectMatrixType());
    }

    [Fact]
    public void SemidefiniteIsNotDefinite()
    {
        // The 1-D Neumann Laplacian is singular: λ_min = 0.
        var a = SparseTensor.FromDense(new double[,] { { 1, -1, 0 }, { -1, 2, -1 }, { 0, -1, 1 } });
        Assert.False(a.IsPositiveDefinite());
    }

    [Fact]
    public void MatrixTypeLabelsRoundTrip()
    {
        foreach (var t in Enum.GetValues<MatrixType>()) Assert.Equal(t, MatrixTypes.ParseTorchSla(t.ToTorchSlaString()));
        Assert.Throws<ArgumentException>(() => MatrixTypes.ParseTorchSla("hpd"));
    }
}
