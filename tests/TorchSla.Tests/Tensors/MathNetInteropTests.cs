using MathNet.Numerics.LinearAlgebra;
using TorchSla;
using TorchSla.Interop;
using Xunit;

namespace TorchSla.Tests.Tensors;

public class MathNetInteropTests
{
    [Fact]
    public void RoundTripThroughMathNetKeepsEveryEntry()
    {
        var rng = new Random(8);
        var a = DenseReference.Random(7, 5, 0.4, rng);
        var sa = DenseReference.ToSparse(a, rng);
        var m = sa.ToMathNet();
        Assert.Equal(7, m.RowCount); Assert.Equal(5, m.ColumnCount);
        DenseReference.AssertClose(a, m.ToArray(), 0);
        var back = MathNetInterop.FromMathNet(m);
        DenseReference.AssertClose(a, DenseReference.ToArray(back), 0);
        Assert.Equal(sa.Nnz, back.Nnz);
        // Operations agree with MathNet's own.
        var x = Vector<double>.Build.Dense(5, i => i - 2.0);
        var y = sa * Tensor<double>.FromArray(x.ToArray());
        var ym = m * x;
        for (int i = 0; i < 7; i++) Assert.Equal(ym[i], y.ToArray()[i], 13);
    }

    [Fact]
    public void BatchIndexPicksTheMatrixAndFloatWorks()
    {
        double[] v = [1, 2, /**/ 3, 4];
        var a = new SparseTensor<double>(v, [0, 1], [1, 0], [2, 2, 2]);
        Assert.Equal(3.0, a.ToMathNet(1)[0, 1]);
        Assert.Equal(4.0, a.ToMathNet(1)[1, 0]);
        var f = SparseTensor.FromDense(new float[,] { { 0, 1.5f }, { 2.5f, 0 } });
        var mf = f.ToMathNet();
        Assert.Equal(2.5f, mf[1, 0]);
        Assert.Equal(2, MathNetInterop.FromMathNet(Matrix<float>.Build.DenseOfArray(new float[,] { { 0, 1 }, { 1, 0 } })).Nnz);
        Assert.Throws<NonFiniteValueException>(() => MathNetInterop.FromMathNet(Matrix<double>.Build.DenseOfArray(new double[,] { { double.NaN } })));
    }
}
