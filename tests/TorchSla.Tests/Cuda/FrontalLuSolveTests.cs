using TorchSla.IO;
using TorchSla.Kernels;
using TorchSla.Solvers.Direct;
using TorchSla.Tests.Solvers.Direct;
using Xunit;

namespace TorchSla.Tests.Cuda;

/// <summary>
/// Backend.FrontalLuSolve and the LU solve of CUDA tensors: the CPU twin and the ILGPU twin (emulator in CI, the GPU with
/// TORCHSLA_TEST_DEVICE=cuda) solve with the host's multifrontal LU factors as the host solve does (to rounding: the
/// GPU's forward sweeps add with atomics), with A and with Aᵀ, including fronts that delayed pivots to their parents; a
/// right-hand side on the GPU is solved and refined there; refactoring drops the device copy; bad input is named.
/// </summary>
public class FrontalLuSolveTests
{
    private static Device Gpu => GpuTestDevice.Ensure();

    /// <summary>2D convection–diffusion (upwinded): symmetric pattern, unsymmetric values.</summary>
    private static SparseTensor<double> ConvectionDiffusion(int g)
    {
        var rows = new List<int>(); var cols = new List<int>(); var vals = new List<double>();
        for (int gy = 0; gy < g; gy++)
            for (int gx = 0; gx < g; gx++)
            {
                int i = gy * g + gx;
                void Add(int j, double v) { rows.Add(i); cols.Add(j); vals.Add(v); }
                Add(i, 4.5);
                if (gx > 0) Add(i - 1, -1.4);
                if (gx < g - 1) Add(i + 1, -0.6);
                if (gy > 0) Add(i - g, -1.2);
                if (gy < g - 1) Add(i + g, -0.8);
            }
        return SparseTensor.FromCoo<double>(vals.ToArray(), rows.ToArray(), cols.ToArray(), [g * g, g * g]);
    }

    public static TheoryData<string> Matrices => new() { "convection", "delaying", "west0479", "cryg2500" };

    private static (SparseTensor<double> A, LuFactorization<double> F) Factor(string name)
    {
        var a = name switch
        {
            "convection" => ConvectionDiffusion(GpuTestDevice.IsReal ? 300 : 16),
            "delaying" => DirectTestHelpers.DelayingMatrix(GpuTestDevice.IsReal ? 24 : 8),
            _ => MatrixMarket.Read<double>(TestPaths.Matrix(name + ".mtx")),
        };
        var f = a.Lu(name == "delaying" ? CholeskyOrdering.NestedDissection : CholeskyOrdering.Automatic,
            pivotThreshold: name == "delaying" ? 0.1 : 1.0, algorithm: LuAlgorithm.Multifrontal);
        return (a, f);
    }

    [Theory]
    [MemberData(nameof(Matrices))]
    public void TwinsSolveAsTheHostFactorsDo(string name)
    {
        var (a, f) = Factor(name);
        using var _ = f;
        if (name is "delaying" or "west0479") Assert.True(f.DelayedPivots() > 0, "the test matrix should delay pivots");
        int n = a.Rows;
        f.MaxRefinementSteps = 0; // compare the sweeps alone
        var b = DirectTestHelpers.RandomVector(n, 5);
        foreach (bool transpose in new[] { false, true })
        {
            var host = transpose ? f.SolveTranspose(b) : f.Solve(b);
            var op = transpose ? a.Transpose() : a;
            double hostError = DirectTestHelpers.BackwardError(op, host, b);
            foreach (var device in new[] { Device.Cpu, Gpu })
            {
                using var solver = f.UploadFactors(device);
                Assert.NotNull(solver);
                Assert.True(solver.Levels >= 1);
                var be = BackendRegistry.Get(device);
                using var bs = be.Upload<double>(b);
                using var xs = solver.Solve(bs, transpose);
                var x = xs.ToArray();
                Assert.Equal(b, bs.ToArray()); // b is not modified
                double diff = 0, scale = 0;
                for (int i = 0; i < n; i++) { diff = Math.Max(diff, Math.Abs(x[i] - host[i])); scale = Math.Max(scale, Math.Abs(host[i])); }
                // Other summation orders than the host's (a dot product per row beyond the pivots, atomics on a GPU): the
                // same solution to the conditioning's amplification of rounding (cryg2500's is ~1e-11 relative), and a
                // backward error as small as the host's.
                Assert.True(diff <= 1e-9 * scale, $"{device}, transpose {transpose}: max |x − x_host| = {diff:E2} (scale {scale:E2})");
                double error = DirectTestHelpers.BackwardError(op, x, b);
                Assert.True(error <= Math.Max(4 * hostError, 1e-14), $"{device}, transpose {transpose}: backward error {error:E2}, host {hostError:E2}");
            }
        }
    }

    [Fact]
    public void CudaRightHandSideIsSolvedAndRefinedOnTheDevice()
    {
        var (a, f) = Factor("delaying");
        using var _ = f;
        var bh = DirectTestHelpers.RandomVector(a.Rows, 9);
        var b = Tensor<double>.FromSpan(bh, device: Gpu);
        using (f.Solve(b)) { } // the default rule: rows and the critical path
        using (var onCpu = f.UploadFactors(Device.Cpu)!)
        {
            bool expected = a.Rows >= LuFactorization<double>.DeviceSolveMinRows && onCpu.CriticalPivots <= LuFactorization<double>.DeviceCriticalPivotFraction * a.Rows;
            Assert.Equal(expected, f.FactorOnDevice);
        }
        f.SolveOnGpu = true;
        var x = f.Solve(b);
        Assert.True(f.FactorOnDevice);
        Assert.Equal(Gpu, x.Device);
        Assert.True(DirectTestHelpers.BackwardError(a, x.ToArray(), bh) <= 1e-14, $"backward error {DirectTestHelpers.BackwardError(a, x.ToArray(), bh):E2}");
        var xt = f.SolveTranspose(b);
        Assert.Equal(Gpu, xt.Device);
        Assert.True(DirectTestHelpers.BackwardError(a.Transpose(), xt.ToArray(), bh) <= 1e-14);
        f.SolveOnGpu = false;
        var xh = f.Solve(b);
        Assert.False(f.FactorOnDevice);
        Assert.Equal(Gpu, xh.Device);
        // Host and device refine to different iterates of the same quality (other summation orders, amplified by the
        // matrix's conditioning): both backward stable, and close.
        var xha = xh.ToArray(); var xa = x.ToArray();
        Assert.True(DirectTestHelpers.BackwardError(a, xha, bh) <= 1e-14);
        double diff = 0, scale = 0;
        for (int i = 0; i < xa.Length; i++) { diff = Math.Max(diff, Math.Abs(xha[i] - xa[i])); scale = Math.Max(scale, Math.Abs(xha[i])); }
        Assert.True(diff <= 1e-9 * scale, $"max |x_host − x_device| = {diff:E2} (scale {scale:E2})");
    }

    [Fact]
    public void RefactorReplacesTheDeviceCopy()
    {
        var a = ConvectionDiffusion(9);
        using var f = a.Lu(algorithm: LuAlgorithm.Multifrontal);
        f.SolveOnGpu = true;
        var bh = DirectTestHelpers.RandomVector(a.Rows, 2);
        var b = Tensor<double>.FromSpan(bh, device: Gpu);
        _ = f.Solve(b);
        Assert.True(f.FactorOnDevice);
        var v = a.GetValues();
        for (int i = 0; i < v.Length; i++) v[i] *= 1 + 0.2 * Math.Sin(i);
        var a2 = a.WithValues(v);
        f.Refactor(v);
        Assert.False(f.FactorOnDevice);
        var x = f.Solve(b).ToArray();
        Assert.True(DirectTestHelpers.BackwardError(a2, x, bh) <= 1e-14);
    }

    [Fact]
    public void NonFiniteRightHandSideIsNamed()
    {
        var a = ConvectionDiffusion(5);
        using var f = a.Lu(algorithm: LuAlgorithm.Multifrontal);
        f.SolveOnGpu = true;
        var bh = new double[a.Rows];
        bh[7] = double.PositiveInfinity;
        var e = Assert.Throws<NonFiniteValueException>(() => f.Solve(Tensor<double>.FromSpan(bh, device: Gpu)));
        Assert.Contains("index 7", e.Message);
    }
}
