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
    /// <summary>‖A[p,p] − L·D·Lᵀ‖_F / ‖A‖_F from the factor in compressed columns, D with 2×2 blocks.</summary>
    private static double ReconstructionError(double[,] a, LdltFactorization<double> f)
    {
        int n = a.GetLength(0);
        var (p, cp, ri, v, diag, sub) = f.GetFactor();
        var l = DenseFromColumns(n, cp, ri, v);
        var d = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            d[j, j] = diag[j];
            if (sub[j] != 0) { d[j + 1, j] = sub[j]; d[j, j + 1] = sub[j]; }
        }
        var ldlt = DenseReference.Mul(DenseReference.Mul(l, d), DenseReference.Transpose(l));
        var diff = DenseReference.Add(Permute(a, p), ldlt, 1, -1);
        return Matrix<double>.Build.DenseOfArray(diff).FrobeniusNorm() / Matrix<double>.Build.DenseOfArray(a).FrobeniusNorm();
    }

    /// <summary>Determinant (log|det|, sign) and inertia of the factor against MathNet's dense LU and eigenvalues.</summary>
    private static void AssertDeterminantAndInertia(double[,] a, LdltFactorization<double> f)
    {
        var m = Matrix<double>.Build.DenseOfArray(a);
        double det = m.Determinant();
        Assert.Equal(Math.Sign(det), f.Sign());
        double logDet = Math.Log(Math.Abs(det));
        Assert.Equal(logDet, f.LogAbsDet(), 1e-9 * Math.Abs(logDet) + 1e-9);
        Assert.Equal(m.Evd().EigenValues.Count(e => e.Real < 0), f.NegativeEigenvalues());
    }

    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 120)]
    public void IndefiniteFactorReconstructsAndGivesInertiaAndDeterminant(int seed, int n)
    {
        var rng = new Random(seed);
        // Symmetric indefinite with a dominant diagonal of mixed signs: every 1×1 pivot passes, nothing is delayed.
        var a = DenseReference.RandomSymmetric(n, 4.0 / n, rng);
        for (int i = 0; i < n; i++) a[i, i] = (i % 3 == 0 ? -1 : 1) * (10 + i % 5);
        var sa = DenseReference.ToSparse(a, rng);
        using var f = sa.Ldlt();
        Assert.Equal(0, f.DelayedPivots());
        Assert.Equal(0, f.TwoByTwoPivots());
        Assert.True(ReconstructionError(a, f) < 1e-14);
        AssertDeterminantAndInertia(a, f);
        var b = RandomVector(n, 3);
        Assert.True(BackwardError(sa, f.Solve(b), b) < 1e-15);
    }

    [Theory]
    [InlineData(3, 40, CholeskyOrdering.Automatic)]
    [InlineData(4, 150, CholeskyOrdering.ApproximateMinimumDegree)]
    [InlineData(5, 150, CholeskyOrdering.NestedDissection)]
    public void ZeroDiagonalsNeedTwoByTwoAndDelayedPivots(int seed, int n, CholeskyOrdering ordering)
    {
        // A saddle-point-like matrix: every third diagonal entry is structurally zero and the rest are small next to
        // the off-diagonals, so 1×1 pivots fail the threshold test and fronts must pair or delay columns.
        var rng = new Random(seed);
        var a = DenseReference.RandomSymmetric(n, 5.0 / n, rng);
        for (int i = 0; i < n; i++) a[i, i] = i % 3 == 0 ? 0 : 1e-3 * (rng.NextDouble() - 0.5);
        for (int i = 0; i + 1 < n; i++) { double t = 1 + rng.NextDouble(); a[i, i + 1] = t; a[i + 1, i] = t; }
        var sa = DenseReference.ToSparse(a, rng);
        using var f = sa.Ldlt(ordering);
        Assert.True(f.TwoByTwoPivots() > 0);
        Assert.True(ReconstructionError(a, f) < 1e-12, $"reconstruction {ReconstructionError(a, f)}");
        AssertDeterminantAndInertia(a, f);
        var b = RandomVector(n, 7);
        Assert.True(BackwardError(sa, f.Solve(b), b) < 1e-15);
        Assert.True(BackwardError(sa, f.SolveTranspose(b), b) < 1e-15);
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
    public void HangGliderSolvesToBackwardErrorOfRoundoff()
    {
        // hangGlider_2 is a KKT matrix with 733 negative eigenvalues and structurally zero diagonal entries.
        var a = MatrixMarket.Read<double>(TestPaths.Matrix("hangGlider_2.mtx"));
        using var f = a.Ldlt();
        Assert.True(f.TwoByTwoPivots() + f.DelayedPivots() > 0);
        Assert.Equal(733, f.NegativeEigenvalues());
        for (int seed = 0; seed < 2; seed++)
        {
            var b = RandomVector(a.Rows, 9 + seed);
            var x = f.Solve(b);
            Assert.True(BackwardError(a, x, b) <= 1e-14, $"backward error {BackwardError(a, x, b)}");
            Assert.True(f.LastBackwardError <= 1e-14);
        }
    }

    [Fact]
    public void ZeroPivotInNaturalOrderTakesATwoByTwoBlock()
    {
        // [[0, 1], [1, 0]]: no 1×1 pivot exists; one 2×2 block with det −1, one negative eigenvalue; x = [2, 1].
        var sa = SparseTensor.FromDense(new double[,] { { 0, 1 }, { 1, 0 } });
        using var f = sa.Ldlt(CholeskyOrdering.Natural);
        Assert.Equal(1, f.TwoByTwoPivots());
        Assert.Equal(-1, f.Sign());
        Assert.Equal(0.0, f.LogAbsDet(), 1e-15);
        Assert.Equal(1, f.NegativeEigenvalues());
        var x = f.Solve(new double[] { 1, 2 });
        Assert.Equal(2.0, x[0], 1e-15);
        Assert.Equal(1.0, x[1], 1e-15);
    }

    [Fact]
    public void SingularMatrixNamesAColumn()
    {
        // Rows 1 and 2 are equal: after the first pivots the Schur complement has a zero column.
        var sa = SparseTensor.FromDense(new double[,] { { 4, 1, 1 }, { 1, 2, 2 }, { 1, 2, 2 } });
        var e = Assert.Throws<SingularMatrixException>(() => sa.Ldlt(CholeskyOrdering.Natural));
        Assert.InRange(e.Column, 0, 2);
        Assert.Contains("singular", e.Message);
    }
}
