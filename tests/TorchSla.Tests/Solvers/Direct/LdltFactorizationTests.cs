using MathNet.Numerics.LinearAlgebra;
using TorchSla;
using TorchSla.IO;
using TorchSla.Solvers.Direct;
using TorchSla.Tests.Tensors;
using Xunit;
using static TorchSla.Tests.Solvers.Direct.DirectTestHelpers;

namespace TorchSla.Tests.Solvers.Direct;

public class LdltFactorizationTests
{
    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 120)]
    public void IndefiniteFactorReconstructsAndGivesInertiaAndDeterminant(int seed, int n)
    {
        var rng = new Random(seed);
        // Symmetric indefinite with a dominant diagonal of mixed signs: every pivot stays away from zero.
        var a = DenseReference.RandomSymmetric(n, 4.0 / n, rng);
        for (int i = 0; i < n; i++) a[i, i] = (i % 3 == 0 ? -1 : 1) * (10 + i % 5);
        var sa = DenseReference.ToSparse(a, rng);
        using var f = sa.Ldlt();
        Assert.Equal(0, f.PerturbedPivots());
        var (cp, ri, v, d) = f.GetFactor();
        var l = DenseFromColumns(n, cp, ri, v);
        var ld = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) ld[i, j] = l[i, j] * d[j];
        var pap = Permute(a, f.Permutation);
        double err = Matrix<double>.Build.DenseOfArray(DenseReference.Add(pap, DenseReference.Mul(ld, DenseReference.Transpose(l)), 1, -1)).FrobeniusNorm();
        Assert.True(err < 1e-12 * Matrix<double>.Build.DenseOfArray(a).FrobeniusNorm(), $"‖PAPᵀ − LDLᵀ‖ = {err}");
        var m = Matrix<double>.Build.DenseOfArray(a);
        double det = m.Determinant();
        Assert.Equal(Math.Sign(det), f.Sign());
        Assert.Equal(Math.Log(Math.Abs(det)), f.LogAbsDet(), 1e-9 * Math.Abs(Math.Log(Math.Abs(det))) + 1e-9);
        int negatives = m.Evd().EigenValues.Count(e => e.Real < 0);
        Assert.Equal(negatives, f.NegativeEigenvalues());
        var b = RandomVector(n, 3);
        var x = f.Solve(b);
        Assert.True(BackwardError(sa, x, b) < 1e-15);
    }

    [Fact]
    public void TransposeSolveAndRefactor()
    {
        var rng = new Random(5);
        int n = 50;
        var a = DenseReference.RandomSymmetric(n, 0.1, rng);
        for (int i = 0; i < n; i++) a[i, i] = i % 2 == 0 ? 8 : -8;
        var sa = DenseReference.ToSparse(a, rng);
        using var f = sa.Ldlt();
        var b = RandomVector(n, 1);
        var x = f.Solve(b); var xt = f.SolveTranspose(b);
        for (int i = 0; i < n; i++) Assert.Equal(x[i], xt[i], 1e-13);
        var v = sa.GetValues();
        for (int i = 0; i < v.Length; i++) v[i] *= 2;
        f.Refactor(v);
        var x2 = f.Solve(b);
        for (int i = 0; i < n; i++) Assert.Equal(x[i] / 2, x2[i], 1e-12);
    }

    [Fact]
    public void HangGliderNeedsPivotingThatStaticPivotingLacksAndSaysSo()
    {
        // hangGlider_2 is a KKT matrix with 733 structurally zero diagonal entries: static pivoting perturbs
        // hundreds of pivots and refinement cannot recover, so the solve must refuse rather than return a wrong x.
        var a = MatrixMarket.Read<double>(TestPaths.Matrix("hangGlider_2.mtx"));
        using var f = a.Ldlt();
        Assert.True(f.PerturbedPivots() > 0);
        var e = Assert.Throws<NotConvergedException>(() => f.Solve(RandomVector(a.Rows, 9)));
        Assert.Contains("2×2 or delayed pivoting", e.Message);
        // LU with partial pivoting solves it.
        using var lu = a.Lu();
        var b = RandomVector(a.Rows, 9);
        Assert.True(BackwardError(a, lu.Solve(b), b) < 1e-14);
    }

    [Fact]
    public void SingularPivotIsPerturbedAndReported()
    {
        // [[0, 1], [1, 0]] has a zero first pivot in natural order: static pivoting replaces it by τ and says so.
        var sa = SparseTensor.FromDense(new double[,] { { 0, 1 }, { 1, 0 } });
        using var f = sa.Ldlt(CholeskyOrdering.Natural);
        Assert.Equal(1, f.PerturbedPivots());
        // F = [[τ, 1], [1, 0]] differs from A by τ in one entry, so refinement contracts by ~τ per step: exact x = [2, 1].
        var x = f.Solve(new double[] { 1, 2 });
        Assert.Equal(2.0, x[0], 1e-15);
        Assert.Equal(1.0, x[1], 1e-15);
    }
}
