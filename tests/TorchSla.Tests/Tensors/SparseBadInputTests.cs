using TorchSla;
using Xunit;

namespace TorchSla.Tests.Tensors;

public class SparseBadInputTests
{
    [Fact]
    public void NegativeAndOutOfRangeIndicesNameTheEntry()
    {
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => new SparseTensor<double>([1.0, 2.0], [0, -1], [0, 1], [3, 3]));
        Assert.Contains("entry 1", e1.Message);
        Assert.Contains("row index -1", e1.Message);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => new SparseTensor<double>([1.0, 2.0, 3.0], [0, 1, 2], [0, 1, 3], [3, 3]));
        Assert.Contains("entry 2", e2.Message);
        Assert.Contains("column index 3", e2.Message);
        var e3 = Assert.Throws<ArgumentOutOfRangeException>(() => SparseTensor.FromCoo<double>([1.0], [5L], [0L], [3, 3]));
        Assert.Contains("entry 0", e3.Message);
    }

    [Fact]
    public void MismatchedLengthsAreShapeErrors()
    {
        var e1 = Assert.Throws<ShapeMismatchException>(() => new SparseTensor<double>([1.0, 2.0], [0, 1], [0], [3, 3]));
        Assert.Contains("row has 2", e1.Message);
        var e2 = Assert.Throws<ShapeMismatchException>(() => new SparseTensor<double>([1.0], [0, 1], [0, 1], [3, 3]));
        Assert.Contains("values has 1", e2.Message);
        var e3 = Assert.Throws<ShapeMismatchException>(() => new SparseTensor<double>([1.0, 2.0, 3.0], [0, 1], [0, 1], [2, 3, 3]));
        Assert.Contains("[2]", e3.Message);
        Assert.Throws<ShapeMismatchException>(() => new SparseTensor<double>([1.0], [0], [0], [3]));
    }

    [Fact]
    public void NonFiniteValuesAreRejectedUnlessAllowed()
    {
        var e = Assert.Throws<NonFiniteValueException>(() => new SparseTensor<double>([1.0, double.NaN], [0, 1], [0, 1], [2, 2]));
        Assert.Equal(1, e.Index);
        Assert.Contains("allowNonFinite", e.Message);
        Assert.Throws<NonFiniteValueException>(() => new SparseTensor<double>([double.PositiveInfinity], [0], [0], [2, 2]));
        Assert.Throws<NonFiniteValueException>(() => new SparseTensor<float>([float.NegativeInfinity], [0], [0], [2, 2]));
        var ok = new SparseTensor<double>([1.0, double.NaN], [0, 1], [0, 1], [2, 2], allowNonFinite: true);
        Assert.True(double.IsNaN(ok.GetValues()[1]));
        // NaN propagates: never silently symmetric, never definite.
        Assert.False(ok.IsSymmetric());
        Assert.False(ok.IsPositiveDefinite());
        Assert.True(double.IsNaN(ok.Max(0)));
    }

    [Fact]
    public void InputsAreNotModified()
    {
        double[] v = [3, 1, 2]; int[] r = [2, 0, 0]; int[] c = [1, 1, 1];
        var a = new SparseTensor<double>(v, r, c, [3, 3]);
        _ = a + a; _ = a * a.T(); _ = a.Abs();
        Assert.Equal(new double[] { 3, 1, 2 }, v);
        Assert.Equal(new[] { 2, 0, 0 }, r);
        Assert.Equal(new[] { 1, 1, 1 }, c);
    }

    private static SparseTensor<double> M(int[] shape) =>
        new(new double[shape[..^2].Aggregate(1, (x, y) => x * y)], [0], [0], shape);

    private static void AssertNamesShapes(ShapeMismatchException e, params int[][] shapes)
    {
        foreach (var s in shapes) Assert.Contains(ShapeMismatchException.Format(s), e.Message);
    }

    [Fact]
    public void SpMVShapeMismatch()
    {
        var a = M([3, 4]);
        var e = Assert.Throws<ShapeMismatchException>(() => a * Tensor<double>.Zeros([5]));
        AssertNamesShapes(e, [3, 4], [5]);
    }

    [Fact]
    public void SpMMShapeMismatch()
    {
        var a = M([3, 4]);
        var e = Assert.Throws<ShapeMismatchException>(() => a * Tensor<double>.Zeros([3, 2]));
        AssertNamesShapes(e, [3, 4], [3, 2]);
    }

    [Fact]
    public void BatchedSpMVShapeMismatch()
    {
        var a = M([2, 3, 4]);
        var e = Assert.Throws<ShapeMismatchException>(() => a * Tensor<double>.Zeros([3, 4]));
        AssertNamesShapes(e, [2, 3, 4], [3, 4]);
    }

    [Fact]
    public void SpGemmShapeMismatch()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => M([3, 4]) * M([3, 4]));
        AssertNamesShapes(e, [3, 4]);
        Assert.Contains("columns (4)", e.Message);
    }

    [Fact]
    public void BatchedSpGemmShapeMismatch()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => M([2, 3, 4]) * M([3, 4, 5]));
        AssertNamesShapes(e, [2, 3, 4], [3, 4, 5]);
    }

    [Fact]
    public void AddShapeMismatch()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => M([3, 4]) + M([4, 3]));
        AssertNamesShapes(e, [3, 4], [4, 3]);
    }

    [Fact]
    public void SubtractShapeMismatch()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => M([3, 4]) - M([3, 5]));
        AssertNamesShapes(e, [3, 4], [3, 5]);
    }

    [Fact]
    public void BatchedAddShapeMismatch()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => M([2, 3, 3]) + M([3, 3, 3]));
        AssertNamesShapes(e, [2, 3, 3], [3, 3, 3]);
        var e2 = Assert.Throws<ShapeMismatchException>(() => M([2, 3, 3, 3]) - M([3, 2, 3, 3]));
        AssertNamesShapes(e2, [2, 3, 3, 3], [3, 2, 3, 3]);
    }

    [Fact]
    public void BadBatchIndexIsNamed()
    {
        var a = M([2, 3, 3]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => a.Sum(2));
        Assert.Contains("batch index 2", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Norm(MatrixNorm.One, -1));
    }
}
