using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Cuda;
using TorchSla.Kernels.Memory;
using Xunit;

namespace TorchSla.Tests.Cuda;

/// <summary>
/// The AMG setup primitives on the GPU backend against their CPU twins (identical results: same algorithm, fixed
/// summation orders) and against what they mean; the emulator in CI, a 13×13 grid.
/// </summary>
public class GpuAmgKernelTests
{
    private static IlgpuBackend Gpu => GpuTestDevice.Backend;
    private static CpuBackend Cpu => CpuBackend.Instance;

    /// <summary>A g×g 5-point graph Laplacian with random edge weights in [10⁻³, 1] (so some edges are weak) plus 0.01 on the diagonal: symmetric positive definite.</summary>
    private static (int[] RowPtr, int[] ColInd, double[] Values) RandomLaplacian(int g, int seed)
    {
        var rng = new Random(seed);
        int n = g * g;
        var w = new Dictionary<(int, int), double>();
        double Weight(int i, int j) => w.TryGetValue((Math.Min(i, j), Math.Max(i, j)), out var x) ? x : w[(Math.Min(i, j), Math.Max(i, j))] = rng.NextDouble() < 0.3 ? 1e-3 : 0.2 + rng.NextDouble();
        var rp = new int[n + 1]; var ci = new List<int>(); var v = new List<double>();
        for (int i = 0; i < n; i++)
        {
            int r = i / g, c = i % g;
            var nb = new List<int>();
            if (r > 0) nb.Add(i - g);
            if (c > 0) nb.Add(i - 1);
            if (c < g - 1) nb.Add(i + 1);
            if (r < g - 1) nb.Add(i + g);
            double d = 0.01;
            foreach (int j in nb) d += Weight(i, j);
            foreach (int j in nb.Append(i).Order()) { ci.Add(j); v.Add(j == i ? d : -Weight(i, j)); }
            rp[i + 1] = ci.Count;
        }
        return (rp, [.. ci], [.. v]);
    }

    private static CsrIndices OnGpu(int n, int[] rp, int[] ci) => new(n, n, Gpu.Upload<int>(rp), Gpu.Upload<int>(ci));
    private static CsrIndices OnCpu(int n, int[] rp, int[] ci) => new(n, n, new CpuStorage<int>(rp), new CpuStorage<int>(ci));

    [Fact]
    public void DiagonalMatchesTheHostAndNamesTheFirstBadRow()
    {
        var (rp, ci, v) = RandomLaplacian(13, 1);
        int n = rp.Length - 1;
        using var gd = Gpu.Allocate<double>(n);
        var cd = new CpuStorage<double>(n);
        Assert.Equal(-1, Gpu.AmgDiagonal(OnGpu(n, rp, ci), Gpu.Upload<double>(v), gd));
        Assert.Equal(-1, Cpu.AmgDiagonal(OnCpu(n, rp, ci), new CpuStorage<double>(v), cd));
        Assert.Equal(cd.ToArray(), gd.ToArray());
        for (int i = 0; i < n; i++) Assert.Equal(v[Array.IndexOf(ci, i, rp[i], rp[i + 1] - rp[i])], cd.Array[i]);
        // A negative entry at row 40 and a NaN at row 77: the first is named by both twins.
        var bad = (double[])v.Clone();
        bad[Array.IndexOf(ci, 40, rp[40], rp[41] - rp[40])] = -1;
        bad[Array.IndexOf(ci, 77, rp[77], rp[78] - rp[77])] = double.NaN;
        Assert.Equal(40, Gpu.AmgDiagonal(OnGpu(n, rp, ci), Gpu.Upload<double>(bad), gd));
        Assert.Equal(40, Cpu.AmgDiagonal(OnCpu(n, rp, ci), new CpuStorage<double>(bad), cd));
    }

    [Fact]
    public void ScaleMatchesTheHostAndItsDefinition()
    {
        var (rp, ci, v) = RandomLaplacian(13, 2);
        int n = rp.Length - 1;
        var rng = new Random(3);
        var left = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var right = Enumerable.Range(0, n).Select(_ => rng.NextDouble() + 0.5).ToArray();
        foreach (bool withRight in new[] { true, false })
        {
            using var g = Gpu.Allocate<double>(v.Length);
            var c = new CpuStorage<double>(v.Length);
            Gpu.AmgScale(OnGpu(n, rp, ci), Gpu.Upload<double>(v), Gpu.Upload<double>(left), withRight ? Gpu.Upload<double>(right) : null, 0.75, g);
            Cpu.AmgScale(OnCpu(n, rp, ci), new CpuStorage<double>(v), new CpuStorage<double>(left), withRight ? new CpuStorage<double>(right) : null, 0.75, c);
            Assert.Equal(c.ToArray(), g.ToArray());
            for (int i = 0; i < n; i++)
                for (int k = rp[i]; k < rp[i + 1]; k++)
                {
                    double expected = left[i] * v[k] * (withRight ? right[ci[k]] : 1) + (ci[k] == i ? 0.75 : 0);
                    Assert.True(Math.Abs(expected - c.Array[k]) <= 1e-15 * (1 + Math.Abs(expected)), $"slot {k}");
                }
        }
    }

    [Fact]
    public void StrengthMis2AndTentativeMatchTheHostAndTheirDefinitions()
    {
        var (rp, ci, v) = RandomLaplacian(13, 4);
        int n = rp.Length - 1;
        var diag = new double[n];
        for (int i = 0; i < n; i++) diag[i] = v[Array.IndexOf(ci, i, rp[i], rp[i + 1] - rp[i])];
        const double theta = 0.08;
        using var gs = Gpu.AmgStrength(OnGpu(n, rp, ci), Gpu.Upload<double>(v), Gpu.Upload<double>(diag), theta);
        var cs = Cpu.AmgStrength(OnCpu(n, rp, ci), new CpuStorage<double>(v), new CpuStorage<double>(diag), theta);
        var sp = cs.RowPtr.ToArray(); var sc = cs.ColInd.ToArray();
        Assert.Equal(sp, gs.RowPtr.ToArray());
        Assert.Equal(sc, gs.ColInd.ToArray());
        // The definition: j ≠ i with a_ij² ≥ θ²·a_ii·a_jj, and nothing else.
        for (int i = 0; i < n; i++)
        {
            var expected = Enumerable.Range(rp[i], rp[i + 1] - rp[i]).Where(k => ci[k] != i && v[k] * v[k] >= theta * theta * diag[i] * diag[ci[k]]).Select(k => ci[k]);
            Assert.Equal(expected, sc[sp[i]..sp[i + 1]]);
        }
        Assert.True(sc.Length < ci.Length - n, "the weak edges must be dropped");

        // Distance 1: the same on both twins; aggregates are a root and strong neighbours of it, roots not adjacent.
        using (var g1 = Gpu.Allocate<int>(n))
        {
            var c1 = new CpuStorage<int>(n);
            int count1 = Gpu.AmgMisAggregate(gs, g1, 1);
            Assert.Equal(Cpu.AmgMisAggregate(cs, c1, 1), count1);
            Assert.Equal(c1.ToArray(), g1.ToArray());
            for (int a = 0; a < count1; a++)
            {
                var members = Enumerable.Range(0, n).Where(i => c1.Array[i] == a).ToArray();
                Assert.Contains(members, r => members.All(m => m == r || sc.AsSpan(sp[r], sp[r + 1] - sp[r]).Contains(m)));
            }
        }

        using var ga = Gpu.Allocate<int>(n);
        var ca = new CpuStorage<int>(n);
        int count = Gpu.AmgMisAggregate(gs, ga, 2);
        Assert.Equal(Cpu.AmgMisAggregate(cs, ca, 2), count);
        Assert.Equal(ca.ToArray(), ga.ToArray());
        // Isolated nodes (all edges weak) stay out, every other node is in an aggregate of a strong-neighbour chain.
        for (int i = 0; i < n; i++)
            if (sp[i] == sp[i + 1]) Assert.Equal(-1, ca.Array[i]);
            else Assert.InRange(ca.Array[i], 0, count - 1);

        // P̂ for a non-constant vector: orthonormal columns and P̂·b_c = b on the aggregated rows.
        var b = Enumerable.Range(0, n).Select(i => 1.0 + (i % 7) * 0.1).ToArray();
        using var gcn = Gpu.Allocate<double>(count);
        var ccn = new CpuStorage<double>(count);
        var (gp, gv, gz) = Gpu.AmgTentative(ga, count, Gpu.Upload<double>(b), gcn);
        var (cp, cv, cz) = Cpu.AmgTentative(ca, count, new CpuStorage<double>(b), ccn);
        Assert.Equal((0, 0), (gz, cz));
        Assert.Equal(cp.RowPtr.ToArray(), gp.RowPtr.ToArray());
        Assert.Equal(cp.ColInd.ToArray(), gp.ColInd.ToArray());
        Assert.Equal(cv.ToArray(), gv.ToArray());
        Assert.Equal(ccn.ToArray(), gcn.ToArray());
        var prp = cp.RowPtr.ToArray(); var pci = cp.ColInd.ToArray(); var pv = cv.ToArray(); var bc = ccn.ToArray();
        var colNorm = new double[count];
        for (int i = 0; i < n; i++)
        {
            int len = prp[i + 1] - prp[i];
            Assert.Equal(ca.Array[i] >= 0 ? 1 : 0, len);
            if (len == 0) continue;
            Assert.Equal(ca.Array[i], pci[prp[i]]);
            colNorm[pci[prp[i]]] += pv[prp[i]] * pv[prp[i]];
            Assert.True(Math.Abs(pv[prp[i]] * bc[pci[prp[i]]] - b[i]) <= 1e-14, $"row {i}: P̂·b_c ≠ b");
        }
        Assert.All(colNorm, s => Assert.True(Math.Abs(s - 1) <= 1e-14));
    }

    [Fact]
    public void TentativeCountsAggregatesWhereTheVectorVanishes()
    {
        int[] agg = [0, 0, 1, 1, -1, 2];
        double[] b = [1, 2, 0, 0, 5, 3];
        using var gcn = Gpu.Allocate<double>(3);
        var (_, _, gz) = Gpu.AmgTentative(Gpu.Upload<int>(agg), 3, Gpu.Upload<double>(b), gcn);
        var (_, _, cz) = Cpu.AmgTentative(new CpuStorage<int>(agg), 3, new CpuStorage<double>(b), new CpuStorage<double>(3));
        Assert.Equal((1, 1), (gz, cz));
        Assert.Equal([Math.Sqrt(5), 0, 3], gcn.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SmoothingStepMatchesItsDefinition(bool overwrite)
    {
        int n = 37;
        var rng = new Random(overwrite ? 8 : 9);
        double[] R() => Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var w = R(); var r = R(); var d = R(); var x = R();
        foreach (double beta in new[] { 0.0, -0.3 })
        {
            var gdv = Gpu.Upload<double>(d); var gxv = Gpu.Upload<double>(x);
            var cdv = new CpuStorage<double>((double[])d.Clone()); var cxv = new CpuStorage<double>((double[])x.Clone());
            Gpu.AmgSmoothingStep(Gpu.Upload<double>(w), Gpu.Upload<double>(r), gdv, gxv, n, 1.7, beta, overwrite);
            Cpu.AmgSmoothingStep(new CpuStorage<double>(w), new CpuStorage<double>(r), cdv, cxv, n, 1.7, beta, overwrite);
            // A GPU may fuse α·(w·r) + β·d into one fma: equal to the CPU's to the last bits, not bit for bit.
            var gd = gdv.ToArray(); var gx = gxv.ToArray();
            for (int i = 0; i < n; i++)
            {
                double di = 1.7 * (w[i] * r[i]) + beta * d[i];
                double xi = overwrite ? di : x[i] + di;
                Assert.Equal(di, cdv.Array[i]);
                Assert.Equal(xi, cxv.Array[i]);
                Assert.True(Math.Abs(gd[i] - di) <= 4e-16 * (1 + Math.Abs(di)) && Math.Abs(gx[i] - xi) <= 4e-16 * (1 + Math.Abs(xi)), $"element {i}");
            }
        }
    }

    [Fact]
    public void PseudoRandomVectorMatchesTheHostAndIsSpread()
    {
        int n = 4000;
        using var g = Gpu.Allocate<double>(n);
        var c = new CpuStorage<double>(n);
        Gpu.AmgPseudoRandom(g, n, 12345);
        Cpu.AmgPseudoRandom(c, n, 12345);
        Assert.Equal(c.ToArray(), g.ToArray());
        var v = c.Array;
        Assert.All(v, x => Assert.InRange(x, -0.5, 0.5));
        Assert.InRange(v.Average(), -0.02, 0.02);                    // uniform on [−½, ½): mean 0 ± 3σ/√n
        Assert.InRange(v.Select(x => x * x).Average(), 0.075, 0.092); // variance 1/12
        Assert.True(v.Distinct().Count() > n - 5);
        var other = new CpuStorage<double>(n);
        Cpu.AmgPseudoRandom(other, n, 7);
        Assert.NotEqual(v, other.Array);
    }
}
