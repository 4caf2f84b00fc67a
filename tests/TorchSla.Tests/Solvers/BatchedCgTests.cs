using TorchSla.Solvers;
using Xunit;

namespace TorchSla.Tests.Solvers;

/// <summary>
/// Batched systems [B, n] and right-hand sides [n, K] advance together (BatchedCg): each system's iterations,
/// residual history, reason and solution agree with a separate solve of that system.
/// </summary>
public class BatchedCgTests
{
    /// <summary>B Poisson matrices whose diagonals are shifted by 0, 3, 6, … (member i converges faster as i grows).</summary>
    private static SparseTensor<double> Batch(int m, int count)
    {
        var one = SparseTensor.Poisson2D<double>(m);
        var v = one.GetValues();
        var d = one.Pattern.DiagonalSlots();
        var all = new double[count * one.Nnz];
        for (int i = 0; i < count; i++)
        {
            v.CopyTo(all, i * one.Nnz);
            for (int r = 0; r < one.Rows; r++) all[i * one.Nnz + d[r]] += 3 * i + r % 4;
        }
        return one.WithValues(all, [count]);
    }

    private static void SameAsSeparate(SolveResult<double> separate, SolveResult<double> together, double tol = 1e-10)
    {
        Assert.Equal(separate.Reason, together.Reason);
        Assert.Equal(separate.Iterations, together.Iterations);
        Assert.Equal(separate.ResidualHistory.Count, together.ResidualHistory.Count);
        for (int k = 0; k < separate.ResidualHistory.Count; k++)
            Assert.True(Math.Abs(separate.ResidualHistory[k] - together.ResidualHistory[k]) <= 1e-9 * separate.ResidualHistory[0],
                $"‖r_{k}‖: separate {separate.ResidualHistory[k]}, together {together.ResidualHistory[k]}");
        var xs = separate.Solution.ToArray(); var xt = together.Solution.ToArray();
        for (int i = 0; i < xs.Length; i++) Assert.True(Math.Abs(xs[i] - xt[i]) <= tol * (1 + Math.Abs(xs[i])), $"x[{i}]: {xs[i]} vs {xt[i]}");
        Assert.Equal(separate.FinalRelativeResidual, together.FinalRelativeResidual, 1e-12);
    }

    [Theory]
    [InlineData("jacobi", 1)]
    [InlineData("none", 5)]
    public void BatchMembersMatchSeparateSolves(string precond, int checkEvery)
    {
        int m = 12, count = 4;
        var a = Batch(m, count);
        int n = a.Rows;
        var b = Tensor<double>.Random([count, n], 7);
        var options = new SolveOptions { Method = SolveMethod.CG, Preconditioner = precond, RelativeTolerance = 1e-10, CheckEvery = checkEvery };
        var together = a.Solve(b, options);
        Assert.True(together.Converged);
        Assert.Equal(count, together.BatchResults.Count);
        Assert.Equal(new[] { count, n }, together.Solution.ShapeSpan.ToArray());
        var bh = b.ToArray(); var xh = together.Solution.ToArray();
        var iterations = new HashSet<int>();
        for (int i = 0; i < count; i++)
        {
            var ai = a.WithValues(a.GetValues(i), []);
            var separate = ai.Solve(Tensor<double>.FromSpan(bh.AsSpan(i * n, n)), options with { CheckEvery = 1 });
            SameAsSeparate(separate, together.BatchResults[i]);
            Assert.Equal(separate.Solution.ToArray(), xh.AsSpan(i * n, n).ToArray());
            iterations.Add(separate.Iterations);
        }
        Assert.True(iterations.Count > 1, "the members should need different iteration counts (per-system masks)");
    }

    [Fact]
    public void ColumnsOfOneMatrixMatchSeparateSolvesAndAZeroColumnGivesZero()
    {
        int m = 10, k = 3;
        var a = Batch(m, 1).WithValues(Batch(m, 1).GetValues(0), []);
        int n = a.Rows;
        var bh = new double[n * k];
        var rng = new Random(3);
        for (int i = 0; i < n; i++) { bh[i * k] = rng.NextDouble(); bh[i * k + 1] = 0; bh[i * k + 2] = i % 7 - 3; }
        var x0h = Enumerable.Repeat(0.5, n * k).ToArray();
        var options = new SolveOptions { Method = SolveMethod.CG, Preconditioner = "jacobi", RelativeTolerance = 1e-9 };
        var together = a.Solve(Tensor<double>.FromSpan(bh, [n, k]), options, Tensor<double>.FromSpan(x0h, [n, k]));
        Assert.True(together.Converged);
        var xh = together.Solution.ToArray();
        for (int c = 0; c < k; c++)
        {
            var bc = Enumerable.Range(0, n).Select(i => bh[i * k + c]).ToArray();
            var separate = a.Solve(Tensor<double>.FromSpan(bc), options, Tensor<double>.FromSpan(Enumerable.Repeat(0.5, n).ToArray()));
            SameAsSeparate(separate, together.BatchResults[c]);
            for (int i = 0; i < n; i++) Assert.Equal(separate.Solution.ToArray()[i], xh[i * k + c], 12);
        }
        Assert.Equal(ConvergenceReason.ZeroRightHandSide, together.BatchResults[1].Reason);
        Assert.All(Enumerable.Range(0, n), i => Assert.Equal(0.0, xh[i * k + 1]));
    }

    [Fact]
    public void IterationLimitAndBroadcastRightHandSide()
    {
        var a = Batch(8, 3);
        var b = Tensor<double>.Ones([a.Rows]); // one b for every member
        var r = a.Solve(b, new SolveOptions { Method = SolveMethod.CG, Preconditioner = "none", MaxIterations = 3, CheckEvery = 2 });
        Assert.False(r.Converged);
        Assert.All(r.BatchResults, item =>
        {
            Assert.Equal(ConvergenceReason.MaxIterations, item.Reason);
            Assert.Equal(3, item.Iterations);
            Assert.Equal(4, item.ResidualHistory.Count);
        });
        for (int i = 0; i < 3; i++)
        {
            var separate = a.WithValues(a.GetValues(i), []).Solve(b, new SolveOptions { Method = SolveMethod.CG, Preconditioner = "none", MaxIterations = 3 });
            SameAsSeparate(separate, r.BatchResults[i]);
        }
    }
}
