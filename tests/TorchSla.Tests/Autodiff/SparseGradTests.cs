using Xunit;

namespace TorchSla.Tests.Autodiff;

/// <summary>Every sparse rule against central differences, single and batched, with duplicate entries in the input.</summary>
public class SparseGradTests
{
    // A 4×3 pattern given in COO with one duplicate (entry 5 repeats (2, 1)) and unsorted rows.
    private static readonly int[] R = [2, 0, 1, 3, 0, 2, 3];
    private static readonly int[] C = [1, 0, 2, 0, 2, 1, 2];
    private static readonly double[] V = GradCheck.Random(7, 11);
    private static readonly double[] V3 = GradCheck.Random(21, 12);    // batch of 3
    // A 3×4 second pattern for products and a 4×3 one for sums.
    private static readonly int[] R2 = [0, 1, 2, 2, 0];
    private static readonly int[] C2 = [1, 3, 0, 2, 3];
    private static readonly double[] W = GradCheck.Random(5, 13);
    private static readonly int[] R3 = [0, 1, 3, 2];
    private static readonly int[] C3 = [0, 1, 2, 2];
    private static readonly double[] U = GradCheck.Random(4, 14);

    private static SparseTensor<double> S(double[] v, int[] r, int[] c, int[] shape, GradCheck.Leaves? l)
    {
        var a = SparseTensor.FromCoo<double>(v, r, c, shape);
        return l is null ? a : l.Leaf(a);
    }

    private static Tensor<double> D(double[] v, GradCheck.Leaves? l, params int[] shape)
    {
        var t = Tensor<double>.FromArray(v, shape);
        return l is null ? t : l.Leaf(t);
    }

    [Fact] public void SpMV() => GradCheck.Check((p, l) =>
        GradCheck.Weighted(S(p[0], R, C, [4, 3], l).Matmul(D(p[1], l))), [V, GradCheck.Random(3, 1)]);

    [Fact] public void SpMVBatchedWithBroadcastX() => GradCheck.Check((p, l) =>
        GradCheck.Weighted(S(p[0], R, C, [3, 4, 3], l).Matmul(D(p[1], l))), [V3, GradCheck.Random(3, 2)]);

    [Fact] public void SpMVBatchedPerMatrixX() => GradCheck.Check((p, l) =>
        GradCheck.Weighted(S(p[0], R, C, [3, 4, 3], l).Matmul(D(p[1], l, 3, 3))), [V3, GradCheck.Random(9, 3)]);

    [Fact] public void SpMM() => GradCheck.Check((p, l) =>
        GradCheck.Weighted(S(p[0], R, C, [4, 3], l).Matmul(D(p[1], l, 3, 2))), [V, GradCheck.Random(6, 4)]);

    [Fact] public void AddSubtractOnUnionAndBroadcast() => GradCheck.Check((p, l) =>
    {
        var a = S(p[0], R, C, [3, 4, 3], l);
        var b = S(p[1], R3, C3, [4, 3], l);
        return GradCheck.Weighted((a + b * 2.0 - (-b)).ToDense());
    }, [V3, U]);

    [Fact] public void AbsAndTranspose() => GradCheck.Check((p, l) =>
    {
        var a = S(p[0], R, C, [4, 3], l);
        return GradCheck.Weighted(a.Abs().Transpose().ToDense()) + GradCheck.Weighted(a.T().Matmul(Tensor<double>.Ones([4])), 3);
    }, [V]);

    [Fact] public void SpGemmBothOperands() => GradCheck.Check((p, l) =>
        GradCheck.Weighted((S(p[0], R, C, [4, 3], l) * S(p[1], R2, C2, [3, 4], l)).ToDense()), [V, W]);

    [Fact] public void SpGemmBatchedLeftBroadcastRight() => GradCheck.Check((p, l) =>
        GradCheck.Weighted((S(p[0], R, C, [3, 4, 3], l) * S(p[1], R2, C2, [3, 4], l)).ToDense()), [V3, W]);

    [Fact] public void SumMeanAndNorms() => GradCheck.Check((p, l) =>
    {
        var a = S(p[0], R, C, [3, 4, 3], l);
        return GradCheck.Weighted(a.Sum()) + GradCheck.Weighted(a.Mean(), 5) + GradCheck.Weighted(a.Norm(), 6)
             + GradCheck.Weighted(a.Norm(MatrixNorm.Infinity), 7) + GradCheck.Weighted(a.Norm(MatrixNorm.One), 8);
    }, [V3]);

    [Fact] public void FromDenseThroughSpMV() => GradCheck.Check((p, l) =>
        GradCheck.Weighted(SparseTensor.FromDense(D(p[0], l, 3, 3)).Matmul(Tensor<double>.FromArray([1.0, -2, 0.5]))),
        [[1.0, 0.5, 2, -0.25, 3, 0.75, -1, 1.5, 4]]);

    [Fact]
    public void DuplicateEntriesEachGetTheSlotGradient()
    {
        var a = SparseTensor.FromCoo<double>(V, R, C, [4, 3]).RequireGrad();
        TensorMath.Sum(a.Matmul(Tensor<double>.FromArray([1.0, 2, 3]))).Backward();
        var g = a.Grad!.ToArray();
        Assert.Equal(7, g.Length);
        // ∂/∂v_k of Σ_i (A x)_i = x[col k], also for both copies of (2, 1).
        for (int k = 0; k < 7; k++) Assert.Equal(C[k] + 1.0, g[k]);
        Assert.Equal(6, a.ValuesGrad!.Length);
    }

    [Fact] public void SpectralNorm() => GradCheck.Check((p, l) =>
        GradCheck.Weighted(S(p[0], R, C, [3, 4, 3], l).Norm(MatrixNorm.Two, tolerance: 0)), [V3], h: 1e-5);
}

/// <summary>Values from a dense tensor on the tape (duplicates summed; each entry gets its slot's gradient).</summary>
public class SparseWithValuesGradTests
{
    [Fact]
    public void WithValuesSumsDuplicatesAndPassesGradientsBack()
    {
        int[] r = [2, 0, 1, 3, 0, 2, 3];
        int[] c = [1, 0, 2, 0, 2, 1, 2];
        var template = SparseTensor.FromCoo<double>(new double[7], r, c, [4, 3]);
        var v = Tensor<double>.FromArray([1.0, 2, 3, 4, 5, 6, 7]);
        var a = template.WithValues(v);
        var dense = a.ToDense().ToArray2D();
        Assert.Equal(1.0 + 6, dense[2, 1]);
        Assert.Equal(5.0, dense[0, 2]);
        GradCheck.Check((p, l) =>
        {
            var t = Tensor<double>.FromArray(p[0]);
            if (l is not null) l.Leaf(t);
            return GradCheck.Weighted(template.WithValues(t.Exp()).Matmul(Tensor<double>.FromArray([1.0, -1, 2])));
        }, [GradCheck.Random(7, 31)]);
        Assert.Throws<ShapeMismatchException>(() => template.WithValues(Tensor<double>.Ones([5])));
    }
}
