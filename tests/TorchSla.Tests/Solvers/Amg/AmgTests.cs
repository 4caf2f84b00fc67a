using MathNet.Numerics.LinearAlgebra;
using TorchSla.Solvers;
using TorchSla.Solvers.Krylov;
using TorchSla.Solvers.Preconditioners;
using Xunit;

namespace TorchSla.Tests.Solvers.Amg;

/// <summary>Smoothed-aggregation AMG: mesh-independent PCG iteration counts, the hierarchy's algebra, refresh, bad input.</summary>
public class AmgTests
{
    private static Tensor<double> RandomRhs(int n, int seed = 7)
    {
        var rng = new Random(seed);
        var b = new double[n];
        for (int i = 0; i < n; i++) b[i] = rng.NextDouble() - 0.5;
        return Tensor<double>.FromArray(b, n);
    }

    /// <summary>−∇·(k∇u) on an n×n grid, 5-point, Dirichlet; k_x, k_y per cell, face coefficients by harmonic mean.</summary>
    private static SparseTensor<double> Diffusion2D(int n, Func<int, int, (double Kx, double Ky)> k) => DiffusionProblem.Diffusion2D(n, k);

    /// <summary>The library's PCG with the hierarchy as preconditioner; the residual is recomputed here.</summary>
    private static (int Iterations, double Residual) Pcg(SparseTensor<double> a, ILinearOperator<double> m, Tensor<double>? rhs = null)
    {
        var b = rhs ?? RandomRhs(a.Rows);
        var r = Cg.Solve(a, b, options: new SolveOptions { RelativeTolerance = 1e-8, MaxIterations = 500 }, preconditioner: m);
        return (r.Iterations, (b - a * r.Solution).Norm() / b.Norm());
    }

    private static (int Iterations, double Residual) Pcg(SparseTensor<double> a, AmgOptions? options = null)
    {
        using var amg = new AmgPreconditioner<double>(a, options);
        return Pcg(a, amg);
    }

    [Fact]
    public void Poisson2DIterationsStayBoundedAsTheGridGrows16Times()
    {
        var (small, rs) = Pcg(SparseTensor.Poisson2D<double>(64));
        var (large, rl) = Pcg(SparseTensor.Poisson2D<double>(256));
        Assert.True(rs <= 1e-8 * 1.01 && rl <= 1e-8 * 1.01, $"true residuals {rs}, {rl}");
        Assert.True(small <= 25 && large <= 25, $"iterations 64²: {small}, 256²: {large}");
        Assert.True(large <= small + 6, $"iterations grew from {small} to {large}");
    }

    [Fact]
    public void Poisson3DIterationsStayBoundedAsTheGridGrows16Times()
    {
        var (small, rs) = Pcg(SparseTensor.Poisson3D<double>(12));
        var (large, rl) = Pcg(SparseTensor.Poisson3D<double>(32));
        Assert.True(rs <= 1e-8 * 1.01 && rl <= 1e-8 * 1.01, $"true residuals {rs}, {rl}");
        Assert.True(small <= 25 && large <= 25, $"iterations 12³: {small}, 32³: {large}");
        Assert.True(large <= small + 6, $"iterations grew from {small} to {large}");
    }

    [Fact]
    public void AutoChoiceTakesAmgForLargeSpdSystemsOnTheCpu()
    {
        // 320² = 102 400 rows ≥ AmgMinRows; 300² = 90 000 below it.
        var large = SparseTensor.Poisson2D<double>(320);
        Assert.True(large.Rows >= AutoSolverChoice.AmgMinRows && 300 * 300 < AutoSolverChoice.AmgMinRows);
        Assert.Equal((SolveMethod.CG, "amg"), AutoSolverChoice.Choose(large, SolveOptions.Default));
        Assert.Equal((SolveMethod.CG, "jacobi"), AutoSolverChoice.Choose(SparseTensor.Poisson2D<double>(300), SolveOptions.Default));
        Assert.Equal((SolveMethod.Minres, "jacobi"), AutoSolverChoice.Choose(large, new SolveOptions { Method = SolveMethod.Minres }));
        var b = RandomRhs(large.Rows);
        var r = large.Solve(b, SolveOptions.Default);
        Assert.Equal("amg", r.Preconditioner);
        Assert.NotNull(r.Amg);
        Assert.True(r.Converged && r.Iterations <= 25, r.ToString());
        Assert.True((b - large * r.Solution).Norm() / b.Norm() <= 1.01e-8);
    }

    [Fact]
    public void Poisson3DDeepHierarchyKeepsTheIterationCountOfAShallowOne()
    {
        // Coarse levels of 3D smoothed aggregation carry wide Galerkin stencils: with θ fixed at 0.08 the
        // weak share of their couplings grows level by level and the cycle degrades (100³: 38 iterations
        // against 19 at 50³). θ decreasing per level (Vaněk et al. 1996) keeps a deep hierarchy as good as a 2-level one.
        var a = SparseTensor.Poisson3D<double>(24);
        var (shallow, rs) = Pcg(a, new AmgOptions { CoarseSize = 2000 });
        using var deep = new AmgPreconditioner<double>(a, new AmgOptions { CoarseSize = 20 });
        Assert.True(deep.Statistics.Levels >= 4, deep.Statistics.ToString());
        var (it, rd) = Pcg(a, deep);
        Assert.True(rs <= 1e-8 * 1.01 && rd <= 1e-8 * 1.01, $"true residuals {rs}, {rd}");
        Assert.True(it <= shallow + 2 && it <= 20, $"deep: {it}, shallow: {shallow} iterations");
    }

    [Theory]
    [InlineData(AmgSmoother.Chebyshev, AmgCycle.V)]
    [InlineData(AmgSmoother.Jacobi, AmgCycle.V)]
    [InlineData(AmgSmoother.L1Jacobi, AmgCycle.V)]
    [InlineData(AmgSmoother.SymmetricGaussSeidel, AmgCycle.V)]
    [InlineData(AmgSmoother.Chebyshev, AmgCycle.W)]
    [InlineData(AmgSmoother.SymmetricGaussSeidel, AmgCycle.W)]
    public void EverySmootherAndCycleConvergesOnPoisson(AmgSmoother smoother, AmgCycle cycle)
    {
        var (it, res) = Pcg(SparseTensor.Poisson2D<double>(96), new AmgOptions { Smoother = smoother, Cycle = cycle, CoarseSize = 50 });
        Assert.True(res <= 1e-8 * 1.01, $"true residual {res}");
        Assert.True(it <= 40, $"{smoother}/{cycle}: {it} iterations");
    }

    [Fact]
    public void Mis2AggregatesAreDistanceTwoNeighbourhoodsOfIndependentRoots()
    {
        int g = 30, n = g * g;
        var a = SparseTensor.Poisson2D<double>(g);
        var (sp, sc) = TorchSla.Kernels.Cpu.AmgGraph.Strength(n, a.RowPointers, a.ColumnIndices, a.GetValues(), a.Diagonal().ToArray(), 0.08);
        var (agg, count) = TorchSla.Kernels.Cpu.AmgGraph.Mis(n, sp, sc, 2);
        Assert.All(agg, x => Assert.InRange(x, 0, count - 1));
        // Graph distances by breadth-first search over the strong graph.
        int Distance(int s, int t)
        {
            var dist = new int[n]; Array.Fill(dist, -1); dist[s] = 0;
            var queue = new Queue<int>([s]);
            while (queue.Count > 0)
            {
                int u = queue.Dequeue();
                if (u == t) return dist[u];
                for (int k = sp[u]; k < sp[u + 1]; k++) if (dist[sc[k]] < 0) { dist[sc[k]] = dist[u] + 1; queue.Enqueue(sc[k]); }
            }
            return int.MaxValue;
        }
        // Every aggregate is connected within radius 2 of one of its nodes, and aggregates hold 1 to 13 nodes (a 2-ball of the 5-point grid).
        for (int c = 0; c < count; c++)
        {
            var members = Enumerable.Range(0, n).Where(i => agg[i] == c).ToArray();
            Assert.InRange(members.Length, 1, 13);
            Assert.Contains(members, r => members.All(m => Distance(r, m) <= 2));
        }
        Assert.InRange(count, n / 13, n / 3);
    }

    [Fact]
    public void Mis2HierarchyConvergesLikeTheGreedyOne()
    {
        var (small, rs) = Pcg(SparseTensor.Poisson2D<double>(64), new AmgOptions { Aggregation = AmgAggregation.Mis2 });
        var (large, rl) = Pcg(SparseTensor.Poisson2D<double>(256), new AmgOptions { Aggregation = AmgAggregation.Mis2 });
        Assert.True(rs <= 1e-8 * 1.01 && rl <= 1e-8 * 1.01, $"true residuals {rs}, {rl}");
        Assert.True(small <= 25 && large <= 25, $"iterations 64²: {small}, 256²: {large}");
    }

    [Fact]
    public void AnisotropicProblemConverges()
    {
        // ε = 10⁻³: strong coupling along x only; the strength test must aggregate along lines.
        var a = Diffusion2D(96, (_, _) => (1.0, 1e-3));
        var (it, res) = Pcg(a);
        Assert.True(res <= 1e-8 * 1.01, $"true residual {res}");
        Assert.True(it <= 60, $"{it} iterations");
    }

    [Fact]
    public void JumpingCoefficientProblemConverges()
    {
        // Checkerboard of 12×12 blocks with k = 1 and k = 10⁴.
        var a = Diffusion2D(96, (i, j) => ((i / 12 + j / 12) % 2 == 0 ? 1.0 : 1e4) is var c ? (c, c) : default);
        var (it, res) = Pcg(a);
        Assert.True(res <= 1e-8 * 1.01, $"true residual {res}");
        Assert.True(it <= 60, $"{it} iterations");
    }

    [Fact]
    public void Float32HierarchyPreconditionsAFloat64Solve()
    {
        var a = SparseTensor.Poisson2D<double>(128);
        var a32 = SparseTensor.Poisson2D<float>(128);
        using var amg32 = new AmgPreconditioner<float>(a32);
        using var m = new MixedPrecisionOperator<double, float>(amg32);
        var (it, res) = Pcg(a, m);
        var (it64, _) = Pcg(a);
        Assert.True(res <= 1e-8 * 1.01, $"true residual {res}");
        Assert.True(it <= it64 + 3, $"float32 preconditioner: {it} iterations, float64: {it64}");
    }

    [Fact]
    public void RegisteredAsAmgForTheKrylovSolvers()
    {
        Assert.Contains("amg", PreconditionerRegistry.Names);
        var a = SparseTensor.Poisson2D<double>(128);
        var b = RandomRhs(a.Rows);
        foreach (var method in new[] { SolveMethod.CG, SolveMethod.Fgmres })
        {
            var result = a.Solve(b, new SolveOptions { Method = method, Preconditioner = "amg", RelativeTolerance = 1e-8 });
            Assert.True(result.Converged, result.ToString());
            Assert.Equal("amg", result.Preconditioner);
            Assert.True(result.Iterations <= 25, result.ToString());
            Assert.True((b - a * result.Solution).Norm() <= 1.01e-8 * b.Norm());
        }
    }

    [Fact]
    public void MethodAmgSolvesThroughTheSolveEntryPoint()
    {
        Assert.Equal(SolveMethod.Amg, SolveMethods.Parse("amg"));
        var a = SparseTensor.Poisson2D<double>(64);
        var b = RandomRhs(a.Rows);
        var result = a.Solve(b, new SolveOptions { Method = SolveMethod.Amg, RelativeTolerance = 1e-8 });
        Assert.True(result.Converged, result.ToString());
        Assert.Equal(SolveMethod.Amg, result.MethodUsed);
        Assert.True((b - a * result.Solution).Norm() <= 1.01e-8 * b.Norm());
        // Starting from the answer, no cycle is needed.
        var again = a.Solve(b, new SolveOptions { Method = SolveMethod.Amg, RelativeTolerance = 1e-6 }, result.Solution);
        Assert.Equal(0, again.Iterations);
    }

    [Fact]
    public void StandaloneSolverReachesTheTolerance()
    {
        var a = SparseTensor.Poisson3D<double>(16);
        var b = RandomRhs(a.Rows, 3);
        using var amg = new AmgPreconditioner<double>(a, new AmgOptions { Smoother = AmgSmoother.SymmetricGaussSeidel });
        var result = amg.Solve(b, new SolveOptions { RelativeTolerance = 1e-8 });
        Assert.True(result.Converged, result.ToString());
        Assert.Equal(SolveMethod.Amg, result.MethodUsed);
        var r = b - a * result.Solution; // recomputed here, not taken from the solver
        Assert.True(r.Norm() <= 1e-8 * b.Norm() * 1.01, $"‖r‖/‖b‖ = {r.Norm() / b.Norm()}");
        Assert.True(result.Iterations <= 30, result.ToString());
    }

    [Fact]
    public void CycleIsASymmetricOperator()
    {
        // CG needs M = Mᵀ: xᵀ(M y) = yᵀ(M x) up to rounding, for each smoother.
        var a = SparseTensor.Poisson2D<double>(40);
        foreach (var s in new[] { AmgSmoother.Chebyshev, AmgSmoother.SymmetricGaussSeidel, AmgSmoother.Jacobi })
        {
            using var amg = new AmgPreconditioner<double>(a, new AmgOptions { Smoother = s, CoarseSize = 30 });
            var x = RandomRhs(a.Rows, 1); var y = RandomRhs(a.Rows, 2);
            var mx = Tensor<double>.Zeros([a.Rows]); var my = Tensor<double>.Zeros([a.Rows]);
            amg.Apply(x, mx); amg.Apply(y, my);
            double l = x.Dot(my), r = y.Dot(mx);
            Assert.True(Math.Abs(l - r) <= 1e-10 * Math.Abs(l), $"{s}: xᵀMy = {l}, yᵀMx = {r}");
        }
    }

    [Fact]
    public void CoarseOperatorIsTheGalerkinProductOfTheProlongator()
    {
        var a = SparseTensor.Poisson2D<double>(12);
        using var amg = new AmgPreconditioner<double>(a, new AmgOptions { CoarseSize = 10 });
        Assert.True(amg.Statistics.Levels >= 2);
        var l0 = amg.Levels[0];
        var ad = Matrix<double>.Build.DenseOfArray(a.ToDense().ToArray2D());
        var p = Matrix<double>.Build.DenseOfArray(l0.P!.ToDense().ToArray2D());
        var pt = Matrix<double>.Build.DenseOfArray(l0.Tentative!.ToDense().ToArray2D());
        var ac = Matrix<double>.Build.DenseOfArray(amg.Levels[1].A.ToDense().ToArray2D());
        Assert.True((p.Transpose() * ad * p - ac).InfinityNorm() <= 1e-12 * ac.InfinityNorm());
        Assert.True((l0.R!.ToDense().ToArray2D() is var r) && (Matrix<double>.Build.DenseOfArray(r) - p.Transpose()).InfinityNorm() == 0);
        // P = (I − ω·D⁻¹A)·P̂ with ω = 4/(3ρ), ρ the estimate of λ_max(D⁻¹A).
        var dinv = Matrix<double>.Build.DenseOfDiagonalArray(ad.Diagonal().Map(d => 1 / d).ToArray());
        double omega = 4 / (3 * l0.SpectralRadius);
        var expected = (Matrix<double>.Build.DenseIdentity(a.Rows) - omega * dinv * ad) * pt;
        Assert.True((expected - p).InfinityNorm() <= 1e-12);
        // ρ is a Ritz value: below the true λ_max(D⁻¹A) and close to it. With Gauss–Seidel smoothing (the CPU default) only ω
        // uses it, from 4 Lanczos steps: P stays a smoothing step (ω·λ_max < 2) with room to spare; a Chebyshev hierarchy, whose
        // interval ends at 1.1·λ̂, takes 6 steps and is within 5 %.
        double lmax = (dinv * ad).Evd().EigenValues.Max(e => e.Real);
        Assert.InRange(l0.SpectralRadius, 0.9 * lmax, lmax * (1 + 1e-10));
        using var chebyshev = new AmgPreconditioner<double>(a, new AmgOptions { CoarseSize = 10, Smoother = AmgSmoother.Chebyshev });
        Assert.InRange(chebyshev.Levels[0].SpectralRadius, 0.95 * lmax, lmax * (1 + 1e-10));
    }

    [Fact]
    public void TentativeProlongatorReproducesTheNearNullSpaceWithOrthonormalColumns()
    {
        // k = 2: the constant and a linear function, as given by a user.
        int g = 15, n = g * g;
        var ns = new double[2 * n];
        for (int i = 0; i < n; i++) { ns[2 * i] = 1; ns[2 * i + 1] = i % g; }
        var a = SparseTensor.Poisson2D<double>(g);
        var host = a.GetValues();
        var (sp, sc) = TorchSla.Kernels.Cpu.AmgGraph.Strength(n, a.RowPointers, a.ColumnIndices, host, a.Diagonal().ToArray(), 0.08);
        var (agg, count) = Aggregation.Greedy(n, sp, sc);
        Assert.All(agg, x => Assert.InRange(x, 0, count - 1)); // every node of a connected grid is aggregated
        var (rp, ci, v, nc, bc) = TentativeProlongator.Build(n, agg, count, ns, 2);
        var p = Matrix<double>.Build.Dense(n, nc);
        for (int i = 0; i < n; i++) for (int q = rp[i]; q < rp[i + 1]; q++) p[i, ci[q]] = v[q];
        Assert.True((p.TransposeThisAndMultiply(p) - Matrix<double>.Build.DenseIdentity(nc)).InfinityNorm() <= 1e-12);
        var bcm = Matrix<double>.Build.Dense(nc, 2, (i, j) => bc[i * 2 + j]);
        var bm = Matrix<double>.Build.Dense(n, 2, (i, j) => ns[i * 2 + j]);
        Assert.True((p * bcm - bm).InfinityNorm() <= 1e-12 * g);
    }

    [Fact]
    public void NearNullSpaceOptionBuildsAWorkingHierarchy()
    {
        int g = 48, n = g * g;
        var ns = new double[2 * n];
        for (int i = 0; i < n; i++) { ns[2 * i] = 1; ns[2 * i + 1] = (i % g) / (double)g; }
        var (it, res) = Pcg(SparseTensor.Poisson2D<double>(g), new AmgOptions { NearNullSpace = ns, NearNullSpaceVectors = 2, CoarseSize = 40 });
        Assert.True(res <= 1e-8 * 1.01 && it <= 25, $"{it} iterations, residual {res}");
    }

    [Fact]
    public void RefreshWithNewValuesEqualsAFreshBuild()
    {
        var a = Diffusion2D(40, (i, j) => (1.0, 1.0));
        var a2 = Diffusion2D(40, (i, j) => (1.0 + 0.5 * Math.Sin(i), 2.0 + Math.Cos(j)));
        // θ = 0 makes every stored connection strong, so the aggregation depends on the pattern alone
        // and a fresh build on a2 must produce exactly the refreshed hierarchy.
        var options = new AmgOptions { CoarseSize = 40, StrengthThreshold = 0 };
        using var refreshed = new AmgPreconditioner<double>(a, options);
        var before = refreshed.Statistics;
        refreshed.Refresh(a2);
        using var fresh = new AmgPreconditioner<double>(a2, options);
        Assert.Equal(before.Levels, refreshed.Statistics.Levels);
        Assert.Equal(fresh.Statistics.LevelStatistics.Select(l => (l.Rows, l.Nnz)), refreshed.Statistics.LevelStatistics.Select(l => (l.Rows, l.Nnz)));
        var x = RandomRhs(a.Rows);
        var y1 = Tensor<double>.Zeros([a.Rows]); var y2 = Tensor<double>.Zeros([a.Rows]);
        refreshed.Apply(x, y1); fresh.Apply(x, y2);
        Assert.True((y1 - y2).Norm() <= 1e-12 * y2.Norm(), $"difference {(y1 - y2).Norm() / y2.Norm()}");
        var (it, res) = Pcg(a2, refreshed, x);
        Assert.True(res <= 1e-8 * 1.01 && it <= 25, $"{it} iterations, residual {res}");
    }

    [Fact]
    public void StatisticsDescribeTheHierarchy()
    {
        var a = SparseTensor.Poisson2D<double>(100);
        using var amg = new AmgPreconditioner<double>(a, new AmgOptions { CoarseSize = 100 });
        var s = amg.Statistics;
        Assert.Equal(a.Rows, s.LevelStatistics[0].Rows);
        Assert.Equal(a.Nnz, s.LevelStatistics[0].Nnz);
        for (int l = 0; l < s.Levels; l++)
        {
            Assert.Equal(amg.Levels[l].A.Rows, s.LevelStatistics[l].Rows);
            Assert.Equal(amg.Levels[l].A.Nnz, s.LevelStatistics[l].Nnz);
            if (l > 0) Assert.True(s.LevelStatistics[l].Rows < s.LevelStatistics[l - 1].Rows / 3, "aggregates of a 2D grid hold more than 3 nodes on average");
        }
        Assert.True(s.LevelStatistics[^1].Rows <= 100);
        double expected = Enumerable.Range(0, s.Levels).Sum(l => (double)amg.Levels[l].A.Nnz) / a.Nnz;
        Assert.Equal(expected, s.OperatorComplexity, 12);
        Assert.InRange(s.OperatorComplexity, 1.0, 2.0);
        Assert.Contains("operator complexity", s.ToString(), StringComparison.Ordinal);
        Assert.Equal("cholesky", s.CoarseSolver);
    }

    [Fact]
    public void BadInputIsRefusedWithSpecificErrors()
    {
        var rect = SparseTensor.FromCoo<double>([1.0, 1.0], [0, 1], [0, 1], [2, 3]);
        Assert.Throws<ShapeMismatchException>(() => new AmgPreconditioner<double>(rect));
        var zeroDiag = SparseTensor.FromCoo<double>([2.0, -1.0, -1.0, 0.0], [0, 0, 1, 1], [0, 1, 0, 1], [2, 2]);
        var ex = Assert.Throws<ArgumentException>(() => new AmgPreconditioner<double>(zeroDiag));
        Assert.Contains("row 1", ex.Message, StringComparison.Ordinal);
        var a = SparseTensor.Poisson2D<double>(10);
        using var amg = new AmgPreconditioner<double>(a);
        Assert.Throws<ShapeMismatchException>(() => amg.Apply(Tensor<double>.Zeros([99]), Tensor<double>.Zeros([100])));
        Assert.Throws<ArgumentException>(() => amg.Refresh(SparseTensor.Poisson2D<double>(11)));
        Assert.Throws<ShapeMismatchException>(() => new AmgPreconditioner<double>(a, new AmgOptions { NearNullSpace = new double[7] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AmgPreconditioner<double>(a, new AmgOptions { StrengthThreshold = -1 }));
        var nanHost = new double[100]; nanHost[5] = double.NaN;
        var nan = Tensor<double>.FromArray(nanHost, 100);
        Assert.Throws<NonFiniteValueException>(() => amg.Solve(nan));
        var bAll = RandomRhs(100); var copy = a.GetValues();
        amg.Solve(bAll);
        Assert.Equal(copy, a.GetValues()); // the matrix is not modified
    }

    [Fact]
    public void DiagonalMatrixNeedsNoCoarseLevel()
    {
        // No off-diagonal entries: nothing is strong, nothing aggregates; the hierarchy is one level.
        int n = 2000;
        var idx = Enumerable.Range(0, n).ToArray();
        var a = SparseTensor.FromCoo<double>(idx.Select(i => 1.0 + i).ToArray(), idx, idx, [n, n]);
        using var amg = new AmgPreconditioner<double>(a, new AmgOptions { CoarseSize = 10, MaxDirectSize = 10 });
        Assert.Equal(1, amg.Statistics.Levels);
        var r = amg.Solve(RandomRhs(n));
        Assert.True(r.Converged, r.ToString());
    }
}
