using MathNet.Numerics.LinearAlgebra;
using TorchSla.Solvers;
using TorchSla.Solvers.Krylov;
using Xunit;

namespace TorchSla.Tests.Solvers;

public class CgTests
{
    /// <summary>A random sparse SPD matrix A = BᵀB + I (dense copy returned for the reference).</summary>
    private static (SparseTensor<double> A, Matrix<double> Dense) RandomSpd(int n, double density, int seed)
    {
        var rng = new Random(seed);
        var b = Matrix<double>.Build.Dense(n, n);
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) if (rng.NextDouble() < density) b[i, j] = rng.NextDouble() - 0.5;
        var a = b.TransposeThisAndMultiply(b) + Matrix<double>.Build.DenseIdentity(n);
        // Exact symmetry: average with the transpose (the product is symmetric up to rounding).
        a = (a + a.Transpose()) * 0.5;
        return (SparseTensor.FromDense(a.ToArray()), a);
    }

    private static double TrueRelativeResidual(Matrix<double> a, double[] x, double[] b)
    {
        var r = Vector<double>.Build.DenseOfArray(b) - a * Vector<double>.Build.DenseOfArray(x);
        return r.L2Norm() / Vector<double>.Build.DenseOfArray(b).L2Norm();
    }

    [Theory]
    [InlineData(40, 0.1, 1)]
    [InlineData(120, 0.03, 2)]
    public void SolutionMatchesDenseLuAndMeetsTheTolerance(int n, double density, int seed)
    {
        var (a, dense) = RandomSpd(n, density, seed);
        var b = Tensor<double>.Random([n], seed + 10);
        var result = a.Solve(b, new SolveOptions { RelativeTolerance = 1e-10 });

        Assert.True(result.Converged);
        Assert.Equal(SolveMethod.CG, result.MethodUsed);
        Assert.Equal(ConvergenceReason.RelativeTolerance, result.Reason);
        var x = result.Solution.ToArray();
        double relres = TrueRelativeResidual(dense, x, b.ToArray());
        Assert.True(relres <= 1e-10, $"true relative residual {relres}");
        Assert.Equal(relres, result.FinalRelativeResidual, 1e-12);
        // Forward error ≤ κ · backward error.
        var xRef = dense.LU().Solve(Vector<double>.Build.DenseOfArray(b.ToArray()));
        double kappa = dense.ConditionNumber();
        double err = (Vector<double>.Build.DenseOfArray(x) - xRef).L2Norm() / xRef.L2Norm();
        Assert.True(err <= 2 * kappa * 1e-10, $"forward error {err}, κ = {kappa}");
        Assert.Equal(result.Iterations + 1, result.ResidualHistory.Count);
        Assert.Equal(b.Norm(), result.ResidualHistory[0], 1e-12);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(40)]
    public void IterationCountOnPoissonIsWithinTheChebyshevBound(int m)
    {
        // 5-point Laplacian on an m×m grid: λ = 4 − 2cos(iπ/(m+1)) − 2cos(jπ/(m+1)), so
        // κ = cot²(π/(2(m+1))). With x₀ = 0, ‖r_k‖/‖b‖ ≤ √κ·‖e_k‖_A/‖e₀‖_A ≤ 2√κ·ρᵏ with
        // ρ = (√κ − 1)/(√κ + 1) (Saad §6.11.3), so k ≤ ⌈ln(2√κ/rtol)/ln(1/ρ)⌉.
        double rtol = 1e-8;
        double kappa = Math.Pow(1 / Math.Tan(Math.PI / (2 * (m + 1))), 2);
        double sk = Math.Sqrt(kappa), rho = (sk - 1) / (sk + 1);
        int bound = (int)Math.Ceiling(Math.Log(2 * sk / rtol) / Math.Log(1 / rho));

        var a = SparseTensor.Poisson2D<double>(m);
        var b = Tensor<double>.Random([m * m], 3);
        var result = a.Solve(b, new SolveOptions { RelativeTolerance = rtol });
        Assert.True(result.Converged);
        Assert.InRange(result.Iterations, 1, bound);
        Assert.True(result.FinalRelativeResidual <= rtol);
    }

    [Fact]
    public void ConvergesInAsManyStepsAsDistinctEigenvalues()
    {
        // A = H·D·H with H a Householder reflector and D holding 3 distinct values: the Krylov
        // space has dimension ≤ 3, so CG is exact after 3 steps (Saad §6.11.3).
        int n = 30;
        var rng = new Random(7);
        var v = Vector<double>.Build.Dense(n, _ => rng.NextDouble() - 0.5);
        v /= v.L2Norm();
        var h = Matrix<double>.Build.DenseIdentity(n) - 2 * v.OuterProduct(v);
        var d = Matrix<double>.Build.DenseDiagonal(n, n, i => new[] { 1.0, 4.0, 9.0 }[i % 3]);
        var dense = h * d * h;
        dense = (dense + dense.Transpose()) * 0.5;
        var a = SparseTensor.FromDense(dense.ToArray());
        var b = Tensor<double>.Random([n], 8);
        var result = a.Solve(b, new SolveOptions { RelativeTolerance = 1e-12, Preconditioner = "none" });
        Assert.True(result.Converged);
        Assert.InRange(result.Iterations, 1, 3);
        Assert.True(TrueRelativeResidual(dense, result.Solution.ToArray(), b.ToArray()) <= 1e-12);
    }

    [Fact]
    public void ZeroRightHandSideGivesZeroWithoutIterating()
    {
        var a = SparseTensor.Poisson2D<double>(5);
        var b = Tensor<double>.Zeros([25]);
        var x0 = Tensor<double>.Ones([25]);
        var result = Cg.Solve(a, b, initialGuess: x0);
        Assert.True(result.Converged);
        Assert.Equal(ConvergenceReason.ZeroRightHandSide, result.Reason);
        Assert.Equal(0, result.Iterations);
        Assert.All(result.Solution.ToArray(), xi => Assert.Equal(0.0, xi));
        Assert.All(x0.ToArray(), xi => Assert.Equal(1.0, xi)); // input untouched
    }

    [Fact]
    public void ExactInitialGuessNeedsNoIteration()
    {
        var a = SparseTensor.Poisson2D<double>(6);
        var xStar = Tensor<double>.Random([36], 4);
        var b = a * xStar;
        var result = Cg.Solve(a, b, initialGuess: xStar);
        Assert.True(result.Converged);
        Assert.Equal(0, result.Iterations);
    }

    [Fact]
    public void NaNInRightHandSideIsRejectedWithItsIndex()
    {
        var a = SparseTensor.Poisson2D<double>(4);
        var bv = new double[16];
        Array.Fill(bv, 1.0);
        bv[11] = double.NaN;
        var e = Assert.Throws<NonFiniteValueException>(() => a.Solve(Tensor<double>.FromArray(bv), SolveOptions.Default));
        Assert.Equal(11, e.Index);
        Assert.Contains("b[11]", e.Message);
        Assert.True(double.IsNaN(bv[11]) && bv[0] == 1.0); // not modified
    }

    [Fact]
    public void InfinityInMatrixIsRejectedWithItsPosition()
    {
        var a = SparseTensor.FromCoo<double>([4.0, double.PositiveInfinity, 1.0, 4.0], [0, 0, 1, 1], [0, 1, 0, 1], [2, 2], allowNonFinite: true);
        var e = Assert.Throws<NonFiniteValueException>(() => a.Solve(Tensor<double>.Ones([2]), new SolveOptions { Method = SolveMethod.CG }));
        Assert.Contains("(0, 1)", e.Message);
    }

    [Fact]
    public void CancellationStopsAtTheNextIteration()
    {
        var a = SparseTensor.Poisson2D<double>(30);
        var b = Tensor<double>.Ones([900]);
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(r => { if (r.Iteration == 5) cts.Cancel(); });
        var result = a.Solve(b, new SolveOptions { CancellationToken = cts.Token, Progress = progress });
        Assert.False(result.Converged);
        Assert.Equal(ConvergenceReason.Cancelled, result.Reason);
        Assert.Equal(5, result.Iterations);
        Assert.Throws<OperationCanceledException>(() => result.EnsureConverged());
    }

    [Fact]
    public void IterationLimitIsReportedHonestly()
    {
        var a = SparseTensor.Poisson2D<double>(20);
        var b = Tensor<double>.Ones([400]);
        var result = a.Solve(b, new SolveOptions { MaxIterations = 3 });
        Assert.False(result.Converged);
        Assert.Equal(ConvergenceReason.MaxIterations, result.Reason);
        Assert.Equal(3, result.Iterations);
        var dense = Matrix<double>.Build.DenseOfArray(a.ToDense().ToArray2D());
        double relres = TrueRelativeResidual(dense, result.Solution.ToArray(), b.ToArray());
        Assert.Equal(relres, result.FinalRelativeResidual, 1e-12);
        Assert.True(relres > 1e-3);
        var e = Assert.Throws<NotConvergedException>(() => result.EnsureConverged());
        Assert.Equal(3, e.Iterations);
        Assert.Equal(relres, e.Residual, 1e-12);
    }

    [Fact]
    public void IndefiniteMatrixIsDetected()
    {
        var a = SparseTensor.FromCoo<double>([1.0, -2.0], [0, 1], [0, 1], [2, 2]);
        var result = a.Solve(Tensor<double>.Ones([2]), new SolveOptions { Method = SolveMethod.CG, Preconditioner = "none" });
        Assert.Equal(ConvergenceReason.IndefiniteMatrix, result.Reason);
        Assert.False(result.Converged);
        // Auto sees the negative diagonal and takes LDLᵀ (a small matrix on the CPU; MINRES above AutoSolverChoice.LdltMaxRows), which solves it.
        var auto = a.Solve(Tensor<double>.Ones([2]), SolveOptions.Default);
        Assert.Equal(SolveMethod.Ldlt, auto.MethodUsed);
        Assert.True(auto.Converged);
    }

    [Fact]
    public void AutoTakesADirectOrKrylovNonsymmetricSolverAndExplicitCgStillRuns()
    {
        var a = SparseTensor.FromCoo<double>([4.0, 1.0, 4.0], [0, 0, 1], [0, 1, 1], [2, 2]);
        var auto = a.Solve(Tensor<double>.Ones([2]), SolveOptions.Default);
        Assert.Equal(SolveMethod.Lu, auto.MethodUsed); // GMRES above AutoSolverChoice.LuMaxRows
        Assert.True(auto.Converged);
        auto = a.Solve(Tensor<double>.Ones([2]), new SolveOptions { Method = SolveMethod.Gmres });
        Assert.True(auto.Converged);
        var r = a.Solve(Tensor<double>.Ones([2]), new SolveOptions { Method = SolveMethod.CG, MaxIterations = 50 });
        // Whatever CG does on a nonsymmetric matrix, the reported residual is the true one.
        var x = r.Solution.ToArray();
        double r0 = 1 - (4 * x[0] + x[1]), r1 = 1 - 4 * x[1];
        Assert.Equal(Math.Sqrt((r0 * r0 + r1 * r1) / 2), r.FinalRelativeResidual, 1e-12);
    }

    [Fact]
    public void UnknownPreconditionerAndBadTolerancesAreRefused()
    {
        var a = SparseTensor.Poisson2D<double>(3);
        var b = Tensor<double>.Ones([9]);
        Assert.Throws<ArgumentException>(() => a.Solve(b, new SolveOptions { Preconditioner = "bogus" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Solve(b, new SolveOptions { RelativeTolerance = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Solve(b, new SolveOptions { RelativeTolerance = double.NaN }));
        Assert.Throws<ShapeMismatchException>(() => a.Solve(Tensor<double>.Ones([8]), SolveOptions.Default));
    }

    [Fact]
    public void Float32SolveAgreesWithFloat64()
    {
        var a32 = SparseTensor.Poisson2D<float>(12);
        var a64 = SparseTensor.Poisson2D<double>(12);
        var b64 = Tensor<double>.Random([144], 5);
        var b32 = b64.Cast<float>();
        var r32 = a32.Solve(b32, SolveOptions.Default);
        Assert.True(r32.Converged);
        Assert.True(r32.FinalRelativeResidual <= 1e-4);
        var x64 = a64.Solve(b64);
        var x32 = r32.Solution.ToArray();
        var xr = x64.ToArray();
        double num = 0, den = 0;
        for (int i = 0; i < xr.Length; i++) { num += Math.Pow(x32[i] - xr[i], 2); den += xr[i] * xr[i]; }
        // forward error ≤ κ·rtol with κ(12×12 Poisson) = cot²(π/26) ≈ 68
        Assert.True(Math.Sqrt(num / den) <= 68 * 1e-4, $"float32 vs float64: {Math.Sqrt(num / den)}");
    }

    [Fact]
    public void BatchedSolveSolvesEachMatrix()
    {
        // Three scaled copies s·P of a Poisson matrix: x_s = x_1 / s.
        var p = SparseTensor.Poisson2D<double>(6);
        var rp = p.RowPointers; var ci = p.ColumnIndices; var v = p.GetValues();
        var rows = new int[p.Nnz];
        for (int i = 0; i < p.Rows; i++) for (int k = rp[i]; k < rp[i + 1]; k++) rows[k] = i;
        double[] scales = [1, 2, 5];
        var values = scales.SelectMany(s => v.Select(x => s * x)).ToArray();
        var batch = SparseTensor.FromCoo<double>(values, rows, ci, [3, 36, 36]);
        var b = Tensor<double>.Random([36], 9);
        var result = batch.Solve(b, new SolveOptions { RelativeTolerance = 1e-12 });
        Assert.True(result.Converged);
        Assert.Equal(3, result.BatchResults.Count);
        Assert.Equal(new[] { 3, 36 }, result.Solution.Shape);
        var x1 = p.Solve(b, new SolveOptions { RelativeTolerance = 1e-12 }).Solution.ToArray();
        var xs = result.Solution.ToArray();
        for (int s = 0; s < 3; s++)
            for (int i = 0; i < 36; i++) Assert.Equal(x1[i] / scales[s], xs[s * 36 + i], 1e-9);
        // b per matrix [3, 36]
        var bb = Tensor<double>.Random([3, 36], 10);
        var r2 = batch.Solve(bb, new SolveOptions { RelativeTolerance = 1e-12 });
        var ax = (batch * r2.Solution).ToArray();
        var bh = bb.ToArray();
        for (int i = 0; i < bh.Length; i++) Assert.Equal(bh[i], ax[i], 1e-9);
    }

    [Fact]
    public void VectorSpaceRefusesForeignVectors()
    {
        var space = new SingleDeviceVectorSpace<double>(4, Device.Cpu);
        Assert.Throws<ShapeMismatchException>(() => space.Dot(space.Create(), Tensor<double>.Ones([5])));
        var y = space.Create();
        space.Axpby(2.0, Tensor<double>.Ones([4]), 0.0, y);
        Assert.Equal(8.0, space.Dot(y, Tensor<double>.Ones([4])));
        Assert.Equal(4.0, space.Norm(y));
        Assert.Equal(2.0, space.NormInf(y));
    }

    [Fact]
    public void ToleranceBelowRoundoffStopsWithStagnationNotAtTheLimit()
    {
        // rtol 1e-17 is below float64's unit roundoff: no x can meet it, and the solve must say
        // so long before its 10·n iteration limit, with the best residual rounding allows.
        var a = SparseTensor.Poisson2D<double>(20);
        var b = Tensor<double>.Ones([400]);
        var result = a.Solve(b, new SolveOptions { RelativeTolerance = 1e-17 });
        Assert.False(result.Converged);
        Assert.Equal(ConvergenceReason.Stagnation, result.Reason);
        Assert.True(result.Iterations < 4000 / 2, $"{result.Iterations} iterations");
        Assert.True(result.FinalRelativeResidual < 1e-12, $"relres {result.FinalRelativeResidual}");
    }

    [Fact]
    public void ProgressReportsEveryIterationInOrder()
    {
        var a = SparseTensor.Poisson2D<double>(10);
        var reports = new List<IterationReport>();
        var result = a.Solve(Tensor<double>.Random([100], 1), new SolveOptions { Progress = new SyncProgress(reports.Add) });
        Assert.True(result.Converged);
        Assert.Equal(Enumerable.Range(0, result.Iterations + 1), reports.Select(r => r.Iteration));
        Assert.Equal(result.ResidualHistory, reports.Select(r => r.ResidualNorm));
        Assert.Equal(1.0, reports[0].RelativeResidual, 1e-15);
    }

    [Fact]
    public void InPlaceHelpersComputeTheirFormulas()
    {
        var x = Tensor<double>.FromArray([1.0, -2.0, 3.0]);
        var y = Tensor<double>.FromArray([4.0, 5.0, -6.0]);
        y.AxpbyInPlace(2.0, x, -1.0);                       // y = 2x − y
        Assert.Equal(new[] { -2.0, -9.0, 12.0 }, y.ToArray());
        y.AxpyInPlace(1.0, x);
        Assert.Equal(new[] { -1.0, -11.0, 15.0 }, y.ToArray());
        y.ScaleInPlace(0.5);
        Assert.Equal(new[] { -0.5, -5.5, 7.5 }, y.ToArray());
        Assert.Equal(7.5, y.NormInf());
        y.CopyFrom(x);
        Assert.Equal(x.ToArray(), y.ToArray());
        y.FillInPlace(double.PositiveInfinity);
        Assert.True(double.IsPositiveInfinity(y.NormInf()));
        y.FillInPlace(double.NaN);
        Assert.True(double.IsNaN(y.NormInf()));
        y.AxpbyInPlace(1.0, x, 0.0);                        // β = 0: NaN in y does not leak
        Assert.Equal(x.ToArray(), y.ToArray());
        Assert.Throws<ShapeMismatchException>(() => y.AxpbyInPlace(1.0, Tensor<double>.Ones([4]), 1.0));
        Assert.Equal(new[] { 1.0, -2.0, 3.0 }, x.ToArray()); // x untouched throughout
    }

    internal sealed class SyncProgress(Action<IterationReport> onReport) : IProgress<IterationReport>
    {
        public void Report(IterationReport value) => onReport(value);
    }
}
