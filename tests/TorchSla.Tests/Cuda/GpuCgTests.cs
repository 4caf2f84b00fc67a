using TorchSla.Kernels;
using TorchSla.Kernels.Cuda;
using TorchSla.Solvers;
using TorchSla.Solvers.Krylov;
using TorchSla.Solvers.Preconditioners;
using Xunit;

namespace TorchSla.Tests.Cuda;

/// <summary>
/// CG on the GPU backend (emulator in CI, the GPU with TORCHSLA_TEST_DEVICE=cuda) against CG on the CPU: the
/// device-resident scalars read back every CheckEvery iterations give the same iterations, history and
/// solution as the CPU's every-iteration check, and the loop allocates no device memory.
/// </summary>
// Counts the backend's device allocations around a solve: other test classes allocating on the same
// backend at the same time would be counted too, so this class runs with no other test in parallel.
[Collection(nameof(DeviceAllocationCounting))]
public class GpuCgTests
{
    private static Device Gpu => GpuTestDevice.Ensure();

    private static int M => GpuTestDevice.IsReal ? 200 : 4;

    [Theory]
    [InlineData("none", 8)]
    [InlineData("jacobi", 3)]
    [InlineData("chebyshev", 8)] // a general M: applied as an operator, ρ = rᵀz by DotInto
    public void GpuCgMatchesCpuCg(string precond, int checkEvery)
    {
        var cpuA = SparseTensor.Poisson2D<double>(M);
        // A non-constant diagonal, so that Jacobi changes the iteration.
        var v = cpuA.GetValues();
        var diag = cpuA.Pattern.DiagonalSlots();
        for (int i = 0; i < cpuA.Rows; i++) v[diag[i]] += i % 3;
        cpuA = cpuA.WithValues(v, []);
        var gpuA = cpuA.To(Gpu);
        var bh = Enumerable.Range(0, cpuA.Rows).Select(i => Math.Sin(i + 1.0)).ToArray();
        var options = new SolveOptions { Method = SolveMethod.CG, Preconditioner = precond, RelativeTolerance = 1e-10 };
        var cpu = cpuA.Solve(Tensor<double>.FromSpan(bh), options);
        var gpu = gpuA.Solve(Tensor<double>.FromSpan(bh, device: Gpu), options with { CheckEvery = checkEvery });

        Assert.True(cpu.Converged);
        Assert.True(gpu.Converged, gpu.ToString());
        Assert.Equal(precond, gpu.Preconditioner);
        Assert.Equal(cpu.Iterations, gpu.Iterations);
        Assert.Equal(cpu.ResidualHistory.Count, gpu.ResidualHistory.Count);
        for (int k = 0; k < cpu.ResidualHistory.Count; k++)
            Assert.True(Math.Abs(cpu.ResidualHistory[k] - gpu.ResidualHistory[k]) <= 1e-8 * cpu.ResidualHistory[0],
                $"‖r_{k}‖: cpu {cpu.ResidualHistory[k]}, gpu {gpu.ResidualHistory[k]}");
        Assert.True(gpu.FinalRelativeResidual <= 1e-10);
        var xc = cpu.Solution.ToArray(); var xg = gpu.Solution.ToArray();
        for (int i = 0; i < xc.Length; i++) Assert.Equal(xc[i], xg[i], 8);
    }

    [Theory]
    [InlineData("jacobi", 8)]
    [InlineData("none", 3)]
    public void TwoPassGpuCgMatchesCpuCg(string precond, int checkEvery)
    {
        // Below Cg.TwoPassMinLength a GPU takes three passes by default: force the two-pass iteration here.
        bool? before = Cg.TwoPass;
        Cg.TwoPass = true;
        try { GpuCgMatchesCpuCg(precond, checkEvery); }
        finally { Cg.TwoPass = before; }
    }

    [Fact]
    public void GpuCgReportsIndefiniteMatrixAtTheSameIterationAsTheCpu()
    {
        // diag(1, …, 1, −1) ⊕ Poisson coupling: pᵀAp < 0 shows up after a few steps.
        var a = SparseTensor.Poisson2D<double>(4);
        var v = a.GetValues();
        v[a.Pattern.DiagonalSlots()[a.Rows - 1]] = -30;
        a = a.WithValues(v, []);
        var b = Tensor<double>.Ones([a.Rows]);
        var options = new SolveOptions { Method = SolveMethod.CG, Preconditioner = "none" };
        var cpu = a.Solve(b, options);
        var gpu = a.To(Gpu).Solve(b.To(Gpu), options with { CheckEvery = 8 });
        Assert.Equal(ConvergenceReason.IndefiniteMatrix, cpu.Reason);
        Assert.Equal(cpu.Reason, gpu.Reason);
        Assert.Equal(cpu.Iterations, gpu.Iterations);
        var xc = cpu.Solution.ToArray(); var xg = gpu.Solution.ToArray();
        for (int i = 0; i < xc.Length; i++) Assert.Equal(xc[i], xg[i], 10);
    }

    [Fact]
    public void TheLoopAllocatesNoDeviceMemory()
    {
        var a = SparseTensor.Poisson2D<double>(M).To(Gpu);
        var b = Tensor<double>.Ones([a.Rows], Gpu);
        var jacobi = new JacobiPreconditioner<double>(a);
        long Run(int iterations)
        {
            var options = new SolveOptions { RelativeTolerance = 1e-30, MaxIterations = iterations, CheckEvery = 4 };
            _ = Cg.Solve(a, b, null, options with { MaxIterations = 2 }, null, jacobi); // same scratch sizes reached
            long before = IlgpuBackend.ThreadAllocations;
            var r = Cg.Solve(a, b, null, options, null, jacobi);
            Assert.Equal(iterations, r.Iterations);
            return IlgpuBackend.ThreadAllocations - before;
        }
        long few = Run(4), many = Run(12);
        Assert.Equal(few, many);
    }
}

/// <summary>Batched systems and multi-RHS CG on the GPU backend against the CPU (one launch per step across the batch).</summary>
public class GpuBatchedCgTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BatchAndColumnsMatchTheCpu(bool columns)
    {
        var gpu = GpuTestDevice.Ensure();
        int m = GpuTestDevice.IsReal ? 64 : 4, count = 3;
        var one = SparseTensor.Poisson2D<double>(m);
        int n = one.Rows;
        var v = one.GetValues();
        var all = new double[count * one.Nnz];
        for (int i = 0; i < count; i++) for (int k = 0; k < one.Nnz; k++) all[i * one.Nnz + k] = v[k] * (1 + i);
        var a = columns ? one : one.WithValues(all, [count]);
        var b = Tensor<double>.Random(columns ? [n, count] : [count, n], 5);
        var options = new SolveOptions { Method = SolveMethod.CG, Preconditioner = "jacobi", RelativeTolerance = 1e-10 };
        var cpu = a.Solve(b, options);
        var dev = a.To(gpu).Solve(b.To(gpu), options with { CheckEvery = 4 });
        Assert.True(dev.Converged, dev.ToString());
        Assert.Equal(cpu.BatchResults.Select(r => r.Iterations), dev.BatchResults.Select(r => r.Iterations));
        var xc = cpu.Solution.ToArray(); var xg = dev.Solution.ToArray();
        for (int i = 0; i < xc.Length; i++) Assert.Equal(xc[i], xg[i], 9);
    }
}

/// <summary>Tests that count the shared test backend's allocations: run alone (no parallel test allocates meanwhile).</summary>
[CollectionDefinition(nameof(DeviceAllocationCounting), DisableParallelization = true)]
public sealed class DeviceAllocationCounting;
