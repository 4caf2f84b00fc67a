using TorchSla;
using TorchSla.IO;
using TorchSla.Solvers;
using Xunit;
using static TorchSla.Tests.Solvers.Direct.DirectTestHelpers;

namespace TorchSla.Tests.Solvers.Direct;

/// <summary>
/// <see cref="SolveMethod.Auto"/> on the CPU takes the sparse direct solvers where the README's table says
/// (<see cref="AutoSolverChoice.LuMaxRows"/>, <see cref="AutoSolverChoice.LdltMaxRows"/>), and what it returns
/// solves the system to the direct solvers' accuracy.
/// </summary>
public class AutoDirectChoiceTests
{
    [Theory]
    [InlineData("west0479.mtx")]
    [InlineData("bp_1200.mtx")]
    [InlineData("olm1000.mtx")]
    [InlineData("cryg2500.mtx")]
    public void AutoSolvesTheSharedUnsymmetricMatricesWithLuToBackwardErrorBelow1e14(string file)
    {
        var a = MatrixMarket.Read<double>(TestPaths.Matrix(file));
        var b = RandomVector(a.Rows, 7);
        var r = a.Solve(Tensor<double>.FromArray(b), SolveOptions.Default);
        Assert.Equal(SolveMethod.Lu, r.MethodUsed);
        Assert.Equal(ConvergenceReason.Factorized, r.Reason);
        double be = BackwardError(a, r.Solution.ToArray(), b);
        Assert.True(be <= 1e-14, $"{file}: backward error {be:g3}");
    }

    [Fact]
    public void AutoSolvesTheIndefiniteHangGliderWithLdlt()
    {
        var a = MatrixMarket.Read<double>(TestPaths.Matrix("hangGlider_2.mtx"));
        var b = RandomVector(a.Rows, 8);
        var r = a.Solve(Tensor<double>.FromArray(b), SolveOptions.Default);
        Assert.Equal(SolveMethod.Ldlt, r.MethodUsed);
        double be = BackwardError(a, r.Solution.ToArray(), b);
        Assert.True(be <= 1e-14, $"backward error {be:g3}");
    }

    [Fact]
    public void TheRowLimitsSwitchToTheKrylovRows()
    {
        // Nonsymmetric: an upwinded 1D convection–diffusion operator, tridiagonal, one row over and at the limit.
        SparseTensor<double> Upwind(int n)
        {
            var rows = new List<int>(); var cols = new List<int>(); var vals = new List<double>();
            for (int i = 0; i < n; i++)
            {
                rows.Add(i); cols.Add(i); vals.Add(3);
                if (i > 0) { rows.Add(i); cols.Add(i - 1); vals.Add(-2); }
                if (i < n - 1) { rows.Add(i); cols.Add(i + 1); vals.Add(-0.5); }
            }
            return SparseTensor.FromCoo<double>(vals.ToArray(), rows.ToArray(), cols.ToArray(), [n, n]);
        }
        Assert.Equal((SolveMethod.Lu, "none"), AutoSolverChoice.Choose(Upwind(AutoSolverChoice.LuMaxRows), SolveOptions.Default));
        Assert.Equal((SolveMethod.Gmres, "ilu0"), AutoSolverChoice.Choose(Upwind(AutoSolverChoice.LuMaxRows + 1), SolveOptions.Default));
        // Symmetric with a negative diagonal entry.
        SparseTensor<double> Indefinite(int n)
        {
            var idx = Enumerable.Range(0, n).ToArray();
            return SparseTensor.FromCoo<double>(idx.Select(i => i == 0 ? -1.0 : 1.0).ToArray(), idx, idx, [n, n]);
        }
        Assert.Equal((SolveMethod.Ldlt, "none"), AutoSolverChoice.Choose(Indefinite(AutoSolverChoice.LdltMaxRows), SolveOptions.Default));
        Assert.Equal((SolveMethod.Minres, "none"), AutoSolverChoice.Choose(Indefinite(AutoSolverChoice.LdltMaxRows + 1), SolveOptions.Default));
        // Symmetric with a positive diagonal keeps CG at every size (Jacobi-PCG beat Cholesky at every size measured).
        Assert.Equal((SolveMethod.CG, "jacobi"), AutoSolverChoice.Choose(SparseTensor.Poisson2D<double>(4), SolveOptions.Default));
        // An explicit method is never replaced.
        Assert.Equal(SolveMethod.Gmres, AutoSolverChoice.Choose(Upwind(50), new SolveOptions { Method = SolveMethod.Gmres }).Method);
    }
}
