using TorchSla.Solvers;
using TorchSla.Tests.Cuda;
using Xunit;

namespace TorchSla.Tests.Autodiff;

/// <summary>
/// The same graphs on cuda:0 (the real GPU with TORCHSLA_TEST_DEVICE=cuda, else ILGPU's emulator) give
/// the gradients of the CPU, whose rules the finite-difference tests check.
/// </summary>
public class GpuGradTests
{
    private static readonly int[] R = [2, 0, 1, 3, 0, 2, 3];
    private static readonly int[] C = [1, 0, 2, 0, 2, 1, 2];

    private static double[][] Gradients(Device device)
    {
        var a = SparseTensor.FromCoo<double>(GradCheck.Random(14, 41), R, C, [2, 4, 3], device: device).RequireGrad();
        var b = SparseTensor.FromCoo<double>(GradCheck.Random(7, 42), C, R, [3, 4], device: device).RequireGrad();
        var x = Tensor<double>.FromArray(GradCheck.Random(3, 43)).To(device).RequireGrad();
        var w = Tensor<double>.FromArray(GradCheck.Random(8, 44), 2, 4).To(device);
        var y = a.Matmul(x);                                              // SpMV, batched, broadcast x
        var c = (a * b).Abs() + a.Matmul(b).Transpose().Transpose() * 0.5; // SpGEMM, abs, add, transpose
        var loss = TensorMath.Dot(y * w, (y + 1.0).Exp()) + TensorMath.Sum(c.ToDense().Pow(2.0)) + TensorMath.Norm(x.Slice(0, 1, 2));
        loss.Backward();
        return [a.Grad!.ToArray(), b.Grad!.ToArray(), x.Grad!.ToArray()];
    }

    [Fact]
    public void AlgebraGradientsMatchTheCpu()
    {
        var device = GpuTestDevice.Ensure();
        var cpu = Gradients(Device.Cpu);
        var gpu = Gradients(device);
        for (int p = 0; p < cpu.Length; p++)
            for (int i = 0; i < cpu[p].Length; i++)
                Assert.True(Math.Abs(cpu[p][i] - gpu[p][i]) <= 1e-12 * (1 + Math.Abs(cpu[p][i])), $"parameter {p}, element {i}: cpu {cpu[p][i]}, gpu {gpu[p][i]}");
    }

    [Fact]
    public void DeterminantGradientsMatchTheCpu()
    {
        var device = GpuTestDevice.Ensure();
        double[] Run(Device d)
        {
            var a = SparseTensor.Poisson2D<double>(4, d).RequireGrad();
            var (_, logAbs) = a.SlogDet(SolveMethod.Lu);
            (logAbs + a.Det() * 1e-6).Backward();
            Assert.Equal(d, a.Grad!.Device);
            return a.Grad!.ToArray();
        }
        var cpu = Run(Device.Cpu);
        var gpu = Run(device);
        for (int i = 0; i < cpu.Length; i++)
            Assert.True(Math.Abs(cpu[i] - gpu[i]) <= 1e-12 * (1 + Math.Abs(cpu[i])), $"element {i}: cpu {cpu[i]}, gpu {gpu[i]}");
    }

    [Fact]
    public void SolveGradientsMatchTheCpu()
    {
        var device = GpuTestDevice.Ensure();
        double[][] Run(Device d)
        {
            var a = SparseTensor.Poisson2D<double>(4, d).RequireGrad();
            var b = Tensor<double>.FromArray(GradCheck.Random(16, 45)).To(d).RequireGrad();
            var x = a.Solve(b, new SolveOptions { RelativeTolerance = 1e-12 }).EnsureConverged();
            TensorMath.Sum(x.Square()).Backward();
            return [a.Grad!.ToArray(), b.Grad!.ToArray()];
        }
        var cpu = Run(Device.Cpu);
        var gpu = Run(device);
        for (int p = 0; p < cpu.Length; p++)
            for (int i = 0; i < cpu[p].Length; i++)
                Assert.True(Math.Abs(cpu[p][i] - gpu[p][i]) <= 1e-9 * (1 + Math.Abs(cpu[p][i])), $"parameter {p}, element {i}: cpu {cpu[p][i]}, gpu {gpu[p][i]}");
    }
}
