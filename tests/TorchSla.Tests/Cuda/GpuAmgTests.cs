using TorchSla.Solvers;
using TorchSla.Solvers.Preconditioners;
using Xunit;

namespace TorchSla.Tests.Cuda;

/// <summary>Runs the GPU AMG tests alone: their many device allocations would disturb tests that count the backend's allocations.</summary>
[CollectionDefinition("GpuAmg", DisableParallelization = true)]
public sealed class GpuAmgCollection;

/// <summary>
/// AMG on <c>cuda:0</c> (the emulator in CI, the GPU with TORCHSLA_TEST_DEVICE=cuda): the hierarchy built
/// for a matrix on the device has the CPU hierarchy's structure, and it preconditions CG there as well.
/// </summary>
[Collection("GpuAmg")]
public class GpuAmgTests
{
    public GpuAmgTests() => GpuTestDevice.Ensure();

    // The emulator runs the kernels ~400× slower than the CPU backend: a 12×12 grid there.
    private static int Size => GpuTestDevice.IsReal ? 200 : 12;

    [Fact]
    public void AutoChoiceTakesAmgOnTheDeviceFromItsMeasuredSize()
    {
        // 1000² = AmgMinRowsOnDevice rows: CG + AMG on the GPU, while the CPU rule (AmgMinRows = 10⁵) would take
        // AMG already at 320²; on the device 320² keeps Jacobi.
        Assert.Equal(1000 * 1000, AutoSolverChoice.AmgMinRowsOnDevice);
        using var large = SparseTensor.Poisson2D<double>(1000);
        using var largeGpu = large.Cuda();
        Assert.Equal((SolveMethod.CG, "amg"), AutoSolverChoice.Choose(largeGpu, SolveOptions.Default));
        using var mid = SparseTensor.Poisson2D<double>(320);
        using var midGpu = mid.Cuda();
        Assert.Equal((SolveMethod.CG, "amg"), AutoSolverChoice.Choose(mid, SolveOptions.Default));
        Assert.Equal((SolveMethod.CG, "jacobi"), AutoSolverChoice.Choose(midGpu, SolveOptions.Default));
    }

    [Theory]
    [InlineData(AmgAggregation.Greedy)]
    [InlineData(AmgAggregation.Mis2)]
    public void DeviceHierarchyAgreesWithTheCpuOneAndPreconditionsCg(AmgAggregation aggregation)
    {
        using var a = SparseTensor.Poisson2D<double>(Size);
        using var ag = a.Cuda();
        // Chebyshev on both: the CPU's default smoother (Gauss–Seidel) is sequential and not on the device.
        var options = new AmgOptions { CoarseSize = Size, Aggregation = aggregation, Smoother = AmgSmoother.Chebyshev };
        using var cpu = new AmgPreconditioner<double>(a, options);
        using var gpu = new AmgPreconditioner<double>(ag, options);
        Assert.Equal(GpuTestDevice.Device, gpu.Device);
        Assert.True(cpu.Statistics.Levels >= 2, cpu.Statistics.ToString());
        Assert.Equal(cpu.Statistics.LevelStatistics.Select(l => (l.Rows, l.Nnz)), gpu.Statistics.LevelStatistics.Select(l => (l.Rows, l.Nnz)));
        Assert.Equal(cpu.Statistics.OperatorComplexity, gpu.Statistics.OperatorComplexity, 12);
        for (int l = 0; l < cpu.Statistics.Levels; l++)
            Assert.Equal(cpu.Statistics.LevelStatistics[l].SpectralRadius, gpu.Statistics.LevelStatistics[l].SpectralRadius, 6);

        // The coarse operators agree entry by entry (the CPU's Gustavson SpGEMM against the device's hash SpGEMM).
        for (int l = 1; l < cpu.Statistics.Levels; l++)
        {
            var h = cpu.Levels[l].A; var d = gpu.Levels[l].A;
            Assert.Equal(h.RowPointers, d.RowPointers);
            Assert.Equal(h.ColumnIndices, d.ColumnIndices);
            var hv = h.GetValues(); var dv = d.GetValues();
            double scale = hv.Max(Math.Abs);
            for (int k = 0; k < hv.Length; k++) Assert.True(Math.Abs(hv[k] - dv[k]) <= 1e-12 * scale, $"level {l} slot {k}: {hv[k]} vs {dv[k]}");
        }

        using var b = Tensor<double>.Ones([a.Rows]);
        using var bg = b.Cuda();
        var opts = new SolveOptions { RelativeTolerance = 1e-8 };
        var rc = TorchSla.Solvers.Krylov.Cg.Solve(a, b, options: opts, preconditioner: cpu);
        var rg = TorchSla.Solvers.Krylov.Cg.Solve(ag, bg, options: opts, preconditioner: gpu);
        Assert.True(rg.Converged, rg.ToString());
        Assert.InRange(rg.Iterations, rc.Iterations - 1, rc.Iterations + 1);
        // The true residual of the device solution, on the host.
        var x = rg.Solution.Cpu();
        using var r = a.Matmul(x);
        double rr = 0;
        foreach (var v in r.ToArray()) rr += (1 - v) * (1 - v);
        Assert.True(Math.Sqrt(rr / a.Rows) <= 1.01e-8, $"relative residual {Math.Sqrt(rr / a.Rows)}");
    }

    /// <summary>
    /// The defaults differ by device (greedy aggregation on the CPU, MIS-2 on the GPU), so the hierarchies differ;
    /// their structure must still agree within reason: level counts within one, operator complexities within 15 %,
    /// the first coarse level within 40 % in size, and CG iterations within a few of each other (and ≤ 25).
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void DefaultGpuHierarchyAgreesWithTheCpuOneInStructure(int dim)
    {
        int g = dim == 2 ? (GpuTestDevice.IsReal ? 400 : 20) : (GpuTestDevice.IsReal ? 50 : 8);
        using var a = dim == 2 ? SparseTensor.Poisson2D<double>(g) : SparseTensor.Poisson3D<double>(g);
        using var ag = a.Cuda();
        var options = new AmgOptions { CoarseSize = GpuTestDevice.IsReal ? 200 : 20, Smoother = AmgSmoother.Chebyshev };
        using var cpu = new AmgPreconditioner<double>(a, options);
        using var gpu = new AmgPreconditioner<double>(ag, options);
        var c = cpu.Statistics; var d = gpu.Statistics;
        Assert.InRange(d.Levels, c.Levels - 1, c.Levels + 1);
        Assert.InRange(d.OperatorComplexity / c.OperatorComplexity, 0.85, 1.15);
        Assert.InRange((double)d.LevelStatistics[1].Rows / c.LevelStatistics[1].Rows, 1 / 1.4, 1.4);

        using var b = Tensor<double>.Ones([a.Rows]);
        using var bg = b.Cuda();
        var opts = new SolveOptions { RelativeTolerance = 1e-8 };
        var rc = TorchSla.Solvers.Krylov.Cg.Solve(a, b, options: opts, preconditioner: cpu);
        var rg = TorchSla.Solvers.Krylov.Cg.Solve(ag, bg, options: opts, preconditioner: gpu);
        Assert.True(rc.Converged && rg.Converged, $"{rc} / {rg}");
        Assert.True(rg.Iterations <= 25 && Math.Abs(rg.Iterations - rc.Iterations) <= 5, $"CPU {rc.Iterations}, GPU {rg.Iterations} iterations; CPU {c}; GPU {d}");
    }
}
