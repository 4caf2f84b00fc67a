using CsCheck;
using TorchSla;
using Xunit;

namespace TorchSla.Tests.Tensors;

/// <summary>
/// Property tests over random shapes, including empty and single-row/column ones: every
/// operation agrees with its dense-loop reference.
/// </summary>
public class SparseOpsPropertyTests
{
    private static readonly Gen<(int M, int K, int N, int Seed)> Shapes =
        Gen.Select(Gen.Int[0, 7], Gen.Int[0, 7], Gen.Int[0, 7], Gen.Int);

    [Fact]
    public void AddTransposeAndProductAgreeWithDense()
    {
        Shapes.Sample(s =>
        {
            var rng = new Random(s.Seed);
            var a = DenseReference.Random(s.M, s.K, 0.4, rng);
            var b = DenseReference.Random(s.M, s.K, 0.4, rng);
            var c = DenseReference.Random(s.K, s.N, 0.4, rng);
            var sa = DenseReference.ToSparse(a, rng);
            var sb = DenseReference.ToSparse(b, rng);
            var sc = DenseReference.ToSparse(c, rng);
            DenseReference.AssertClose(DenseReference.Add(a, b, 1, -1), DenseReference.ToArray(sa - sb));
            DenseReference.AssertClose(DenseReference.Transpose(a), DenseReference.ToArray(sa.T()), 0);
            DenseReference.AssertClose(DenseReference.Mul(a, c), DenseReference.ToArray(sa * sc));
            Assert.Equal(Math.Min(s.M, s.K), sa.Diagonal().Length);
        }, iter: 150);
    }

    [Fact]
    public void NormsAgreeWithDense()
    {
        Shapes.Sample(s =>
        {
            var rng = new Random(s.Seed);
            var a = DenseReference.Random(s.M, s.N, 0.5, rng);
            var sa = DenseReference.ToSparse(a, rng);
            double fro = 0, one = 0, inf = 0;
            for (int i = 0; i < s.M; i++) { double r = 0; for (int j = 0; j < s.N; j++) { fro += a[i, j] * a[i, j]; r += Math.Abs(a[i, j]); } inf = Math.Max(inf, r); }
            for (int j = 0; j < s.N; j++) { double c = 0; for (int i = 0; i < s.M; i++) c += Math.Abs(a[i, j]); one = Math.Max(one, c); }
            Assert.Equal(Math.Sqrt(fro), sa.Norm(MatrixNorm.Frobenius, 0), 12);
            Assert.Equal(one, sa.Norm(MatrixNorm.One, 0), 12);
            Assert.Equal(inf, sa.Norm(MatrixNorm.Infinity, 0), 12);
        }, iter: 150);
    }
}
