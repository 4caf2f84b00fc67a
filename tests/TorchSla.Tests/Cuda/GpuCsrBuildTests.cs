using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Cuda;
using TorchSla.Kernels.Memory;
using Xunit;

namespace TorchSla.Tests.Cuda;

/// <summary>Transpose and COO→CSR on the GPU backend against their CPU twins (identical indices); the emulator in CI.</summary>
public class GpuCsrBuildTests
{
    private static IlgpuBackend Gpu => GpuTestDevice.Backend;
    private static CpuBackend Cpu => CpuBackend.Instance;

    [Theory]
    [InlineData(23, 17, 1)]
    [InlineData(5, 40, 2)]
    public void TransposeMatchesTheHostCountingSort(int rows, int cols, int seed)
    {
        var rng = new Random(seed);
        var rp = new int[rows + 1]; var ci = new List<int>();
        for (int r = 0; r < rows; r++)
        {
            var set = new SortedSet<int>();
            if (r % 4 != 2) { set.Add(0); int len = rng.Next(0, 6); while (set.Count < Math.Min(cols, len + 1)) set.Add(rng.Next(cols)); } // column 0 long
            ci.AddRange(set); rp[r + 1] = ci.Count;
        }
        var (ct, cm) = Cpu.Transpose(new CsrIndices(rows, cols, new CpuStorage<int>(rp), new CpuStorage<int>([.. ci])));
        var (gt, gm) = Gpu.Transpose(new CsrIndices(rows, cols, Gpu.Upload<int>(rp), Gpu.Upload<int>([.. ci])));
        Assert.Equal((cols, rows), (gt.Rows, gt.Cols));
        Assert.Equal(ct.RowPtr.ToArray(), gt.RowPtr.ToArray());
        Assert.Equal(ct.ColInd.ToArray(), gt.ColInd.ToArray());
        Assert.Equal(cm.ToArray(), gm.ToArray());
        // And what a transpose means: slot t of Aᵀ at (c, r) carries source slot map[t] at (r, c).
        var trp = gt.RowPtr.ToArray(); var tci = gt.ColInd.ToArray(); var map = gm.ToArray();
        for (int c = 0; c < cols; c++)
            for (int t = trp[c]; t < trp[c + 1]; t++)
            {
                int s = map[t], r = tci[t];
                Assert.True(rp[r] <= s && s < rp[r + 1] && ci[s] == c, $"slot {t} of the transpose");
            }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CooToCsrMatchesTheHostSortAndMergesDuplicates(bool sorted)
    {
        int rows = 13, cols = 9, m = 70;
        var rng = new Random(sorted ? 5 : 6);
        var pairs = Enumerable.Range(0, m).Select(_ => (R: rng.Next(rows), C: rng.Next(cols))).ToList();
        if (sorted) pairs = [.. pairs.Distinct().Order()];
        int[] row = [.. pairs.Select(p => p.R)], col = [.. pairs.Select(p => p.C)];
        m = row.Length;
        var (crp, cci, ce) = CsrBuild.CooToCsr(row, col, rows, cols);
        using var grp = Gpu.Allocate<int>(rows + 1); using var gci = Gpu.Allocate<int>(m); using var ge = Gpu.Allocate<int>(m);
        int nnz = Gpu.CooToCsr(Gpu.Upload<int>(row), Gpu.Upload<int>(col), m, rows, cols, grp, gci, ge);
        Assert.Equal(cci.Length, nnz);
        Assert.Equal(crp, grp.ToArray());
        Assert.Equal(cci, gci.ToArray()[..nnz]);
        Assert.Equal(ce, ge.ToArray());
        // Every entry lands in the slot of its own (row, col), and distinct pairs get distinct slots.
        Assert.Equal(pairs.Distinct().Count(), nnz);
        for (int k = 0; k < m; k++)
        {
            int s = ce[k];
            Assert.True(crp[row[k]] <= s && s < crp[row[k] + 1] && cci[s] == col[k], $"entry {k}");
        }
        // The CPU backend's storage-level twin gives the same.
        using var hrp = new CpuStorage<int>(rows + 1); using var hci = new CpuStorage<int>(m); using var he = new CpuStorage<int>(m);
        Assert.Equal(nnz, Cpu.CooToCsr(new CpuStorage<int>(row), new CpuStorage<int>(col), m, rows, cols, hrp, hci, he));
        Assert.Equal(crp, hrp.Array);
        Assert.Equal(ce, he.Array);
    }

    [Fact]
    public void CooToCsrNamesTheFirstBadEntry()
    {
        int[] row = [0, 1, 2, 9, 1, -1], col = [0, 1, 7, 0, 5, 0];
        using var grp = Gpu.Allocate<int>(4); using var gci = Gpu.Allocate<int>(6); using var ge = Gpu.Allocate<int>(6);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Gpu.CooToCsr(Gpu.Upload<int>(row), Gpu.Upload<int>(col), 6, 3, 6, grp, gci, ge));
        Assert.Contains("entry 2: column index 7 is out of range [0, 6)", e.Message, StringComparison.Ordinal);
        var h = Assert.Throws<ArgumentOutOfRangeException>(() => CsrBuild.CooToCsr(row, col, 3, 6));
        Assert.Equal(h.Message, e.Message);
    }

    [Fact]
    public void TensorsOnTheDeviceBuildAndTransposeTheirPatternsThere()
    {
        var device = GpuTestDevice.Ensure();
        int[] row = [3, 0, 2, 0, 3, 1, 3], col = [1, 2, 0, 2, 4, 1, 1];
        double[] v = [1, 2, 3, 4, 5, 6, 7];
        var cpu = SparseTensor.FromCoo<double>(v, row, col, [4, 5]);
        int saved = SparsePattern.DeviceIndexMinEntries;
        SparseTensor<double> gpu, gpuT;
        try
        {
            SparsePattern.DeviceIndexMinEntries = 0;
            gpu = SparseTensor.FromCoo<double>(v, row, col, [4, 5], device: device);
            gpuT = gpu.Transpose();
        }
        finally { SparsePattern.DeviceIndexMinEntries = saved; }
        Assert.Equal(cpu.RowPointers, gpu.RowPointers);
        Assert.Equal(cpu.ColumnIndices, gpu.ColumnIndices);
        Assert.Equal(cpu.GetValues(), gpu.GetValues());
        var cpuT = cpu.Transpose();
        Assert.Equal(cpuT.RowPointers, gpuT.RowPointers);
        Assert.Equal(cpuT.ColumnIndices, gpuT.ColumnIndices);
        Assert.Equal(cpuT.GetValues(), gpuT.GetValues());
    }
}
