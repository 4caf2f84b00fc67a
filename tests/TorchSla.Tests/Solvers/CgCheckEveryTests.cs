using TorchSla.Solvers;
using TorchSla.Solvers.Krylov;
using TorchSla.Solvers.Preconditioners;
using Xunit;

namespace TorchSla.Tests.Solvers;

/// <summary>
/// Reading the device-resident scalars back every k iterations instead of every iteration changes nothing but
/// when the host learns the outcome: on the CPU (deterministic kernels) the results are bit-identical.
/// </summary>
public class CgCheckEveryTests
{
    internal static SparseTensor<double> VariableDiagonalPoisson(int m, double shiftLast = 0)
    {
        var a = SparseTensor.Poisson2D<double>(m);
        var v = a.GetValues();
        var d = a.Pattern.DiagonalSlots();
        for (int i = 0; i < a.Rows; i++) v[d[i]] += i % 5;
        v[d[a.Rows - 1]] += shiftLast;
        return a.WithValues(v, []);
    }

    [Theory]
    [InlineData("none", 7)]
    [InlineData("jacobi", 7)]
    [InlineData("jacobi", 64)]
    [InlineData("ic0", 5)]
    public void CheckIntervalDoesNotChangeTheResult(string precond, int checkEvery)
    {
        var a = VariableDiagonalPoisson(24);
        var b = Tensor<double>.Random([a.Rows], 3);
        var options = new SolveOptions { Method = SolveMethod.CG, Preconditioner = precond, RelativeTolerance = 1e-9 };
        var every = a.Solve(b, options with { CheckEvery = 1 });
        var some = a.Solve(b, options with { CheckEvery = checkEvery });
        Assert.True(every.Converged);
        Assert.Equal(every.Reason, some.Reason);
        Assert.Equal(every.Iterations, some.Iterations);
        Assert.Equal(every.ResidualHistory, some.ResidualHistory);
        Assert.Equal(every.Solution.ToArray(), some.Solution.ToArray());
        Assert.Equal(every.FinalResidualNorm, some.FinalResidualNorm);
    }

    [Fact]
    public void BreakdownBetweenReadBacksFreezesTheIterate()
    {
        var a = VariableDiagonalPoisson(5, shiftLast: -60); // indefinite: pᵀAp < 0 after a few steps
        var b = Tensor<double>.Ones([a.Rows]);
        var options = new SolveOptions { Method = SolveMethod.CG, Preconditioner = "none" };
        var every = a.Solve(b, options with { CheckEvery = 1 });
        var some = a.Solve(b, options with { CheckEvery = 16 });
        Assert.Equal(ConvergenceReason.IndefiniteMatrix, every.Reason);
        Assert.Equal(every.Reason, some.Reason);
        Assert.Equal(every.Iterations, some.Iterations);
        Assert.Equal(every.Solution.ToArray(), some.Solution.ToArray());
    }

    [Fact]
    public void ProgressArrivesForEveryIterationInOrderAtTheReadBacks()
    {
        var a = VariableDiagonalPoisson(16);
        var b = Tensor<double>.Ones([a.Rows]);
        var seen = new List<int>();
        var r = a.Solve(b, new SolveOptions { Method = SolveMethod.CG, CheckEvery = 6, Progress = new Sync(rep => seen.Add(rep.Iteration)) });
        Assert.Equal(Enumerable.Range(0, r.Iterations + 1), seen);
    }

    [Fact]
    public void CheckIntervalBelowOneIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SolveOptions { CheckEvery = 0 }.Validate());

    [Fact]
    public void TheLoopAllocatesNothingOnTheHost()
    {
        // Small enough that every pass runs on the calling thread (a forked pass allocates its one work item).
        var a = VariableDiagonalPoisson(30);
        var b = Tensor<double>.Ones([a.Rows]);
        var jacobi = new JacobiPreconditioner<double>(a);
        long Bytes(double rtol, out int iterations)
        {
            var options = new SolveOptions { RelativeTolerance = rtol, MaxIterations = 1000 };
            _ = Cg.Solve(a, b, null, options, null, jacobi);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var r = Cg.Solve(a, b, null, options, null, jacobi);
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            iterations = r.Iterations;
            return bytes;
        }
        long few = Bytes(1e-2, out int kFew), many = Bytes(1e-10, out int kMany);
        Assert.True(kMany > kFew + 20, $"{kFew} vs {kMany} iterations");
        Assert.True(many - few < 64, $"{many - few} more bytes for {kMany - kFew} more iterations");
    }

    private sealed class Sync(Action<IterationReport> f) : IProgress<IterationReport>
    {
        public void Report(IterationReport value) => f(value);
    }
}
