using TorchSla.Kernels;
using TorchSla.Kernels.Cuda;
using TorchSla.Solvers;
using TorchSla.Solvers.Krylov;
using TorchSla.Solvers.Preconditioners;
using TorchSla.Tests.Solvers;
using Xunit;

namespace TorchSla.Tests.Cuda;

/// <summary>
/// GMRES(m) and FGMRES(m) with the Arnoldi process on the device (CGS2, the least-squares problem in a device scalar
/// block): on the GPU backend (emulator in CI, the GPU with TORCHSLA_TEST_DEVICE=cuda) they read back every CheckEvery
/// steps and still take the CPU's iterations, history and solution; on the CPU the check interval changes no bit and
/// bounds the read-backs per cycle; a happy breakdown between checks, the iteration limit and cancellation end the
/// solve correctly; the loop allocates no device memory.
/// </summary>
[Collection(nameof(DeviceAllocationCounting))]
public class GpuGmresTests
{
    private static Device Gpu => GpuTestDevice.Ensure();

    private static int M => GpuTestDevice.IsReal ? 120 : 5;

    /// <summary>A short restart on the emulator, so that a tiny solve still takes several cycles.</summary>
    private static int Restart => GpuTestDevice.IsReal ? 10 : 6;

    private static double[] Rhs(int n) => Enumerable.Range(0, n).Select(i => Math.Cos(0.3 * i) + 0.1).ToArray();

    [Theory]
    [InlineData("gmres", "none", 3)]
    [InlineData("gmres", "ilu0", 4)]
    [InlineData("fgmres", "jacobi", 5)]
    public void GpuGmresMatchesTheCpu(string method, string precond, int checkEvery)
    {
        var cpuA = GpuBiCgStabTests.ConvectionDiffusion(M);
        var bh = Rhs(cpuA.Rows);
        var options = new SolveOptions { Method = SolveMethods.Parse(method), Preconditioner = precond, RelativeTolerance = 1e-9, Restart = Restart };
        var cpu = cpuA.Solve(Tensor<double>.FromSpan(bh), options);
        var gpu = cpuA.To(Gpu).Solve(Tensor<double>.FromSpan(bh, device: Gpu), options with { CheckEvery = checkEvery });
        Assert.True(cpu.Converged, cpu.ToString());
        Assert.True(gpu.Converged, gpu.ToString());
        Assert.True(cpu.Iterations > Restart, "the solve should take more than one cycle");
        Assert.Equal(cpu.Iterations, gpu.Iterations);
        Assert.Equal(cpu.ResidualHistory.Count, gpu.ResidualHistory.Count);
        for (int k = 0; k < cpu.ResidualHistory.Count; k++)
            Assert.True(Math.Abs(cpu.ResidualHistory[k] - gpu.ResidualHistory[k]) <= 1e-7 * cpu.ResidualHistory[0],
                $"‖r_{k}‖: cpu {cpu.ResidualHistory[k]}, gpu {gpu.ResidualHistory[k]}");
        Assert.True(gpu.FinalRelativeResidual <= 1e-9);
        Assert.Equal(KrylovSolverTests.Relres(cpuA, gpu.Solution.ToArray(), bh), gpu.FinalRelativeResidual, 1e-12);
        var xc = cpu.Solution.ToArray(); var xg = gpu.Solution.ToArray();
        for (int i = 0; i < xc.Length; i++) Assert.Equal(xc[i], xg[i], 7);
    }

    [Theory]
    [InlineData("gmres", "none", 4)]
    [InlineData("gmres", "ilu0", 7)]
    [InlineData("fgmres", "jacobi", 10)]
    public void CheckIntervalChangesNoBitOnTheCpu(string method, string precond, int checkEvery)
    {
        var a = GpuBiCgStabTests.ConvectionDiffusion(20);
        var b = Tensor<double>.Random([a.Rows], 2);
        var options = new SolveOptions { Method = SolveMethods.Parse(method), Preconditioner = precond, RelativeTolerance = 1e-11, Restart = 20 };
        var every = a.Solve(b, options with { CheckEvery = 1 });
        var some = a.Solve(b, options with { CheckEvery = checkEvery });
        Assert.True(every.Converged, every.ToString());
        Assert.Equal(every.Reason, some.Reason);
        Assert.Equal(every.Iterations, some.Iterations);
        Assert.Equal(every.ResidualHistory, some.ResidualHistory);
        Assert.Equal(every.Solution.ToArray(), some.Solution.ToArray());
    }

    [Theory]
    [InlineData("gmres")]
    [InlineData("fgmres")]
    public void ReadBacksPerCycleAreBoundedByTheCheckInterval(string method)
    {
        // GMRES(30) on 2D Poisson 20×20 without M takes several cycles. Per cycle the host may read the scalar block
        // ⌈m/CheckEvery⌉ times and the true residual's norm once; before the first cycle ‖b‖ and the NaN scan of b.
        const int m = 30, check = 10;
        var a = SparseTensor.Poisson2D<double>(20);
        var b = Tensor<double>.Ones([a.Rows]);
        var options = new SolveOptions { Method = SolveMethods.Parse(method), Preconditioner = "none", RelativeTolerance = 1e-10, Restart = m };
        long before = ScalarReadBacks.OnThisThread;
        var r = a.Solve(b, options with { CheckEvery = check });
        long reads = ScalarReadBacks.OnThisThread - before;
        Assert.True(r.Converged, r.ToString());
        int cycles = (r.Iterations + m - 1) / m;
        Assert.True(cycles >= 2, $"{r.Iterations} iterations: one cycle does not test the bound");
        Assert.True(reads <= cycles * ((m + check - 1) / check + 1) + 2, $"{reads} read-backs in {cycles} cycles of {r.Iterations} iterations");

        // The count measures something: checking every step reads at least once per step.
        before = ScalarReadBacks.OnThisThread;
        var every = a.Solve(b, options with { CheckEvery = 1 });
        Assert.True(ScalarReadBacks.OnThisThread - before >= every.Iterations);
        Assert.Equal(r.Solution.ToArray(), every.Solution.ToArray());
    }

    /// <summary>A diagonal matrix with three distinct values: the Krylov space of any b has dimension 3.</summary>
    private static SparseTensor<double> ThreeEigenvalues(int n) =>
        SparseTensor.FromCsr<double>(Enumerable.Range(0, n + 1).ToArray(), Enumerable.Range(0, n).ToArray(),
            Enumerable.Range(0, n).Select(i => 1.0 + i % 3).ToArray(), [n, n]);

    [Theory]
    [InlineData("gmres", false)]
    [InlineData("fgmres", false)]
    [InlineData("fgmres", true)]
    public void HappyBreakdownBetweenChecksEndsTheCycleWithTheExactSolution(string method, bool onGpu)
    {
        // The Krylov space is invariant after 3 steps (h_{4,3} ≈ 0): the device stops the cycle at step 3 and
        // the 5 steps launched before the host looks must leave x alone (no NaN from w/h_{4,3}).
        int n = 12;
        var a = ThreeEigenvalues(n);
        var bh = Rhs(n);
        var dev = onGpu ? Gpu : Device.Cpu;
        var r = a.To(dev).Solve(Tensor<double>.FromSpan(bh, device: dev),
            new SolveOptions { Method = SolveMethods.Parse(method), Preconditioner = "none", RelativeTolerance = 1e-12, CheckEvery = 8 });
        Assert.True(r.Converged, r.ToString());
        Assert.Equal(3, r.Iterations);
        Assert.Equal(4, r.ResidualHistory.Count);
        var x = r.Solution.ToArray();
        for (int i = 0; i < n; i++) Assert.Equal(bh[i] / (1.0 + i % 3), x[i], 12);

        // The identity: w = v_0 exactly, h_{2,1} = 0 after one step.
        var eye = SparseTensor.FromCsr<double>(Enumerable.Range(0, n + 1).ToArray(), Enumerable.Range(0, n).ToArray(), Enumerable.Repeat(1.0, n).ToArray(), [n, n]);
        var ri = eye.To(dev).Solve(Tensor<double>.FromSpan(bh, device: dev),
            new SolveOptions { Method = SolveMethods.Parse(method), Preconditioner = "none", CheckEvery = 8 });
        Assert.True(ri.Converged, ri.ToString());
        Assert.Equal(1, ri.Iterations);
        var xi = ri.Solution.ToArray();
        for (int i = 0; i < n; i++) Assert.Equal(bh[i], xi[i], 14);
    }

    [Theory]
    [InlineData("gmres", false)]
    [InlineData("fgmres", true)]
    public void IterationLimitBetweenChecksReturnsTheIterateOfThatStep(string method, bool onGpu)
    {
        var a = GpuBiCgStabTests.ConvectionDiffusion(M);
        var bh = Rhs(a.Rows);
        var dev = onGpu ? Gpu : Device.Cpu;
        var options = new SolveOptions { Method = SolveMethods.Parse(method), Preconditioner = "none", RelativeTolerance = 1e-14, MaxIterations = 11, Restart = Restart };
        var some = a.To(dev).Solve(Tensor<double>.FromSpan(bh, device: dev), options with { CheckEvery = 3 });
        var every = a.Solve(Tensor<double>.FromSpan(bh), options with { CheckEvery = 1 });
        Assert.False(some.Converged);
        Assert.Equal(ConvergenceReason.MaxIterations, some.Reason);
        Assert.Equal(11, some.Iterations);
        Assert.Equal(12, some.ResidualHistory.Count);
        Assert.Equal(KrylovSolverTests.Relres(a, some.Solution.ToArray(), bh), some.FinalRelativeResidual, 1e-12);
        Assert.Equal(every.FinalRelativeResidual, some.FinalRelativeResidual, 1e-9);
        Assert.Throws<NotConvergedException>(() => some.EnsureConverged());
    }

    [Theory]
    [InlineData("gmres", false)]
    [InlineData("fgmres", true)]
    public void CancellationSeenAtACheckStopsThere(string method, bool onGpu)
    {
        // Progress reports arrive in bulk at each read-back (every 3 steps): cancelling at report 4 is seen by the
        // solver at the next step boundary after that read-back, i.e. after step 6.
        var a = GpuBiCgStabTests.ConvectionDiffusion(M);
        var bh = Rhs(a.Rows);
        var dev = onGpu ? Gpu : Device.Cpu;
        using var cts = new CancellationTokenSource();
        var progress = new CgTests.SyncProgress(p => { if (p.Iteration == 4) cts.Cancel(); });
        var r = a.To(dev).Solve(Tensor<double>.FromSpan(bh, device: dev), new SolveOptions
        {
            Method = SolveMethods.Parse(method), Preconditioner = "none", RelativeTolerance = 1e-14, Restart = 20, CheckEvery = 3,
            CancellationToken = cts.Token, Progress = progress,
        });
        Assert.Equal(ConvergenceReason.Cancelled, r.Reason);
        Assert.Equal(6, r.Iterations);
        Assert.Equal(7, r.ResidualHistory.Count);
        double relres = KrylovSolverTests.Relres(a, r.Solution.ToArray(), bh);
        Assert.True(relres < 1);
        Assert.Equal(relres, r.FinalRelativeResidual, 1e-12);
    }

    [Fact]
    public void TheLoopAllocatesNoDeviceMemory()
    {
        var a = GpuBiCgStabTests.ConvectionDiffusion(M).To(Gpu);
        var b = Tensor<double>.Ones([a.Rows], Gpu);
        var ilu = PreconditionerRegistry.Get("ilu0").Setup(a);
        long Run(int iterations)
        {
            var options = new SolveOptions { RelativeTolerance = 1e-30, MaxIterations = iterations, CheckEvery = 2, Restart = 4 };
            _ = Fgmres.Solve(a, b, null, options with { MaxIterations = 1 }, null, ilu); // same scratch sizes reached
            long before = IlgpuBackend.ThreadAllocations;
            var r = Fgmres.Solve(a, b, null, options, null, ilu);
            Assert.True(r.Iterations <= iterations);
            return IlgpuBackend.ThreadAllocations - before;
        }
        long few = Run(2), many = Run(7); // two cycles against one
        Assert.Equal(few, many);
    }
}
