using TorchSla.Kernels.Cuda;
using TorchSla.Solvers;
using TorchSla.Solvers.Krylov;
using TorchSla.Solvers.Preconditioners;
using Xunit;

namespace TorchSla.Tests.Cuda;

/// <summary>
/// BiCGStab with device-resident scalars: on the GPU backend (emulator in CI, the GPU with TORCHSLA_TEST_DEVICE=cuda)
/// it reads its scalars back every CheckEvery iterations and still takes the CPU's iterations, history and solution;
/// on the CPU the check interval changes no bit; the loop allocates no device memory.
/// </summary>
[Collection(nameof(DeviceAllocationCounting))]
public class GpuBiCgStabTests
{
    private static Device Gpu => GpuTestDevice.Ensure();

    private static int M => GpuTestDevice.IsReal ? 120 : 5;

    /// <summary>2D convection–diffusion: the 5-point Laplacian plus a one-sided first difference (unsymmetric), variable diagonal.</summary>
    internal static SparseTensor<double> ConvectionDiffusion(int m, double wind = 0.6)
    {
        var a = SparseTensor.Poisson2D<double>(m);
        var v = a.GetValues();
        var rp = a.RowPointers; var ci = a.ColumnIndices;
        for (int i = 0; i < a.Rows; i++)
            for (int k = rp[i]; k < rp[i + 1]; k++)
                v[k] += ci[k] == i ? i % 3 : ci[k] == i - 1 ? -wind : ci[k] == i + 1 ? wind / 2 : 0;
        return a.WithValues(v, []);
    }

    [Theory]
    [InlineData("none", 8)]
    [InlineData("jacobi", 3)]
    [InlineData("ilu0", 8)] // a general M applied as an operator
    public void GpuBiCgStabMatchesTheCpu(string precond, int checkEvery)
    {
        var cpuA = ConvectionDiffusion(M);
        var bh = Enumerable.Range(0, cpuA.Rows).Select(i => Math.Cos(0.3 * i) + 0.1).ToArray();
        var options = new SolveOptions { Method = SolveMethod.BiCgStab, Preconditioner = precond, RelativeTolerance = 1e-10 };
        var cpu = cpuA.Solve(Tensor<double>.FromSpan(bh), options);
        var gpu = cpuA.To(Gpu).Solve(Tensor<double>.FromSpan(bh, device: Gpu), options with { CheckEvery = checkEvery });
        Assert.True(cpu.Converged, cpu.ToString());
        Assert.True(gpu.Converged, gpu.ToString());
        Assert.Equal(cpu.Iterations, gpu.Iterations);
        Assert.Equal(cpu.ResidualHistory.Count, gpu.ResidualHistory.Count);
        for (int k = 0; k < cpu.ResidualHistory.Count; k++)
            Assert.True(Math.Abs(cpu.ResidualHistory[k] - gpu.ResidualHistory[k]) <= 1e-7 * cpu.ResidualHistory[0],
                $"‖r_{k}‖: cpu {cpu.ResidualHistory[k]}, gpu {gpu.ResidualHistory[k]}");
        Assert.True(gpu.FinalRelativeResidual <= 1e-10);
        var xc = cpu.Solution.ToArray(); var xg = gpu.Solution.ToArray();
        for (int i = 0; i < xc.Length; i++) Assert.Equal(xc[i], xg[i], 7);
    }

    [Theory]
    [InlineData("none", 4)]
    [InlineData("jacobi", 7)]
    public void CheckIntervalChangesNoBitOnTheCpu(string precond, int checkEvery)
    {
        var a = ConvectionDiffusion(20);
        var b = Tensor<double>.Random([a.Rows], 2);
        var options = new SolveOptions { Method = SolveMethod.BiCgStab, Preconditioner = precond, RelativeTolerance = 1e-11 };
        var every = a.Solve(b, options with { CheckEvery = 1 });
        var some = a.Solve(b, options with { CheckEvery = checkEvery });
        Assert.True(every.Converged);
        Assert.Equal(every.Reason, some.Reason);
        Assert.Equal(every.Iterations, some.Iterations);
        Assert.Equal(every.ResidualHistory, some.ResidualHistory);
        Assert.Equal(every.Solution.ToArray(), some.Solution.ToArray());
    }

    [Fact]
    public void TheLoopAllocatesNoDeviceMemory()
    {
        var a = ConvectionDiffusion(M).To(Gpu);
        var b = Tensor<double>.Ones([a.Rows], Gpu);
        var jacobi = new JacobiPreconditioner<double>(a);
        long Run(int iterations)
        {
            var options = new SolveOptions { RelativeTolerance = 1e-30, MaxIterations = iterations, CheckEvery = 4 };
            _ = BiCgStab.Solve(a, b, null, options with { MaxIterations = 2 }, null, jacobi); // same scratch sizes reached
            long before = IlgpuBackend.ThreadAllocations;
            var r = BiCgStab.Solve(a, b, null, options, null, jacobi);
            Assert.True(r.Iterations <= iterations);
            return IlgpuBackend.ThreadAllocations - before;
        }
        long few = Run(4), many = Run(12);
        Assert.Equal(few, many);
    }
}
