using Xunit;

namespace TorchSla.Tests.Cuda;

/// <summary>
/// The sparse algebra of Core (built on the Backend primitives) gives the CPU's results on
/// <c>cuda:0</c>: the same code runs on the GPU backend (the emulator in CI).
/// </summary>
public class GpuSparseAlgebraTests
{
    public GpuSparseAlgebraTests() => GpuTestDevice.Ensure();

    private static SparseTensor<double> Random(int m, int n, double density, int seed)
    {
        var rng = new Random(seed);
        var d = new double[m, n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) if (rng.NextDouble() < density) d[i, j] = rng.NextDouble() - 0.5;
        return SparseTensor.FromDense(d);
    }

    private static void SameDense(SparseTensor<double> cpu, SparseTensor<double> gpu, double tol = 1e-12)
    {
        Assert.Equal(GpuTestDevice.Device, gpu.Device);
        Assert.Equal(cpu.Shape, gpu.Shape);
        var a = cpu.ToDense().ToArray(); var b = gpu.ToDense().Cpu().ToArray();
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) <= tol, $"element {i}: cpu {a[i]}, gpu {b[i]}");
    }

    [Fact]
    public void ElementwiseAlgebraTransposeAndProductMatchCpu()
    {
        var a = Random(14, 11, 0.3, 1); var b = Random(14, 11, 0.3, 2); var c = Random(11, 9, 0.3, 3);
        var ag = a.Cuda(); var bg = b.Cuda(); var cg = c.Cuda();
        SameDense(a * 2.5, ag * 2.5);
        SameDense(a.Abs(), ag.Abs());
        SameDense(a + b, ag + bg);
        SameDense(a - b, ag - bg);
        SameDense(a.Add(b, 2.0, -3.0), ag.Add(bg, 2.0, -3.0));
        SameDense(a.Transpose(), ag.Transpose());
        SameDense(a * c, ag * cg);
    }

    [Fact]
    public void NormsReductionsAndDiagonalMatchCpu()
    {
        var a = Random(12, 12, 0.4, 4);
        var ag = a.Cuda();
        foreach (var ord in new[] { MatrixNorm.Frobenius, MatrixNorm.One, MatrixNorm.Infinity })
            Assert.True(Math.Abs(a.Norm(ord, 0) - ag.Norm(ord, 0)) < 1e-12, ord.ToString());
        Assert.True(Math.Abs(a.Sum(0) - ag.Sum(0)) < 1e-12);
        Assert.Equal(a.Max(0), ag.Max(0));
        Assert.Equal(a.Min(0), ag.Min(0));
        Assert.Equal(a.Diagonal().ToArray(), ag.Diagonal().Cpu().ToArray());
    }
}
