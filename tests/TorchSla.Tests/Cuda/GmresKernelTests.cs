using MathNet.Numerics.LinearAlgebra;
using TorchSla.Kernels;
using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Cuda;
using TorchSla.Kernels.Memory;
using Xunit;
using S = TorchSla.Kernels.GmresScalars;

namespace TorchSla.Tests.Cuda;

/// <summary>
/// The GMRES primitives (MultiDotInto, MultiAxpy, ScaleBySlot, ArnoldiColumn): the CPU twin against plain loops and a
/// dense least-squares solve evaluated here, the ILGPU twin against the CPU twin (emulator in CI, GPU with
/// TORCHSLA_TEST_DEVICE=cuda).
/// </summary>
public class GmresKernelTests
{
    private static IlgpuBackend Gpu => GpuTestDevice.Backend;
    private static CpuBackend Cpu => CpuBackend.Instance;

    private static double[] Random(int length, int seed)
    {
        var rng = new System.Random(seed);
        var v = new double[length];
        for (int i = 0; i < length; i++) v[i] = rng.NextDouble() * 2 - 1;
        return v;
    }

    private static void Close(double[] expected, double[] actual, double tol = 1e-12)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(expected[i] == actual[i] || Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, Math.Abs(expected[i]))
                        || (double.IsNaN(expected[i]) && double.IsNaN(actual[i])),
                $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Theory]
    [InlineData(37, 4)]      // one block, shorter than a chunk
    [InlineData(1031, 1)]    // one vector, several chunks
    [InlineData(40_007, 3)]  // several blocks: the parallel path on the CPU
    public void MultiDotAndMultiAxpyMatchLoopsAndTheCpuTwin(int n, int count)
    {
        bool gpu = n <= 1031 || GpuTestDevice.IsReal; // the emulator is slow: tiny inputs only
        var basis = Random((count + 1) * n, 1); // one row more than used: the primitives must not read it
        var w = Random(n, 2);
        const int slot = 3, normSlot = 1;
        var coefficients = Random(slot + count, 3);
        double alpha = -0.75;

        var cs = new CpuStorage<double>(new double[slot + count]);
        Cpu.MultiDotInto(new CpuStorage<double>(basis), count, n, new CpuStorage<double>(w), cs, slot);
        var cc = new CpuStorage<double>((double[])coefficients.Clone());
        var cw = new CpuStorage<double>((double[])w.Clone());
        Cpu.MultiAxpy(new CpuStorage<double>(basis), count, n, cc, slot, alpha, cw, normSlot);

        // Plain loops.
        var wNew = (double[])w.Clone();
        double norm = 0;
        for (int e = 0; e < n; e++)
        {
            double acc = 0;
            for (int i = 0; i < count; i++) acc += coefficients[slot + i] * basis[i * n + e];
            wNew[e] += alpha * acc;
            norm += wNew[e] * wNew[e];
        }
        for (int i = 0; i < count; i++)
        {
            double d = 0;
            for (int e = 0; e < n; e++) d += basis[i * n + e] * w[e];
            Assert.Equal(d, cs.Array[slot + i], 1e-11 * Math.Sqrt(n));
        }
        Close(wNew, cw.Array, 1e-13);
        Assert.Equal(norm, cc.Array[normSlot], 1e-11 * norm);
        Close(coefficients[slot..], cc.Array[slot..], 0); // coefficients only read

        if (!gpu) return;
        using var gb = Gpu.Upload<double>(basis); using var gw = Gpu.Upload<double>(w);
        using var gs = Gpu.Allocate<double>(slot + count);
        Gpu.MultiDotInto(gb, count, n, gw, gs, slot);
        Close(cs.Array[slot..], gs.ToArray()[slot..], 1e-12);
        using var gc = Gpu.Upload<double>(coefficients);
        Gpu.MultiAxpy(gb, count, n, gc, slot, alpha, gw, normSlot);
        Close(cw.Array, gw.ToArray(), 1e-13);
        Assert.Equal(cc.Array[normSlot], gc.ToArray()[normSlot], 1e-12 * norm);
    }

    [Fact]
    public void ScaleBySlotWritesBothDestinationsAndZerosForAZeroScale()
    {
        int n = 21;
        var x = Random(n, 4);
        x[5] = double.NaN; // a zero scale must still write 0 there
        foreach (double sigma in new[] { 2.5, 0.0 })
        {
            var s = new[] { 0.0, sigma };
            var block = Random(3 * n, 5);
            var copy = new double[n];
            var cb = new CpuStorage<double>((double[])block.Clone()); var cc = new CpuStorage<double>(copy);
            Cpu.ScaleBySlot(new CpuStorage<double>(x), new CpuStorage<double>(s), 1, cb, n, cc, n);
            for (int e = 0; e < n; e++)
            {
                double expected = sigma == 0 ? 0 : sigma * x[e];
                Assert.Equal(expected, cb.Array[n + e]);
                Assert.Equal(expected, cc.Array[e]);
                Assert.Equal(block[e], cb.Array[e]);           // row 0 untouched
                Assert.Equal(block[2 * n + e], cb.Array[2 * n + e]); // row 2 untouched
            }
            using var gb = Gpu.Upload<double>(block); using var gc = Gpu.Allocate<double>(n);
            using var gx = Gpu.Upload<double>(x); using var gs = Gpu.Upload<double>(s);
            Gpu.ScaleBySlot(gx, gs, 1, gb, n, gc, n);
            Close(cb.Array, gb.ToArray(), 0);
            Close(cc.Array, gc.ToArray(), 0);
        }
    }

    /// <summary>
    /// Feeds the columns of a random Hessenberg matrix H ((m+1)×m) through ArnoldiColumn as the two CGS passes would,
    /// and checks after each column j that the estimate is min_y ‖β·e₁ − H_j·y‖ (dense QR here), and at the end that
    /// RᵀR = HᵀH (R is H's triangular factor) and that R·y = g solves the least-squares problem.
    /// </summary>
    [Fact]
    public void ArnoldiColumnBuildsTheTriangularFactorAndTheLeastSquaresResidual()
    {
        const int m = 5;
        const double beta = 2;
        var first = Random((m + 1) * m, 6); var second = Random((m + 1) * m, 7);
        var sub = Random(m, 8).Select(v => Math.Abs(v) + 0.1).ToArray();
        var h = new double[m + 1, m];
        for (int j = 0; j < m; j++)
        {
            for (int i = 0; i <= j; i++) h[i, j] = first[j * (m + 1) + i] + second[j * (m + 1) + i];
            h[j + 1, j] = sub[j];
        }
        var cpu = new double[S.Length(m)];
        cpu[S.G(m)] = beta; cpu[S.Bound] = 1e-300;
        using var g = Gpu.Allocate<double>(S.Length(m));
        var cs = new CpuStorage<double>(cpu);
        for (int j = 0; j < m; j++)
        {
            for (int i = 0; i <= j; i++) { cpu[S.FirstPass(m) + i] = first[j * (m + 1) + i]; cpu[S.SecondPass(m) + i] = second[j * (m + 1) + i]; }
            cpu[S.NormSquared] = sub[j] * sub[j];
            if (j == 0) g.CopyFrom(cpu);
            else
            {
                // Only the pass coefficients and ‖w‖² come from the vector primitives; the rest stays on the device.
                g.CopyFrom(cpu.AsSpan(S.FirstPass(m), 2 * (m + 1)), S.FirstPass(m));
                g.CopyFrom(cpu.AsSpan(S.NormSquared, 1), S.NormSquared);
            }
            Cpu.ArnoldiColumn(cs, m, j);
            Gpu.ArnoldiColumn(g, m, j);
            Assert.Equal(S.Active, (int)cpu[S.Status]);
            Assert.Equal(1 / Math.Sqrt(sub[j] * sub[j]), cpu[S.Scale], 1e-15);

            var hj = Matrix<double>.Build.Dense(j + 2, j + 1, (r, c) => h[r, c]);
            var rhs = Vector<double>.Build.Dense(j + 2, r => r == 0 ? beta : 0);
            var y = hj.QR().Solve(rhs);
            double lsq = (rhs - hj * y).L2Norm();
            Assert.Equal(lsq, cpu[S.Estimates(m) + j], 1e-12);
        }
        Close(cpu, g.ToArray(), 1e-12);

        // RᵀR = HᵀH, R upper triangular (column j of R at R(m) + j(m+1)).
        double Rm(int i, int j) => i <= j ? cpu[S.R(m) + j * (m + 1) + i] : 0;
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++)
            {
                double rtr = 0, hth = 0;
                for (int i = 0; i <= m; i++) { rtr += Rm(i, a) * Rm(i, b); hth += h[i, a] * h[i, b]; }
                Assert.Equal(hth, rtr, 1e-12);
            }
    }

    [Fact]
    public void ArnoldiColumnReportsBreakdownAndNonFiniteAndThenFreezes()
    {
        const int m = 3;
        foreach (var (normSquared, bound, expected) in new[]
                 {
                     (0.0, 1e-12, S.Converged),        // w = 0: the estimate is 0 too
                     (0.0, -1.0, S.HappyBreakdown),    // (an unreachable bound isolates the h_{j+1,j} = 0 test)
                     (double.NaN, 1e-12, S.NonFinite),
                 })
        {
            var s = new double[S.Length(m)];
            s[S.G(m)] = 1; s[S.Bound] = bound;
            s[S.FirstPass(m)] = 0.5; s[S.NormSquared] = normSquared;
            var cs = new CpuStorage<double>(s);
            using var g = Gpu.Upload<double>(s);
            Cpu.ArnoldiColumn(cs, m, 0);
            Gpu.ArnoldiColumn(g, m, 0);
            Assert.Equal(expected, (int)s[S.Status]);
            Assert.Equal(1, (int)s[S.StopStep]);
            Assert.Equal(0, s[S.Scale]);
            var frozen = (double[])s.Clone();
            s[S.NormSquared] = 4; // a step launched after the stop
            Cpu.ArnoldiColumn(cs, m, 1);
            Gpu.ArnoldiColumn(g, m, 1);
            frozen[S.NormSquared] = 4;
            Close(frozen, s, 0);
            var gh = g.ToArray(); gh[S.NormSquared] = 4;
            Close(frozen, gh, 1e-14);
        }
    }
}
