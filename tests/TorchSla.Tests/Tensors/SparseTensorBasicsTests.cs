using TorchSla;
using Xunit;

namespace TorchSla.Tests.Tensors;

public class SparseTensorBasicsTests
{
    [Fact]
    public void CooWithDuplicatesAndAnyOrderSumsAndMapsEntries()
    {
        // entries: (1,0)=2, (0,1)=3, (1,0)=5 (dup), (0,0)=1
        double[] v = [2, 3, 5, 1];
        int[] r = [1, 0, 1, 0];
        int[] c = [0, 1, 0, 0];
        var a = new SparseTensor<double>(v, r, c, [2, 2]);
        Assert.Equal(3, a.Nnz);
        Assert.Equal(new[] { 0, 2, 3 }, a.RowPointers);
        Assert.Equal(new[] { 0, 1, 0 }, a.ColumnIndices);
        Assert.Equal(new[] { 1.0, 3.0, 7.0 }, a.GetValues());
        // per-slot quantity mapped back: entries 0 and 2 share slot 2
        var back = a.SlotsToEntries([10.0, 20.0, 30.0]);
        Assert.Equal(new[] { 30.0, 20.0, 30.0, 10.0 }, back);
        Assert.Equal(new double[,] { { 1, 3 }, { 7, 0 } }, a.ToDense().ToArray2D());
    }

    [Theory]
    [InlineData(7, 5, 0.3, 1)]
    [InlineData(40, 40, 0.1, 2)]
    [InlineData(1, 9, 0.5, 3)]
    public void SpMVAndSpMMMatchDense(int m, int n, double density, int seed)
    {
        var rng = new Random(seed);
        var dense = new double[m, n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) if (rng.NextDouble() < density) dense[i, j] = rng.NextDouble() - 0.5;
        var a = SparseTensor.FromDense(dense);
        var x = Tensor<double>.Random([n], seed);
        var y = (a * x).ToArray();
        var xa = x.ToArray();
        for (int i = 0; i < m; i++)
        {
            double s = 0; for (int j = 0; j < n; j++) s += dense[i, j] * xa[j];
            Assert.Equal(s, y[i], 1e-13);
        }
        var X = Tensor<double>.Random([n, 3], seed + 1);
        var Y = (a * X).ToArray2D();
        var Xa = X.ToArray2D();
        for (int i = 0; i < m; i++) for (int q = 0; q < 3; q++)
        {
            double s = 0; for (int j = 0; j < n; j++) s += dense[i, j] * Xa[j, q];
            Assert.Equal(s, Y[i, q], 1e-13);
        }
    }

    [Fact]
    public void OutOfRangeIndexNamesTheEntry()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SparseTensor<double>([1.0, 2.0], [0, 5], [0, 1], [3, 3]));
        Assert.Contains("entry 1", e.Message);
    }
}
