using TorchSla;
using Xunit;

namespace TorchSla.Tests.Tensors;

public class SpGemmTests
{
    [Theory]
    [InlineData(6, 4, 9, 0.3, 1)]
    [InlineData(12, 12, 12, 0.2, 2)]
    [InlineData(1, 7, 3, 0.6, 3)]
    [InlineData(8, 5, 1, 0.5, 4)]
    public void ProductMatchesDense(int m, int k, int n, double density, int seed)
    {
        var rng = new Random(seed);
        var a = DenseReference.Random(m, k, density, rng);
        var b = DenseReference.Random(k, n, density, rng);
        var c = DenseReference.ToSparse(a, rng) * DenseReference.ToSparse(b, rng);
        Assert.Equal(new[] { m, n }, c.Shape);
        DenseReference.AssertClose(DenseReference.Mul(a, b), DenseReference.ToArray(c));
    }

    [Fact]
    public void ProductPatternIsThePatternOfAllProducts()
    {
        // Structural nonzeros: c_ij stored iff some k has a_ik and b_kj stored, even if they cancel.
        var a = SparseTensor.FromDense(new double[,] { { 1, 1 }, { 0, 1 } });
        var b = SparseTensor.FromDense(new double[,] { { 1, 0 }, { -1, 2 } });
        var c = a * b;
        Assert.Equal(new[] { 0, 2, 4 }, c.RowPointers);
        Assert.Equal(new double[,] { { 0, 2 }, { -1, 2 } }, c.ToDense().ToArray2D());
    }

    [Fact]
    public void BatchedProductWithEqualBatchShapesAndBroadcast()
    {
        var rng = new Random(5);
        var a = DenseReference.Batch(6, 5, 4, 0.4, rng);
        var b = DenseReference.Batch(6, 4, 3, 0.4, rng);
        var sa = DenseReference.ToSparse(a, [2, 3], rng);
        var sb = DenseReference.ToSparse(b, [2, 3], rng);
        var c = sa * sb;
        Assert.Equal(new[] { 2, 3, 5, 3 }, c.Shape);
        DenseReference.AssertClose(a.Zip(b, DenseReference.Mul).ToArray(), c.ToDense());
        var single = DenseReference.Random(4, 3, 0.5, rng);
        var ss = DenseReference.ToSparse(single, rng);
        DenseReference.AssertClose(a.Select(x => DenseReference.Mul(x, single)).ToArray(), (sa * ss).ToDense());
        var left = DenseReference.Random(2, 5, 0.5, rng);
        DenseReference.AssertClose(a.Select(x => DenseReference.Mul(left, x)).ToArray(), (DenseReference.ToSparse(left, rng) * sa).ToDense());
    }

    [Fact]
    public void PoissonSquaredMatchesDenseAndReusesThePlan()
    {
        var p = SparseTensor.Poisson2D<double>(6);
        var d = DenseReference.ToArray(p);
        var p2 = p * p;
        DenseReference.AssertClose(DenseReference.Mul(d, d), DenseReference.ToArray(p2));
        var p3 = p * (p * 2.0); // same patterns: the cached plan is used with new values
        DenseReference.AssertClose(DenseReference.Add(DenseReference.Mul(d, d), d, 2, 0), DenseReference.ToArray(p3));
    }

    [Fact]
    public void EmptyOperandsGiveAnEmptyProduct()
    {
        var a = new SparseTensor<double>([], [], [], [3, 4]);
        var b = SparseTensor.FromDense(new double[,] { { 1 }, { 2 }, { 3 }, { 4 } });
        var c = a * b;
        Assert.Equal(new[] { 3, 1 }, c.Shape);
        Assert.Equal(0, c.Nnz);
    }
}
