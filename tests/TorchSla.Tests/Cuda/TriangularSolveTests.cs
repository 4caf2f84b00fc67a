using TorchSla.Kernels;
using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Memory;
using TorchSla.Solvers;
using TorchSla.Solvers.Preconditioners;
using Xunit;

namespace TorchSla.Tests.Cuda;

/// <summary>
/// The level-scheduled triangular solve (Backend.TriangularSolve): the level schedule is valid (a row needs only
/// earlier levels), the CPU twin solves T·x = b exactly as substitution on the host does, the ILGPU twin (emulator in
/// CI, the GPU with TORCHSLA_TEST_DEVICE=cuda) agrees with it to rounding (a GPU contracts a·b + c into one FMA, so the
/// last bits may differ), and ILU(0)/IC(0) on the device apply as on the CPU.
/// </summary>
public class TriangularSolveTests
{
    /// <summary>A random strictly lower (or upper) CSR part with about 3 entries a row, columns ascending.</summary>
    private static (int[] Ptr, int[] Col, double[] Val) RandomStrict(int n, bool lower, int seed)
    {
        var rng = new Random(seed);
        var ptr = new int[n + 1]; var col = new List<int>(); var val = new List<double>();
        for (int i = 0; i < n; i++)
        {
            var set = new SortedSet<int>();
            int span = lower ? i : n - 1 - i;
            for (int t = 0; t < 3 && span > 0; t++) set.Add(lower ? rng.Next(i) : i + 1 + rng.Next(span));
            foreach (int j in set) { col.Add(j); val.Add(rng.NextDouble() - 0.5); }
            ptr[i + 1] = col.Count;
        }
        return (ptr, col.ToArray(), val.ToArray());
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void SolvesMatchSubstitutionAndTheTwinsAgree(bool lower, bool unit)
    {
        int n = 60;
        var (ptr, col, val) = RandomStrict(n, lower, 3);
        var rng = new Random(4);
        var d = Enumerable.Range(0, n).Select(_ => 1.5 + rng.NextDouble()).ToArray();
        var b = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var (levelPtr, levelRows) = TriangularLevels.Of(ptr, col, n, lower);
        var level = new int[n];
        for (int l = 0; l + 1 < levelPtr.Length; l++) for (int t = levelPtr[l]; t < levelPtr[l + 1]; t++) level[levelRows[t]] = l;
        for (int i = 0; i < n; i++) for (int k = ptr[i]; k < ptr[i + 1]; k++) Assert.True(level[col[k]] < level[i]);
        Assert.Equal(Enumerable.Range(0, n), levelRows.Order());

        // Dense substitution on the host.
        var x = new double[n];
        foreach (int i in lower ? Enumerable.Range(0, n) : Enumerable.Range(0, n).Reverse())
        {
            double s = b[i];
            for (int k = ptr[i]; k < ptr[i + 1]; k++) s -= val[k] * x[col[k]];
            x[i] = unit ? s : s / d[i];
        }
        var cpu = CpuBackend.Instance;
        var cx = new CpuStorage<double>(n);
        cpu.TriangularSolve(new CsrIndices(n, n, new CpuStorage<int>(ptr), new CpuStorage<int>(col)), new CpuStorage<double>(val),
            unit ? null : new CpuStorage<double>(d), lower, new CpuStorage<int>(levelRows), levelPtr, new CpuStorage<double>(b), cx);
        Assert.Equal(x, cx.Array);

        var gpu = GpuTestDevice.Backend;
        using var gx = gpu.Upload<double>(b); // in place: x = b on entry
        gpu.TriangularSolve(new CsrIndices(n, n, gpu.Upload<int>(ptr), gpu.Upload<int>(col)), gpu.Upload<double>(val),
            unit ? null : gpu.Upload<double>(d), lower, gpu.Upload<int>(levelRows), levelPtr, gx, gx);
        Close(x, gx.ToArray());
    }

    /// <summary>Agreement to rounding: each entry within 1e-12 of the largest (a few ulps times the solve's growth here).</summary>
    private static void Close(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * scale, $"entry {i}: {expected[i]} vs {actual[i]}");
    }

    [Theory]
    [InlineData("ilu0")]
    [InlineData("ic0")]
    public void IncompleteFactorsApplyOnTheDeviceAsOnTheCpu(string name)
    {
        var a = SparseTensor.Poisson2D<double>(7);
        var r = Tensor<double>.Random([a.Rows], 5);
        var onCpu = PreconditionerRegistry.Get(name).Setup(a);
        var onGpu = PreconditionerRegistry.Get(name).Setup(a.To(GpuTestDevice.Ensure()));
        var zc = Tensor<double>.Zeros([a.Rows]);
        var zg = Tensor<double>.Zeros([a.Rows], GpuTestDevice.Device);
        onCpu.Apply(r, zc);
        onGpu.Apply(r.To(GpuTestDevice.Device), zg);
        Close(zc.ToArray(), zg.ToArray());
        var levels = ((TriangularPreconditioner<double>)onGpu).Levels;
        Assert.Equal(2 * 7 - 1, levels.Lower); // the wavefronts of a 7×7 grid in natural order
        Assert.Equal(2 * 7 - 1, levels.Upper);
    }
}
