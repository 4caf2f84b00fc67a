using TorchSla.Solvers;
using TorchSla.Solvers.Krylov;
using Xunit;

namespace TorchSla.Tests.Solvers;

/// <summary>
/// Two-pass CG (the direction formed inside the SpMV sweep, x's update deferred to the next sweep) is loop fusion of
/// the three-pass iteration, not another algorithm: on the CPU it must reproduce the three-pass results bit for bit,
/// through convergence, residual replacement, the iteration limit, breakdown and every check interval.
/// </summary>
public class CgTwoPassTests
{
    private static SparseTensor<double> VariableDiagonalPoisson(int m, double shiftLast = 0) =>
        CgCheckEveryTests.VariableDiagonalPoisson(m, shiftLast);

    private static SolveResult<double> Solve(SparseTensor<double> a, Tensor<double> b, SolveOptions options, bool twoPass)
    {
        bool? before = Cg.TwoPass;
        Cg.TwoPass = twoPass;
        try { return a.Solve(b, options); }
        finally { Cg.TwoPass = before; }
    }

    private static void Identical(SolveResult<double> three, SolveResult<double> two)
    {
        Assert.Equal(three.Reason, two.Reason);
        Assert.Equal(three.Iterations, two.Iterations);
        Assert.Equal(three.ResidualHistory, two.ResidualHistory);
        Assert.Equal(three.Solution.ToArray(), two.Solution.ToArray());
        Assert.Equal(three.FinalResidualNorm, two.FinalResidualNorm);
    }

    [Theory]
    [InlineData("none", 1, 1e-9)]
    [InlineData("jacobi", 1, 1e-9)]
    [InlineData("jacobi", 7, 1e-9)]
    [InlineData("none", 64, 1e-9)]
    [InlineData("jacobi", 3, 1e-15)] // below what the recurrence can certify: residual replacement and restarts
    public void TwoPassEqualsThreePassBitForBit(string precond, int checkEvery, double rtol)
    {
        var a = VariableDiagonalPoisson(40); // 1600 rows: several SpMV row blocks would need 4096+; see the large case below
        var b = Tensor<double>.Random([a.Rows], 11);
        var options = new SolveOptions { Method = SolveMethod.CG, Preconditioner = precond, RelativeTolerance = rtol, CheckEvery = checkEvery, MaxIterations = 400 };
        var three = Solve(a, b, options, twoPass: false);
        var two = Solve(a, b, options, twoPass: true);
        Identical(three, two);
        if (rtol >= 1e-9) Assert.True(two.Converged);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void IterationLimitAndInitialGuessAgree(int checkEvery)
    {
        var a = VariableDiagonalPoisson(30);
        var b = Tensor<double>.Random([a.Rows], 4);
        var x0 = Tensor<double>.Random([a.Rows], 5);
        var options = new SolveOptions { Method = SolveMethod.CG, Preconditioner = "jacobi", MaxIterations = 13, CheckEvery = checkEvery };
        bool? before = Cg.TwoPass;
        try
        {
            Cg.TwoPass = false;
            var three = a.Solve(b, options, x0);
            Cg.TwoPass = true;
            var two = a.Solve(b, options, x0);
            Assert.Equal(ConvergenceReason.MaxIterations, two.Reason);
            Identical(three, two);
        }
        finally { Cg.TwoPass = before; }
    }

    [Fact]
    public void ManyRowBlocksAndBothThreadsAgree()
    {
        // 90 000 rows: 22 row blocks of 4096, large enough for the passes to fork over the thread pool.
        var a = VariableDiagonalPoisson(300);
        var b = Tensor<double>.Random([a.Rows], 8);
        var options = new SolveOptions { Method = SolveMethod.CG, Preconditioner = "jacobi", RelativeTolerance = 1e-6, MaxIterations = 60 };
        Identical(Solve(a, b, options, twoPass: false), Solve(a, b, options, twoPass: true));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    public void BreakdownStopsAtTheSameIterationWithTheSameIterate(int checkEvery)
    {
        var a = VariableDiagonalPoisson(5, shiftLast: -60); // indefinite: pᵀAp < 0 after a few steps
        var b = Tensor<double>.Ones([a.Rows]);
        var options = new SolveOptions { Method = SolveMethod.CG, Preconditioner = "none", CheckEvery = checkEvery };
        var three = Solve(a, b, options, twoPass: false);
        var two = Solve(a, b, options, twoPass: true);
        Assert.Equal(ConvergenceReason.IndefiniteMatrix, two.Reason);
        Identical(three, two);
    }

    [Fact]
    public void IndefiniteJacobiIsReportedByBoth()
    {
        var a = VariableDiagonalPoisson(6);
        var v = a.GetValues();
        var d = a.Pattern.DiagonalSlots();
        v[d[7]] = -v[d[7]]; // one negative diagonal entry: D = diag(1/a_ii) is not positive definite
        a = a.WithValues(v, []);
        var b = Tensor<double>.Ones([a.Rows]);
        var options = new SolveOptions { Method = SolveMethod.CG, Preconditioner = "jacobi", CheckEvery = 4 };
        var three = Solve(a, b, options, twoPass: false);
        var two = Solve(a, b, options, twoPass: true);
        Assert.False(two.Converged);
        Assert.Equal(three.Reason, two.Reason);
        Assert.Equal(three.Iterations, two.Iterations);
    }

    [Fact]
    public void TheTwoPassLoopAllocatesNothingOnTheHost()
    {
        var a = VariableDiagonalPoisson(30); // every pass on the calling thread
        var b = Tensor<double>.Ones([a.Rows]);
        var jacobi = new TorchSla.Solvers.Preconditioners.JacobiPreconditioner<double>(a);
        bool? before = Cg.TwoPass;
        try
        {
            Cg.TwoPass = true;
            long Bytes(double rtol, out int iterations)
            {
                var options = new SolveOptions { RelativeTolerance = rtol, MaxIterations = 1000 };
                _ = Cg.Solve(a, b, null, options, null, jacobi);
                long start = GC.GetAllocatedBytesForCurrentThread();
                var r = Cg.Solve(a, b, null, options, null, jacobi);
                iterations = r.Iterations;
                return GC.GetAllocatedBytesForCurrentThread() - start;
            }
            long few = Bytes(1e-2, out int kFew), many = Bytes(1e-10, out int kMany);
            Assert.True(kMany > kFew + 20, $"{kFew} vs {kMany} iterations");
            Assert.True(many - few < 64, $"{many - few} more bytes for {kMany - kFew} more iterations");
        }
        finally { Cg.TwoPass = before; }
    }
}
