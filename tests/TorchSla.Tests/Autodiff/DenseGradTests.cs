using Xunit;

namespace TorchSla.Tests.Autodiff;

/// <summary>Every dense rule against central differences.</summary>
public class DenseGradTests
{
    private static readonly double[] X0 = GradCheck.Random(6, 1);
    private static readonly double[] Y0 = GradCheck.Random(6, 2);
    private static readonly double[] Pos = GradCheck.Random(6, 3, 0.5, 2.0);

    private static Tensor<double> T(double[] v, GradCheck.Leaves? l, params int[] shape)
    {
        var t = Tensor<double>.FromArray(v, shape);
        return l is null ? t : l.Leaf(t);
    }

    [Fact] public void AddSubtract() => GradCheck.Check((p, l) =>
    {
        var x = T(p[0], l); var y = T(p[1], l);
        return GradCheck.Weighted(x + y * 2.0 - x * x);
    }, [X0, Y0]);

    [Fact]
    public void ScalarShiftsAndNegation() => GradCheck.Check((p, l) =>
    {
        var x = T(p[0], l);
        return GradCheck.Weighted(-(1.5 - x) + (x - 0.25) * 3.0 + (2.0 + x));
    }, [X0]);

    [Fact] public void Multiply() => GradCheck.Check((p, l) => GradCheck.Weighted(T(p[0], l) * T(p[1], l)), [X0, Y0]);

    [Fact] public void Divide() => GradCheck.Check((p, l) =>
    {
        var x = T(p[0], l); var y = T(p[1], l);
        return GradCheck.Weighted(x / y + 2.0 / y + x / 4.0);
    }, [X0, Pos]);

    [Fact] public void PowExpLogSqrt() => GradCheck.Check((p, l) =>
    {
        var x = T(p[0], l);
        return GradCheck.Weighted(x.Pow(2.5) + x.Exp() + x.Log() * x.Sqrt() + x.Square());
    }, [Pos]);

    [Fact] public void Abs() => GradCheck.Check((p, l) => GradCheck.Weighted(T(p[0], l).Abs()), [X0]);

    [Fact] public void SumMeanDotNorm() => GradCheck.Check((p, l) =>
    {
        var x = T(p[0], l); var y = T(p[1], l);
        return TensorMath.Sum(x * y) * 0.5 + TensorMath.Mean(x) + TensorMath.Dot(x, y) * TensorMath.Norm(y);
    }, [X0, Y0]);

    [Fact] public void SliceSelectReshape() => GradCheck.Check((p, l) =>
    {
        var x = T(p[0], l, 2, 3);
        var s = x.Slice(1, 1, 2);                 // [2, 2]
        var r = x.Select(0, 1);                   // [3]
        return GradCheck.Weighted(s.Reshape(4)) + GradCheck.Weighted(r, 5) + GradCheck.Weighted(x.Clone().Reshape(3, 2), 7);
    }, [X0]);

    [Fact] public void Concat() => GradCheck.Check((p, l) =>
    {
        var x = T(p[0], l, 2, 3); var y = T(p[1], l, 2, 3);
        return GradCheck.Weighted(TensorMath.Concat(1, x, y, x)) + GradCheck.Weighted(TensorMath.Concat(0, y, x), 4);
    }, [X0, Y0]);

    [Fact]
    public void ConcatAndSliceValues()
    {
        var x = Tensor<double>.FromArray([1.0, 2, 3, 4], 2, 2);
        var y = Tensor<double>.FromArray([5.0, 6], 2, 1);
        Assert.Equal([1.0, 2, 5, 3, 4, 6], TensorMath.Concat(1, x, y).ToArray());
        Assert.Equal([2.0, 4], x.Slice(1, 1, 1).ToArray());
        Assert.Throws<ShapeMismatchException>(() => TensorMath.Concat(0, x, y));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Slice(0, 1, 2));
    }

    [Fact] public void CastRoundTrip() => GradCheck.Check((p, l) =>
    {
        var x = T(p[0], l).Cast<float>().Cast<double>();
        return GradCheck.Weighted(x);
    }, [[0.5, 0.25, -1.0]], h: 0.25);
}
