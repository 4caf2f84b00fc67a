using TorchSla.Kernels;
using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Cuda;
using TorchSla.Kernels.Memory;
using Xunit;

namespace TorchSla.Tests.Cuda;

/// <summary>
/// The fused Krylov primitives (DotInto, SpMVDot, CgUpdate, CgDirection): the CPU twin against formulas
/// evaluated here on the host, and the ILGPU twin against the CPU twin (emulator in CI, GPU with
/// TORCHSLA_TEST_DEVICE=cuda), for one vector, a batch [B, n] and the columns of [n, K].
/// </summary>
public class FusedKrylovKernelTests
{
    private static IlgpuBackend Gpu => GpuTestDevice.Backend;
    private static CpuBackend Cpu => CpuBackend.Instance;
    private const int Ring = 4;
    private static readonly int Stride = CgScalars.Stride(Ring);

    public static TheoryData<string> Layouts => new() { "single", "batch", "columns" };

    private static VectorBatch LayoutOf(string name, int n) => name switch
    {
        "single" => VectorBatch.Single(n),
        "batch" => VectorBatch.Contiguous(n, 3),
        _ => VectorBatch.Interleaved(n, 3),
    };

    private static double[] Random(int length, int seed, double shift = 0)
    {
        var rng = new System.Random(seed);
        var v = new double[length];
        for (int i = 0; i < length; i++) v[i] = rng.NextDouble() * 2 - 1 + shift;
        return v;
    }

    /// <summary>A random pattern with a full diagonal: rows of about 4 entries.</summary>
    private static (int[] RowPtr, int[] ColInd) Pattern(int n, int seed)
    {
        var rng = new System.Random(seed);
        var rp = new int[n + 1];
        var ci = new List<int>();
        for (int r = 0; r < n; r++)
        {
            var set = new SortedSet<int> { r };
            while (set.Count < 4) set.Add(rng.Next(n));
            ci.AddRange(set);
            rp[r + 1] = ci.Count;
        }
        return (rp, ci.ToArray());
    }

    private static void Close(double[] expected, double[] actual, double tol = 1e-12)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double scale = Math.Max(1, Math.Abs(expected[i]));
            Assert.True(expected[i] == actual[i] || Math.Abs(expected[i] - actual[i]) <= tol * scale || (double.IsNaN(expected[i]) && double.IsNaN(actual[i])),
                $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    private static double At(double[] v, VectorBatch l, int b, int i) => v[b * l.SystemStride + i * l.ElementStride];

    [Theory]
    [MemberData(nameof(Layouts))]
    public void SpMVDotAndDotIntoMatchFormulasAndTheCpuTwin(string layoutName)
    {
        int n = 37;
        var l = LayoutOf(layoutName, n);
        var (rp, ci) = Pattern(n, 5);
        int nnz = ci.Length, sets = l.IsUnitStride ? l.Count : 1;
        var vals = Random(sets * nnz, 6);
        var p = Random((int)l.Extent, 7);
        var c = new CsrIndices(n, n, new CpuStorage<int>(rp), new CpuStorage<int>(ci));
        var qc = new CpuStorage<double>((int)l.Extent);
        var sc = new CpuStorage<double>(l.Count * Stride);
        Cpu.SpMVDot(c, new CpuStorage<double>(vals), 0, new CpuStorage<double>(p), qc, l, sc, Stride, CgScalars.Curvature);
        Cpu.DotInto(new CpuStorage<double>(p), new CpuStorage<double>(p), l, sc, Stride, CgScalars.RhoA);
        for (int b = 0; b < l.Count; b++)
        {
            double pq = 0, pp = 0;
            for (int i = 0; i < n; i++)
            {
                double qi = 0;
                for (int k = rp[i]; k < rp[i + 1]; k++) qi += vals[(l.IsUnitStride ? b * nnz : 0) + k] * At(p, l, b, ci[k]);
                Assert.Equal(qi, At(qc.Array, l, b, i), 12);
                pq += At(p, l, b, i) * qi;
                pp += At(p, l, b, i) * At(p, l, b, i);
            }
            Assert.Equal(pq, sc.Array[b * Stride + CgScalars.Curvature], 11);
            Assert.Equal(pp, sc.Array[b * Stride + CgScalars.RhoA], 11);
        }

        var g = new CsrIndices(n, n, Gpu.Upload<int>(rp), Gpu.Upload<int>(ci));
        using var gv = Gpu.Upload<double>(vals); using var gp = Gpu.Upload<double>(p);
        using var gq = Gpu.Allocate<double>((int)l.Extent); using var gs = Gpu.Allocate<double>(l.Count * Stride);
        Gpu.SpMVDot(g, gv, 0, gp, gq, l, gs, Stride, CgScalars.Curvature);
        Gpu.DotInto(gp, gp, l, gs, Stride, CgScalars.RhoA);
        Close(qc.Array, gq.ToArray());
        Close(sc.Array, gs.ToArray());
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void CgUpdateAndDirectionFreezeStoppedSystemsAndMatchTheCpuTwin(string layoutName)
    {
        int n = 29;
        var l = LayoutOf(layoutName, n);
        int len = (int)l.Extent;
        var x = Random(len, 1); var p = Random(len, 2); var r = Random(len, 3); var q = Random(len, 4);
        var d = Random(len, 5, shift: 2); // positive
        var s0 = new double[l.Count * Stride];
        for (int b = 0; b < l.Count; b++)
        {
            int o = b * Stride;
            s0[o + CgScalars.Curvature] = 1.5 + b;
            s0[o + CgScalars.RhoB] = 0.75;
            s0[o + CgScalars.BoundSquared] = 1e-30;
        }
        if (l.Count > 1)
        {
            s0[1 * Stride + CgScalars.Curvature] = -2;     // system 1: pᵀAp < 0, frozen before its update
            s0[2 * Stride + CgScalars.BoundSquared] = 1e9; // system 2: converges at this iteration
        }
        const int iteration = 6;
        foreach (bool jacobi in new[] { true, false })
        {
            var cx = new CpuStorage<double>((double[])x.Clone()); var cr = new CpuStorage<double>((double[])r.Clone());
            var cp = new CpuStorage<double>((double[])p.Clone()); var cs = new CpuStorage<double>((double[])s0.Clone());
            var cd = jacobi ? new CpuStorage<double>(d) : null;
            Cpu.CgUpdate(cx, cp, cr, new CpuStorage<double>(q), cd, l, cs, Stride, CgScalars.RhoB, CgScalars.RhoA, iteration);
            var sAfterUpdate = (double[])cs.Array.Clone();
            Cpu.CgDirection(cr, cd, cp, l, cs, Stride, CgScalars.RhoA, CgScalars.RhoB, iteration);

            // The formulas, on the host.
            for (int b = 0; b < l.Count; b++)
            {
                int o = b * Stride;
                bool frozen = l.Count > 1 && b == 1;
                double alpha = 0.75 / s0[o + CgScalars.Curvature], rr = 0, rz = 0;
                for (int i = 0; i < n; i++)
                {
                    double xi = At(x, l, b, i), ri = At(r, l, b, i);
                    if (!frozen) { xi += alpha * At(p, l, b, i); ri -= alpha * At(q, l, b, i); }
                    Assert.Equal(xi, At(cx.Array, l, b, i), 13);
                    Assert.Equal(ri, At(cr.Array, l, b, i), 13);
                    rr += ri * ri; rz += At(d, l, b, i) * ri * ri;
                }
                if (frozen)
                {
                    Assert.Equal(CgScalars.NegativeCurvature, (int)cs.Array[o + CgScalars.Status]);
                    Assert.Equal(iteration - 1, (int)cs.Array[o + CgScalars.StopIteration]);
                    continue;
                }
                double rhoNew = jacobi ? rz : rr;
                Assert.Equal(rr, sAfterUpdate[o + CgScalars.ResidualSquared], 11);
                Assert.Equal(rr, sAfterUpdate[o + CgScalars.History + (iteration - 1) % Ring], 11);
                Assert.Equal(rhoNew, sAfterUpdate[o + CgScalars.RhoA], 11);
                bool converged = l.Count > 1 && b == 2;
                Assert.Equal(converged ? CgScalars.Converged : CgScalars.Active, (int)cs.Array[o + CgScalars.Status]);
                if (converged) Assert.Equal(iteration, (int)cs.Array[o + CgScalars.StopIteration]);
                double beta = rhoNew / 0.75;
                for (int i = 0; i < n; i++)
                {
                    double zi = (jacobi ? At(d, l, b, i) : 1) * At(cr.Array, l, b, i);
                    Assert.Equal(zi + beta * At(p, l, b, i), At(cp.Array, l, b, i), 12);
                }
            }

            using var gx = Gpu.Upload<double>(x); using var gr = Gpu.Upload<double>(r); using var gp = Gpu.Upload<double>(p);
            using var gq = Gpu.Upload<double>(q); using var gs = Gpu.Upload<double>(s0); using var gdd = Gpu.Upload<double>(d);
            var gd = jacobi ? gdd : null;
            Gpu.CgUpdate(gx, gp, gr, gq, gd, l, gs, Stride, CgScalars.RhoB, CgScalars.RhoA, iteration);
            Close(sAfterUpdate, gs.ToArray(), 1e-11);
            Gpu.CgDirection(gr, gd, gp, l, gs, Stride, CgScalars.RhoA, CgScalars.RhoB, iteration);
            Close(cx.Array, gx.ToArray()); Close(cr.Array, gr.ToArray()); Close(cp.Array, gp.ToArray(), 1e-11);
            Close(cs.Array, gs.ToArray(), 1e-11);
        }
    }

    [Fact]
    public void NonPositiveOrNonFiniteScalarsStopWithTheirCodes()
    {
        int n = 9;
        var l = VectorBatch.Contiguous(n, 3);
        var ones = Enumerable.Repeat(1.0, 3 * n).ToArray();
        var s0 = new double[3 * Stride];
        s0[0 * Stride + CgScalars.Curvature] = 0;          // breakdown
        s0[1 * Stride + CgScalars.Curvature] = double.NaN; // non-finite
        s0[2 * Stride + CgScalars.Curvature] = 1;
        for (int b = 0; b < 3; b++) s0[b * Stride + CgScalars.RhoB] = 1;
        foreach (Backend be in new Backend[] { Cpu, Gpu })
        {
            using var xs = be.Upload<double>(ones); using var ps = be.Upload<double>(ones); using var rs = be.Upload<double>(ones);
            using var qs = be.Upload<double>(ones); using var ss = be.Upload<double>(s0);
            be.CgUpdate(xs, ps, rs, qs, null, l, ss, Stride, CgScalars.RhoB, CgScalars.RhoA, 1);
            // System 2 went on (α = 1: r = 0, so ρ_new = 0): its direction step finds M⁻¹ "indefinite".
            be.CgDirection(rs, null, ps, l, ss, Stride, CgScalars.RhoA, CgScalars.RhoB, 1);
            var s = ss.ToArray();
            Assert.Equal(CgScalars.ZeroCurvature, (int)s[CgScalars.Status]);
            Assert.Equal(CgScalars.NonFinite, (int)s[Stride + CgScalars.Status]);
            Assert.Equal(0, (int)s[Stride + CgScalars.StopIteration]);
            // ‖r‖² = 0 ≤ bound² = 0: converged comes first, so the direction step leaves the status alone.
            Assert.Equal(CgScalars.Converged, (int)s[2 * Stride + CgScalars.Status]);
            Assert.Equal(1, (int)s[2 * Stride + CgScalars.StopIteration]);
            Assert.Equal(ones.Take(2 * n), xs.ToArray().Take(2 * n)); // the stopped systems were not touched
            Assert.All(xs.ToArray().Skip(2 * n), v => Assert.Equal(2.0, v));
        }
    }

    public static TheoryData<string, bool> DirectionCases => new()
    {
        { "single", false }, { "single", true }, { "batch", true }, { "banded", true },
    };

    /// <summary>
    /// The two-pass CG's first pass against its formulas on the host (x += α_{k−1}·p_old when due, p_new = D·r + β·p_old,
    /// q = A·p_new, pᵀq; a stopped system gets only the owed x update; a bad ρ stops with k − 1), and the ILGPU twin
    /// against the CPU twin. "banded" is a 9000-row tridiagonal pattern (several row blocks whose column windows are
    /// formed once per block on the CPU); the random patterns have windows spanning the matrix (formed per entry).
    /// </summary>
    [Theory]
    [MemberData(nameof(DirectionCases))]
    public void CgDirectionSpMVDotMatchesFormulasAndTheCpuTwin(string layoutName, bool jacobi)
    {
        bool banded = layoutName == "banded";
        int n = banded ? 9000 : 31;
        var l = banded ? VectorBatch.Single(n) : LayoutOf(layoutName, n);
        int[] rp; int[] ci;
        if (banded)
        {
            rp = new int[n + 1]; var cl = new List<int>();
            for (int i = 0; i < n; i++) { for (int j = Math.Max(0, i - 1); j <= Math.Min(n - 1, i + 1); j++) cl.Add(j); rp[i + 1] = cl.Count; }
            ci = cl.ToArray();
        }
        else (rp, ci) = Pattern(n, 9);
        int nnz = ci.Length, len = (int)l.Extent;
        var vals = Random(l.Count * nnz, 10);
        var r = Random(len, 11); var d = Random(len, 12, shift: 2); var po = Random(len, 13); var x = Random(len, 14);
        var s0 = new double[l.Count * Stride];
        for (int b = 0; b < l.Count; b++)
        {
            int o = b * Stride;
            s0[o + CgScalars.RhoA] = 0.8 + b; s0[o + CgScalars.RhoB] = 1.6;
            s0[o + CgScalars.Alpha] = 0.3 + b; s0[o + CgScalars.AlphaIteration] = b == 0 ? 4 : -1; // only system 0 owes x
        }
        if (l.Count > 1)
        {
            s0[1 * Stride + CgScalars.Status] = CgScalars.Converged; s0[1 * Stride + CgScalars.AlphaIteration] = 4; // stopped, still owes x
            s0[2 * Stride + CgScalars.RhoA] = -1; // ρ ≤ 0: M is not positive definite
        }
        const int iteration = 5;
        var c = new CsrIndices(n, n, new CpuStorage<int>(rp), new CpuStorage<int>(ci));
        var cx = new CpuStorage<double>((double[])x.Clone()); var cpn = new CpuStorage<double>(len); var cq = new CpuStorage<double>(len);
        var cs = new CpuStorage<double>((double[])s0.Clone());
        var cd = jacobi ? new CpuStorage<double>(d) : null;
        Cpu.CgDirectionSpMVDot(c, new CpuStorage<double>(vals), 0, l.Count > 1, new CpuStorage<double>(r), cd, new CpuStorage<double>(po), cpn, cx, cq,
            l, cs, Stride, CgScalars.RhoA, CgScalars.RhoB, iteration);
        for (int b = 0; b < l.Count; b++)
        {
            int o = b * Stride;
            bool owes = b <= 1, active = b == 0;
            for (int i = 0; i < n; i++)
                Assert.Equal(At(x, l, b, i) + (owes ? s0[o + CgScalars.Alpha] * At(po, l, b, i) : 0), At(cx.Array, l, b, i), 13);
            if (!active)
            {
                Assert.All(Enumerable.Range(0, n), i => Assert.Equal(0.0, At(cq.Array, l, b, i)));
                if (b == 2)
                {
                    Assert.Equal(CgScalars.IndefinitePreconditioner, (int)cs.Array[o + CgScalars.Status]);
                    Assert.Equal(iteration - 1, (int)cs.Array[o + CgScalars.StopIteration]);
                }
                continue;
            }
            double beta = s0[o + CgScalars.RhoA] / s0[o + CgScalars.RhoB];
            double PNew(int j) => (jacobi ? At(d, l, b, j) : 1) * At(r, l, b, j) + beta * At(po, l, b, j);
            double pq = 0;
            for (int i = 0; i < n; i++)
            {
                double qi = 0;
                for (int k = rp[i]; k < rp[i + 1]; k++) qi += vals[b * nnz + k] * PNew(ci[k]);
                Assert.Equal(PNew(i), At(cpn.Array, l, b, i), 13);
                Assert.Equal(qi, At(cq.Array, l, b, i), 12);
                pq += PNew(i) * qi;
            }
            Assert.Equal(pq, cs.Array[o + CgScalars.Curvature], 9);
            Assert.Equal(CgScalars.Active, (int)cs.Array[o + CgScalars.Status]);
        }

        var g = new CsrIndices(n, n, Gpu.Upload<int>(rp), Gpu.Upload<int>(ci));
        using var gx = Gpu.Upload<double>(x); using var gr = Gpu.Upload<double>(r); using var gpo = Gpu.Upload<double>(po);
        using var gpn = Gpu.Allocate<double>(len); using var gq = Gpu.Allocate<double>(len); using var gs = Gpu.Upload<double>(s0);
        using var gdd = Gpu.Upload<double>(d); using var gv = Gpu.Upload<double>(vals);
        Gpu.CgDirectionSpMVDot(g, gv, 0, l.Count > 1, gr, jacobi ? gdd : null, gpo, gpn, gx, gq, l, gs, Stride, CgScalars.RhoA, CgScalars.RhoB, iteration);
        Close(cx.Array, gx.ToArray()); Close(cpn.Array, gpn.ToArray()); Close(cq.Array, gq.ToArray(), 1e-11);
        var sg = gs.ToArray();
        for (int b = 0; b < l.Count; b++)
        {
            int o = b * Stride;
            Assert.Equal(cs.Array[o + CgScalars.Status], sg[o + CgScalars.Status]);
            Assert.Equal(cs.Array[o + CgScalars.StopIteration], sg[o + CgScalars.StopIteration]);
            if (b == 0) Assert.Equal(cs.Array[o + CgScalars.Curvature], sg[o + CgScalars.Curvature], 9);
        }
    }

    [Fact]
    public void DeferredCgUpdateStoresAlphaAndLeavesXAlone()
    {
        int n = 17;
        var l = VectorBatch.Single(n);
        var r = Random(n, 1); var q = Random(n, 2);
        var s0 = new double[Stride];
        s0[CgScalars.Curvature] = 2.5; s0[CgScalars.RhoA] = 0.5; s0[CgScalars.BoundSquared] = 1e-30; s0[CgScalars.AlphaIteration] = -1;
        foreach (Backend be in new Backend[] { Cpu, Gpu })
        {
            using var rs = be.Upload<double>(r); using var qs = be.Upload<double>(q); using var ss = be.Upload<double>(s0);
            be.CgUpdate(null, null, rs, qs, null, l, ss, Stride, CgScalars.RhoA, CgScalars.RhoB, 3);
            var s = ss.ToArray();
            Assert.Equal(0.5 / 2.5, s[CgScalars.Alpha], 15);
            Assert.Equal(3, (int)s[CgScalars.AlphaIteration]);
            var ra = rs.ToArray();
            for (int i = 0; i < n; i++) Assert.Equal(r[i] - 0.2 * q[i], ra[i], 14);
        }
    }

    [Fact]
    public void InverseDiagonalMatchesTheFormulaOnBothTwins()
    {
        // Row 3 has no stored diagonal, row 5 a stored zero: both give +∞ (the Jacobi setup refuses them).
        int n = 40;
        var (rp, ci) = Pattern(n, 21);
        var keep = Enumerable.Range(0, ci.Length).Where(k => !(ci[k] == 3 && k >= rp[3] && k < rp[4])).ToArray();
        var rp2 = new int[n + 1];
        for (int i = 0; i < n; i++) rp2[i + 1] = rp2[i] + keep.Count(k => k >= rp[i] && k < rp[i + 1]);
        var ci2 = keep.Select(k => ci[k]).ToArray();
        var vals = Random(ci2.Length, 22, shift: 3);
        for (int k = rp2[5]; k < rp2[6]; k++) if (ci2[k] == 5) vals[k] = 0;
        var expected = new double[n];
        for (int i = 0; i < n; i++)
        {
            double d = 0;
            for (int k = rp2[i]; k < rp2[i + 1]; k++) if (ci2[k] == i) d = vals[k];
            expected[i] = 1 / d;
        }
        Assert.True(double.IsPositiveInfinity(expected[3]) && double.IsPositiveInfinity(expected[5]));
        var cr = new CpuStorage<double>(n);
        Cpu.InverseDiagonal(new CsrIndices(n, n, new CpuStorage<int>(rp2), new CpuStorage<int>(ci2)), new CpuStorage<double>(vals), 0, cr);
        Assert.Equal(expected, cr.Array);
        using var gr = Gpu.Allocate<double>(n);
        Gpu.InverseDiagonal(new CsrIndices(n, n, Gpu.Upload<int>(rp2), Gpu.Upload<int>(ci2)), Gpu.Upload<double>(vals), 0, gr);
        var g = gr.ToArray();
        for (int i = 0; i < n; i++)
            Assert.True(expected[i] == g[i] || Math.Abs(expected[i] - g[i]) <= 1e-15 * Math.Abs(expected[i]), $"row {i}: {expected[i]} vs {g[i]}");
    }
}
