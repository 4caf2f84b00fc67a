using System.Numerics;
using System.Runtime.Intrinsics.X86;
using TorchSla.Kernels;
using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Memory;
using Xunit;

namespace TorchSla.Tests.Kernels;

/// <summary>
/// The CSR SpMV row kernels (portable scalar and AVX2 gather) against a dense double-precision
/// reference, on random matrices whose rows hold 0..40 entries, so that every vector-width
/// remainder and the empty row occur. The kernels are called directly (no global switches are
/// flipped, so tests running in parallel cannot disturb each other).
/// </summary>
public class CsrSpMVKernelTests
{
    private sealed record Csr<T>(int Rows, int Cols, int[] RowPtr, int[] ColInd, T[] Val);

    private static Csr<T> RandomCsr<T>(int rows, int cols, int maxRowLength, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        var rowPtr = new int[rows + 1];
        var colInd = new List<int>(); var val = new List<T>();
        for (int r = 0; r < rows; r++)
        {
            // every length 0..maxRowLength appears: cycle through them, shuffled by a random offset
            int len = Math.Min(cols, (r + seed) % (maxRowLength + 1));
            var picked = new SortedSet<int>();
            while (picked.Count < len) picked.Add(rng.Next(cols));
            foreach (int c in picked) { colInd.Add(c); val.Add(T.CreateTruncating(rng.NextDouble() * 2 - 1)); }
            rowPtr[r + 1] = colInd.Count;
        }
        return new Csr<T>(rows, cols, rowPtr, colInd.ToArray(), val.ToArray());
    }

    private static T[] RandomVector<T>(int n, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        var v = new T[n];
        for (int i = 0; i < n; i++) v[i] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
        return v;
    }

    /// <summary>α·A·x + β·y in double with the Σ|terms| bound that scales the rounding error.</summary>
    private static (double[] Value, double[] Scale) Reference<T>(Csr<T> a, T[] x, T[] y0, double alpha, double beta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dense = new double[a.Rows, a.Cols];
        for (int r = 0; r < a.Rows; r++)
            for (int k = a.RowPtr[r]; k < a.RowPtr[r + 1]; k++) dense[r, a.ColInd[k]] = double.CreateTruncating(a.Val[k]);
        var value = new double[a.Rows]; var scale = new double[a.Rows];
        for (int r = 0; r < a.Rows; r++)
        {
            double s = 0, abs = 0;
            for (int c = 0; c < a.Cols; c++) { double t = dense[r, c] * double.CreateTruncating(x[c]); s += t; abs += Math.Abs(t); }
            double yb = beta == 0 ? 0 : beta * double.CreateTruncating(y0[r]);
            value[r] = alpha * s + yb;
            scale[r] = Math.Abs(alpha) * abs + Math.Abs(yb) + 1e-300;
        }
        return (value, scale);
    }

    private static unsafe T[] RunKernel<T>(Csr<T> a, T[] x, T[] y0, T alpha, T beta, bool gather, int r0 = 0, int r1 = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = (T[])y0.Clone();
        if (r1 < 0) r1 = a.Rows;
        fixed (int* rp = a.RowPtr) fixed (int* ci = a.ColInd) fixed (T* v = a.Val) fixed (T* px = x) fixed (T* py = y)
            CsrKernels.SpMVRows(r0, r1, rp, ci, v, px, py, alpha, beta, gather);
        return y;
    }

    public static TheoryData<bool, double, double> Cases()
    {
        var d = new TheoryData<bool, double, double>();
        foreach (bool g in new[] { false, true })
            foreach (var (al, be) in new[] { (1.0, 0.0), (2.5, 0.0), (1.0, 1.0), (-0.5, 2.0), (0.0, 3.0) })
                d.Add(g, al, be);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float64KernelMatchesDense(bool gather, double alpha, double beta) => CheckKernel<double>(gather, alpha, beta, 1e-14);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float32KernelMatchesDense(bool gather, double alpha, double beta) => CheckKernel<float>(gather, alpha, beta, 1e-6);

    private static void CheckKernel<T>(bool gather, double alpha, double beta, double tol) where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var (rows, cols, seed) in new[] { (123, 97, 1), (60, 40, 2), (7, 300, 3) })
        {
            var a = RandomCsr<T>(rows, cols, 40, seed);
            var x = RandomVector<T>(cols, seed + 10);
            var y0 = RandomVector<T>(rows, seed + 20);
            var (want, scale) = Reference(a, x, y0, alpha, beta);
            var got = RunKernel(a, x, y0, T.CreateTruncating(alpha), T.CreateTruncating(beta), gather);
            for (int r = 0; r < rows; r++)
                Assert.True(Math.Abs(double.CreateTruncating(got[r]) - want[r]) <= tol * 50 * scale[r],
                    $"row {r} (length {a.RowPtr[r + 1] - a.RowPtr[r]}): got {got[r]}, want {want[r]} (gather={gather}, α={alpha}, β={beta})");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BetaZeroNeverReadsY(bool gather)
    {
        var a = RandomCsr<double>(50, 50, 40, 4);
        var x = RandomVector<double>(50, 5);
        var y0 = Enumerable.Repeat(double.NaN, 50).ToArray();
        var got = RunKernel(a, x, y0, 1.5, 0.0, gather);
        Assert.All(got, v => Assert.True(double.IsFinite(v)));
        var gotF = RunKernel(RandomCsr<float>(50, 50, 40, 4), RandomVector<float>(50, 5), Enumerable.Repeat(float.NaN, 50).ToArray(), 1f, 0f, gather);
        Assert.All(gotF, v => Assert.True(float.IsFinite(v)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RowBlocksGiveBitIdenticalResults(bool gather)
    {
        // Determinism: a row's sum depends on the row alone, so cutting the rows into blocks
        // (as the threads do) must not change a single bit.
        var a = RandomCsr<double>(400, 300, 40, 6);
        var x = RandomVector<double>(300, 7);
        var y0 = RandomVector<double>(400, 8);
        var whole = RunKernel(a, x, y0, 0.7, 0.3, gather);
        var part = RowPartition.Build(a.RowPtr, 7);
        var blocks = (double[])y0.Clone();
        for (int b = part.Count - 1; b >= 0; b--)
        {
            var yb = RunKernel(a, x, y0, 0.7, 0.3, gather, part.Starts[b], part.Starts[b + 1]);
            Array.Copy(yb, part.Starts[b], blocks, part.Starts[b], part.Starts[b + 1] - part.Starts[b]);
        }
        Assert.Equal(whole, blocks);
    }

    [Fact]
    public void GatherIsOnlyChosenForLongRows()
    {
        Assert.False(CsrKernels.GatherPays(1000, 5000));
        Assert.Equal(CsrKernels.UseGather, CsrKernels.GatherPays(1000, 1000L * CsrKernels.GatherMinMeanRowLength));
        Assert.Equal(Avx2.IsSupported && Fma.IsSupported, CsrKernels.UseGather);
    }

    [Theory]
    [InlineData(3000, 30)]  // 45k entries, mean row 15: parallel blocks, gather kernel where AVX2 exists
    [InlineData(9000, 8)]   // 36k entries, mean row 4: parallel blocks, scalar kernel
    [InlineData(500, 12)]   // 3k entries: one thread
    public void BackendSpMVMatchesDenseOnLargeMatrices(int rows, int maxRowLength)
    {
        var a = RandomCsr<double>(rows, rows, maxRowLength, 9);
        var x = RandomVector<double>(rows, 10);
        var y0 = RandomVector<double>(rows, 11);
        var be = CpuBackend.Instance;
        using var idx = new CsrIndices(rows, rows, be.Upload<int>(a.RowPtr), be.Upload<int>(a.ColInd));
        var vals = be.Upload<double>(a.Val); var xs = be.Upload<double>(x); var ys = be.Upload<double>(y0);
        be.SpMV(idx, vals, 0, xs, 0, ys, 0, -1.25, 0.5);
        var got = CpuBackend.SpanOf(ys).ToArray();
        // sparse reference (dense would be rows² doubles): the same sum, in double, in index order
        for (int r = 0; r < rows; r++)
        {
            double s = 0, abs = 0;
            for (int k = a.RowPtr[r]; k < a.RowPtr[r + 1]; k++) { double t = a.Val[k] * x[a.ColInd[k]]; s += t; abs += Math.Abs(t); }
            double want = -1.25 * s + 0.5 * y0[r];
            Assert.True(Math.Abs(got[r] - want) <= 1e-13 * (1.25 * abs + 0.5 * Math.Abs(y0[r]) + 1e-300), $"row {r}: got {got[r]}, want {want}");
        }
        // and the single-threaded kernel over all rows gives the same bits as the backend's blocks
        Assert.Equal(RunKernel(a, x, y0, -1.25, 0.5, CsrKernels.GatherPays(rows, a.ColInd.Length)), got);
    }
}
