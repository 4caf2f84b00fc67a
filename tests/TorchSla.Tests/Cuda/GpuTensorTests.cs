using TorchSla.Kernels;
using Xunit;

namespace TorchSla.Tests.Cuda;

/// <summary>
/// The public tensor API on <c>cuda:0</c> (the emulator in CI) gives the CPU's results:
/// moving tensors, products (single, batched, multiple right-hand sides) and BLAS-1.
/// </summary>
public class GpuTensorTests
{
    private static Device Gpu => GpuTestDevice.Ensure();

    public GpuTensorTests() => GpuTestDevice.Ensure();

    private static double[,] RandomDense(int m, int n, double density, int seed)
    {
        var rng = new Random(seed);
        var d = new double[m, n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) if (rng.NextDouble() < density) d[i, j] = rng.NextDouble() - 0.5;
        return d;
    }

    private static void Close(double[] expected, double[] actual, double tol = 1e-12)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(expected[i] == actual[i] || Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void SparseAndDenseTensorsMoveToTheGpuAndBack()
    {
        var a = SparseTensor.FromDense(RandomDense(12, 9, 0.3, 1));
        var g = a.Cuda();
        Assert.Equal(Gpu, g.Device);
        Assert.Equal(a.GetValues(), g.GetValues());
        Assert.Equal(a.ToDense().ToArray(), g.ToDense().Cpu().ToArray());
        Assert.Equal(Device.Cpu, g.Cpu().Device);
        var x = Tensor<double>.Random([9], 2);
        var xg = x.To(Gpu);
        Assert.Equal(Gpu, xg.Device);
        Assert.Equal(x.ToArray(), xg.Cpu().ToArray());
        Assert.Equal(x[3], xg[3]);
    }

    [Fact]
    public void MatmulOnGpuMatchesCpu()
    {
        var dense = RandomDense(40, 30, 0.2, 3);
        var a = SparseTensor.FromDense(dense);
        var ag = a.Cuda();
        var x = Tensor<double>.Random([30], 4);
        Close((a * x).ToArray(), (ag * x.Cuda()).Cpu().ToArray());
        var xk = Tensor<double>.Random([30, 4], 5);
        Close(a.Matmul(xk).ToArray(), ag.Matmul(xk.Cuda()).ToArray());
        var y = Tensor<double>.Zeros([40], Gpu);
        ag.Apply(x.Cuda(), y);
        Close((a * x).ToArray(), y.ToArray());
    }

    [Fact]
    public void BatchedMatmulOnGpuMatchesCpu()
    {
        // Batch of 3 matrices [3, 6, 5] sharing one pattern, with per-matrix values.
        int[] r = [0, 1, 2, 2, 4, 5, 3];
        int[] c = [0, 4, 1, 3, 2, 0, 4];
        var v = Tensor<double>.Random([3 * r.Length], 6).ToArray();
        var a = new SparseTensor<double>(v, r, c, [3, 6, 5]);
        var ag = a.Cuda();
        var xb = Tensor<double>.Random([3, 5], 7);
        Close((a * xb).ToArray(), (ag * xb.Cuda()).ToArray());
        var x1 = Tensor<double>.Random([5], 8);
        Close((a * x1).ToArray(), (ag * x1.Cuda()).ToArray());
        var xk = Tensor<double>.Random([3, 5, 2], 9);
        Close((a * xk).ToArray(), (ag * xk.Cuda()).ToArray());
    }

    [Fact]
    public void Blas1OnGpuMatchesCpu()
    {
        var x = Tensor<double>.Random([200], 10);
        var y = Tensor<double>.Random([200], 11);
        var xg = x.Cuda(); var yg = y.Cuda();
        Close((x + y).ToArray(), (xg + yg).ToArray(), 0);
        Close((x - y).ToArray(), (xg - yg).ToArray(), 0);
        Close((x * 3.0).ToArray(), (xg * 3.0).ToArray(), 0);
        Close(x.Axpby(2.0, -1.0, y).ToArray(), xg.Axpby(2.0, -1.0, yg).ToArray(), 0);
        Assert.True(Math.Abs(x.Dot(y) - xg.Dot(yg)) < 1e-12);
        Assert.True(Math.Abs(x.Norm() - xg.Norm()) < 1e-12);
        Assert.True(Math.Abs(x.Sum() - xg.Sum()) < 1e-12);
        Assert.Equal(Gpu, xg.Clone().Device);
        Assert.Equal(x.ToArray(), xg.Reshape(8, 25).ToArray());
        Assert.Equal(Tensor<double>.Ones([7]).ToArray(), Tensor<double>.Ones([7], Gpu).ToArray());
        Assert.True(xg.IsFinite());
    }

    [Fact]
    public void MixingDevicesIsAClearError()
    {
        var a = SparseTensor.FromDense(RandomDense(5, 5, 0.5, 12)).Cuda();
        var x = Tensor<double>.Random([5], 13);
        var e = Assert.Throws<ArgumentException>(() => a * x);
        Assert.Contains("cuda:0", e.Message);
    }

    [Fact]
    public void AMissingCudaDeviceIsAClearError()
    {
        var e = Assert.Throws<NotSupportedException>(() => BackendRegistry.Get(Device.Cuda(57)));
        Assert.Contains("cuda:57", e.Message);
    }
}
