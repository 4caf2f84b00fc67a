using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Cuda;
using TorchSla.Kernels.Memory;
using Xunit;

namespace TorchSla.Tests.Cuda;

/// <summary>SpMV with plans made on the device (longest row by reduction, uniform stream blocks) against the CPU backend; the emulator in CI.</summary>
public class GpuSpMVDevicePlanTests
{
    private static IlgpuBackend Gpu => GpuTestDevice.Backend;

    [Theory]
    [InlineData(2, 6, 1, 20000)]  // short rows, over 64k entries: CSR-stream blocks of 170 rows
    [InlineData(20, 60, 2, 700)]  // longer, varying rows: CSR-stream blocks of 17 rows
    [InlineData(0, 3, 3, 700)]    // empty rows, few entries: the sub-warp kernel
    public void DevicePlannedSpMVMatchesTheHost(int minLen, int maxLen, int seed, int rows)
    {
        int cols = 500;
        var rng = new Random(seed);
        var rp = new int[rows + 1]; var ci = new List<int>(); var v = new List<double>();
        for (int r = 0; r < rows; r++)
        {
            var set = new SortedSet<int>();
            int len = rng.Next(minLen, maxLen + 1);
            while (set.Count < len) set.Add(rng.Next(cols));
            foreach (int c in set) { ci.Add(c); v.Add(rng.NextDouble() - 0.5); }
            rp[r + 1] = ci.Count;
        }
        var x = Enumerable.Range(0, cols).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var y0 = Enumerable.Range(0, rows).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var expected = (double[])y0.Clone();
        CpuBackend.Instance.SpMV(new CsrIndices(rows, cols, new CpuStorage<int>(rp), new CpuStorage<int>([.. ci])), new CpuStorage<double>([.. v]), 0,
            new CpuStorage<double>(x), 0, new CpuStorage<double>(expected), 0, 1.5, -0.5);
        int saved = IlgpuBackend.DevicePlanMinRows;
        try
        {
            IlgpuBackend.DevicePlanMinRows = 1;
            var a = new CsrIndices(rows, cols, Gpu.Upload<int>(rp), Gpu.Upload<int>([.. ci]));
            using var y = Gpu.Upload<double>(y0);
            Gpu.SpMV(a, Gpu.Upload<double>([.. v]), 0, Gpu.Upload<double>(x), 0, y, 0, 1.5, -0.5);
            var plan = Assert.IsType<SpMVPlan>(a.BackendCache);
            Assert.Equal(maxLen >= 6 || ci.Count >= SpMVPlan.StreamMinNnz, plan.StreamBlocks is not null);
            var got = y.ToArray();
            for (int i = 0; i < rows; i++) Assert.True(Math.Abs(got[i] - expected[i]) <= 1e-13, $"row {i}: {got[i]} vs {expected[i]}");
            a.Dispose();
        }
        finally { IlgpuBackend.DevicePlanMinRows = saved; }
    }
}
