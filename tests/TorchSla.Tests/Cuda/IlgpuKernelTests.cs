using TorchSla.Kernels;
using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Cuda;
using TorchSla.Kernels.Memory;
using Xunit;

namespace TorchSla.Tests.Cuda;

/// <summary>
/// Every ILGPU kernel against the CPU backend on the same inputs: on ILGPU's CPU emulator in CI
/// (tiny inputs), on the GPU when TORCHSLA_TEST_DEVICE=cuda.
/// </summary>
public class IlgpuKernelTests
{
    private static IlgpuBackend Gpu => GpuTestDevice.Backend;
    private static CpuBackend Cpu => CpuBackend.Instance;

    /// <summary>A random CSR pattern; <paramref name="longRows"/> rows get <paramref name="longLength"/> entries (skew).</summary>
    private static (int[] RowPtr, int[] ColInd) RandomPattern(int rows, int cols, int meanLength, int seed, int longRows = 0, int longLength = 0)
    {
        var rng = new Random(seed);
        var rp = new int[rows + 1];
        var ci = new List<int>();
        for (int r = 0; r < rows; r++)
        {
            int len = r < longRows ? Math.Min(cols, longLength) : rng.Next(0, Math.Min(cols, 2 * meanLength) + 1);
            var set = new SortedSet<int>();
            while (set.Count < len) set.Add(rng.Next(cols));
            ci.AddRange(set);
            rp[r + 1] = ci.Count;
        }
        return (rp, ci.ToArray());
    }

    private static double[] RandomValues(int n, int seed)
    {
        var rng = new Random(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.NextDouble() * 2 - 1;
        return v;
    }

    private static (CsrIndices Cpu, CsrIndices Gpu) Both(int rows, int cols, int[] rp, int[] ci) =>
        (new CsrIndices(rows, cols, new CpuStorage<int>(rp), new CpuStorage<int>(ci)),
         new CsrIndices(rows, cols, Gpu.Upload<int>(rp), Gpu.Upload<int>(ci)));

    private static void Close(double[] expected, double[] actual, double tol = 1e-12)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 1;
        foreach (var e in expected) scale = Math.Max(scale, Math.Abs(e));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(expected[i] == actual[i] || Math.Abs(expected[i] - actual[i]) <= tol * scale, $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("lanes0")] // thread per row
    [InlineData("lanes1")]
    [InlineData("lanes2")]
    [InlineData("lanes3")]
    [InlineData("lanes4")]
    [InlineData("lanes5")] // warp per row
    [InlineData("binned")] // ACSR bins
    [InlineData("stream")] // CSR-stream blocks
    public void SpMVMatchesCpuForEveryKernelVariant(string variant)
    {
        int rows = 40, cols = 50;
        var (rp, ci) = RandomPattern(rows, cols, 9, variant.GetHashCode(StringComparison.Ordinal) & 0xff);
        RunSpMV(rows, cols, rp, ci, variant, 0.0);
        RunSpMV(rows, cols, rp, ci, variant, 0.5);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("binned")]
    [InlineData("stream")]
    public void SkewedPatternMatchesCpu(string variant)
    {
        // Rows longer than the block-per-row threshold and than several stream chunks, the rest short.
        int rows = 150, cols = 2 * CsrStreamKernels.LongChunk + 300;
        var (rp, ci) = RandomPattern(rows, cols, 3, 7, longRows: 3, longLength: 2 * CsrStreamKernels.LongChunk + 100);
        var (_, g) = Both(rows, cols, rp, ci);
        Assert.True(Gpu.PlanOf(g).Skewed);
        RunSpMV(rows, cols, rp, ci, variant, 0.0);
        RunSpMV(rows, cols, rp, ci, variant, -2.0);
    }

    private static void RunSpMV(int rows, int cols, int[] rp, int[] ci, string variant, double beta)
    {
        var (c, g) = Both(rows, cols, rp, ci);
        var v = RandomValues(ci.Length, 3);
        var x = RandomValues(cols, 4);
        var y0 = RandomValues(rows, 5);
        if (beta == 0) y0[0] = double.NaN; // β = 0 must not read y
        var yc = new CpuStorage<double>((double[])y0.Clone());
        Cpu.SpMV(c, new CpuStorage<double>(v), 0, new CpuStorage<double>(x), 0, yc, 0, 1.5, beta);
        using var gv = Gpu.Upload<double>(v); using var gx = Gpu.Upload<double>(x); using var gy = Gpu.Upload<double>(y0);
        lock (Gpu.Sync) // the forcing flags are backend-wide
        {
            try
            {
                Gpu.ForcedLogLanes = variant.StartsWith("lanes", StringComparison.Ordinal) ? variant[5] - '0' : -1;
                Gpu.ForceBinned = variant == "binned";
                Gpu.ForceStream = variant == "stream";
                Gpu.SpMV(g, gv, 0, gx, 0, gy, 0, 1.5, beta);
            }
            finally { Gpu.ForcedLogLanes = -1; Gpu.ForceBinned = false; Gpu.ForceStream = false; }
        }
        Close(yc.Array, gy.ToArray());
    }

    [Theory]
    [InlineData(true, 4)]
    [InlineData(false, 4)]
    [InlineData(false, 12)] // long enough rows for the CSR-stream plan
    public void BatchedSpMVInOneLaunchMatchesPerMatrixCpu(bool broadcast, int meanLength)
    {
        int rows = 33, cols = 29, batch = 3;
        var (rp, ci) = RandomPattern(rows, cols, meanLength, 11);
        var (c, g) = Both(rows, cols, rp, ci);
        int nnz = ci.Length;
        var v = RandomValues(batch * nnz + 2, 12);
        var x = RandomValues(broadcast ? cols : batch * cols, 13);
        var yc = new CpuStorage<double>(batch * rows + 1);
        Cpu.SpMVBatched(c, new CpuStorage<double>(v), 2, batch, new CpuStorage<double>(x), 0, broadcast ? 0 : cols, yc, 1, 1.0, 0.0);
        // The CPU twin is the per-matrix loop; check it against SpMV directly as well.
        var one = new CpuStorage<double>(rows);
        Cpu.SpMV(c, new CpuStorage<double>(v), 2 + nnz, new CpuStorage<double>(x), broadcast ? 0 : cols, one, 0, 1.0, 0.0);
        Close(one.Array, yc.Array.AsSpan(1 + rows, rows).ToArray(), 0);
        using var gv = Gpu.Upload<double>(v); using var gx = Gpu.Upload<double>(x); using var gy = Gpu.Allocate<double>(batch * rows + 1);
        Gpu.SpMVBatched(g, gv, 2, batch, gx, 0, broadcast ? 0 : cols, gy, 1, 1.0, 0.0);
        Close(yc.Array, gy.ToArray());
    }

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(3, 0.0)]
    [InlineData(5, 2.0)]
    public void SpMMMatchesCpu(int k, double beta)
    {
        int rows = 31, cols = 23;
        var (rp, ci) = RandomPattern(rows, cols, 5, 21 + k);
        var (c, g) = Both(rows, cols, rp, ci);
        var v = RandomValues(ci.Length, 22); var x = RandomValues(cols * k, 23); var y0 = RandomValues(rows * k, 24);
        var yc = new CpuStorage<double>((double[])y0.Clone());
        Cpu.SpMM(c, new CpuStorage<double>(v), 0, new CpuStorage<double>(x), 0, yc, 0, k, -0.5, beta);
        using var gv = Gpu.Upload<double>(v); using var gx = Gpu.Upload<double>(x); using var gy = Gpu.Upload<double>(y0);
        Gpu.SpMM(g, gv, 0, gx, 0, gy, 0, k, -0.5, beta);
        Close(yc.Array, gy.ToArray());
    }

    [Fact]
    public void SinglePrecisionSpMVMatchesCpu()
    {
        int rows = 40, cols = 40;
        var (rp, ci) = RandomPattern(rows, cols, 6, 31);
        var (c, g) = Both(rows, cols, rp, ci);
        var v = RandomValues(ci.Length, 32).Select(d => (float)d).ToArray();
        var x = RandomValues(cols, 33).Select(d => (float)d).ToArray();
        var yc = new CpuStorage<float>(rows);
        Cpu.SpMV(c, new CpuStorage<float>(v), 0, new CpuStorage<float>(x), 0, yc, 0, 1f, 0f);
        using var gv = Gpu.Upload<float>(v); using var gx = Gpu.Upload<float>(x); using var gy = Gpu.Allocate<float>(rows);
        Gpu.SpMV(g, gv, 0, gx, 0, gy, 0, 1f, 0f);
        var got = gy.ToArray();
        for (int i = 0; i < rows; i++) Assert.True(Math.Abs(yc.Array[i] - got[i]) <= 1e-5f, $"row {i}");
    }

    [Theory]
    [InlineData(2.0, 0.0)]
    [InlineData(-1.0, 1.0)]
    [InlineData(0.5, -3.0)]
    public void AxpbyMatchesCpu(double alpha, double beta)
    {
        int n = 1000;
        var x = RandomValues(n + 3, 41); var y0 = RandomValues(n + 1, 42);
        if (beta == 0) y0[5] = double.NaN;
        var yc = new CpuStorage<double>((double[])y0.Clone());
        Cpu.Axpby(alpha, new CpuStorage<double>(x), 3, beta, yc, 1, n);
        using var gx = Gpu.Upload<double>(x); using var gy = Gpu.Upload<double>(y0);
        Gpu.Axpby(alpha, gx, 3, beta, gy, 1, n);
        Close(yc.Array, gy.ToArray(), 0);
    }

    [Fact]
    public void DotIsCloseToCpuAndBitwiseDeterministic()
    {
        int n = 3000;
        var x = RandomValues(n, 51); var y = RandomValues(n, 52);
        double cpu = Cpu.Dot(new CpuStorage<double>(x), 0, new CpuStorage<double>(y), 0, n);
        using var gx = Gpu.Upload<double>(x); using var gy = Gpu.Upload<double>(y);
        double a = Gpu.Dot(gx, 0, gy, 0, n), b = Gpu.Dot(gx, 0, gy, 0, n);
        Assert.Equal(BitConverter.DoubleToInt64Bits(a), BitConverter.DoubleToInt64Bits(b));
        Assert.True(Math.Abs(a - cpu) <= 1e-12 * n, $"gpu {a} cpu {cpu}");
        Assert.Equal(0.0, Gpu.Dot(gx, 0, gy, 0, 0));
    }

    [Theory]
    [InlineData(UnaryOp.Identity)]
    [InlineData(UnaryOp.Abs)]
    [InlineData(UnaryOp.Square)]
    public void MapMatchesCpu(UnaryOp op)
    {
        var x = RandomValues(777, 61);
        var yc = new CpuStorage<double>(777);
        Cpu.Map(op, -2.5, new CpuStorage<double>(x), 0, yc, 0, 777);
        using var gx = Gpu.Upload<double>(x);
        Gpu.Map(op, -2.5, gx, 0, gx, 0, 777); // in place
        Close(yc.Array, gx.ToArray(), 0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GatherMatchesCpuAndNamesBadIndex(bool accumulate)
    {
        var src = RandomValues(100, 71);
        var rng = new Random(72);
        var idx = Enumerable.Range(0, 60).Select(_ => rng.Next(-5, 95)).ToArray();
        var d0 = RandomValues(61, 73);
        var dc = new CpuStorage<double>((double[])d0.Clone());
        Cpu.Gather(new CpuStorage<double>(src), 5, new CpuStorage<int>(idx), 0, dc, 1, 60, 3.0, accumulate);
        using var gs = Gpu.Upload<double>(src); using var gi = Gpu.Upload<int>(idx); using var gd = Gpu.Upload<double>(d0);
        Gpu.Gather(gs, 5, gi, 0, gd, 1, 60, 3.0, accumulate);
        Close(dc.Array, gd.ToArray(), 0);
        idx[17] = 95; // 5 + 95 = 100: one past the end
        using var bad = Gpu.Upload<int>(idx);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Gpu.Gather(gs, 5, bad, 0, gd, 1, 60, 1.0, false));
        Assert.Contains("17", e.Message);
        // A map found in bounds once is not read back again, but writing into it makes the check run again.
        Gpu.Gather(gs, 5, gi, 0, gd, 1, 60, 3.0, accumulate);
        gi.CopyFrom([95], 17);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => Gpu.Gather(gs, 5, gi, 0, gd, 1, 60, 1.0, false));
        Assert.Contains("17", e.Message);
        // …and so does a shorter source than the one it was checked against.
        using var gi2 = Gpu.Upload<int>(Enumerable.Range(0, 60).ToArray());
        Gpu.Gather(gs, 5, gi2, 0, gd, 1, 60, 1.0, false);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => Gpu.Gather(gs, 45, gi2, 0, gd, 1, 60, 1.0, false));
        Assert.Contains("past the 55 source elements", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ReduceOp.Sum)]
    [InlineData(ReduceOp.SumAbs)]
    [InlineData(ReduceOp.SumSquares)]
    [InlineData(ReduceOp.Max)]
    [InlineData(ReduceOp.Min)]
    [InlineData(ReduceOp.MaxAbs)]
    [InlineData(ReduceOp.Prod)]
    public void ReduceMatchesCpuDeterministicallyAndPropagatesNaN(ReduceOp op)
    {
        int n = 1500;
        var x = RandomValues(n, 81);
        if (op == ReduceOp.Prod) for (int i = 0; i < n; i++) x[i] = 1 + x[i] * 1e-3;
        double cpu = Cpu.Reduce(op, new CpuStorage<double>(x), 0, n);
        using var g = Gpu.Upload<double>(x);
        double a = Gpu.Reduce(op, g, 0, n), b = Gpu.Reduce(op, g, 0, n);
        Assert.Equal(BitConverter.DoubleToInt64Bits(a), BitConverter.DoubleToInt64Bits(b));
        Assert.True(Math.Abs(a - cpu) <= 1e-12 * Math.Max(1, Math.Abs(cpu)) * 100, $"{op}: gpu {a} cpu {cpu}");
        Assert.Equal(CpuBackend.Identity<double>(op), Gpu.Reduce(op, g, 0, 0));
        if (op is ReduceOp.Max or ReduceOp.Min or ReduceOp.MaxAbs)
        {
            x[1234 % n] = double.NaN;
            using var gn = Gpu.Upload<double>(x);
            Assert.True(double.IsNaN(Gpu.Reduce(op, gn, 0, n)));
        }
    }

    [Theory]
    [InlineData(ReduceOp.Sum)]
    [InlineData(ReduceOp.SumAbs)]
    [InlineData(ReduceOp.Max)]
    [InlineData(ReduceOp.Min)]
    [InlineData(ReduceOp.Prod)]
    public void RowReduceMatchesCpu(ReduceOp op)
    {
        int rows = 45, cols = 30;
        var (rp, ci) = RandomPattern(rows, cols, 4, 91); // includes empty rows
        var (c, g) = Both(rows, cols, rp, ci);
        var v = RandomValues(ci.Length + 2, 92);
        var rc = new CpuStorage<double>(rows);
        Cpu.RowReduce(op, c, new CpuStorage<double>(v), 2, rc, 0);
        using var gv = Gpu.Upload<double>(v); using var gr = Gpu.Allocate<double>(rows);
        Gpu.RowReduce(op, g, gv, 2, gr, 0);
        Close(rc.Array, gr.ToArray());
    }

    [Fact]
    public void CopyFillAllocateAndPoolReuse()
    {
        var x = RandomValues(300, 101);
        using var g = Gpu.Upload<double>(x);
        Gpu.Copy(g, 0, g, 10, 200); // overlapping, forward
        var expect = (double[])x.Clone();
        Array.Copy(x, 0, expect, 10, 200);
        Assert.Equal(expect, g.ToArray());
        Gpu.Fill(g, 5, 7, 42.0);
        for (int i = 5; i < 12; i++) expect[i] = 42.0;
        Assert.Equal(expect, g.ToArray());
        using var ints = Gpu.Allocate<int>(9);
        Gpu.Fill(ints, 2, 3, -7);
        Assert.Equal(new[] { 0, 0, -7, -7, -7, 0, 0, 0, 0 }, ints.ToArray());
        // A freed buffer comes back zeroed from Allocate.
        var s = Gpu.Upload<double>(Enumerable.Repeat(3.0, 123).ToArray());
        s.Dispose();
        using var again = Gpu.Allocate<double>(123);
        Assert.All(again.ToArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void StorageOfAnotherDeviceOrOutOfRangeIsRejected()
    {
        using var g = Gpu.Allocate<double>(10);
        var cpu = new CpuStorage<double>(10);
        var e = Assert.Throws<ArgumentException>(() => Gpu.Axpby(1.0, cpu, 0, 0.0, g, 0, 10));
        Assert.Contains("cpu", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Gpu.Axpby(1.0, g, 5, 0.0, g, 0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.CopyFrom(new double[5], 8));
    }

    [Fact]
    public void OutOfMemoryNamesRequestAndFreeBytes()
    {
        Assert.SkipUnless(GpuTestDevice.IsReal, "needs a real GPU (the emulator allocates host memory)");
        var held = new List<Storage<double>>();
        try
        {
            var e = Assert.Throws<DeviceOutOfMemoryException>(() =>
            {
                for (int i = 0; i < 64; i++) held.Add(Gpu.Allocate<double>(int.MaxValue / 2 + 1));
            });
            Assert.Contains("requested", e.Message);
            Assert.True(e.RequestedBytes > 0);
        }
        finally
        {
            foreach (var h in held) h.Dispose();
            Gpu.Pool.Trim();
        }
    }

    [Fact]
    public void DescriptionNamesDeviceAndJitTime()
    {
        Assert.Contains("cuda:0", Gpu.Description);
        Assert.Contains("JIT", Gpu.Description);
        Assert.True(Gpu.JitTime > TimeSpan.Zero);
    }
}
