using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Cuda;
using TorchSla.Kernels.Memory;
using Xunit;

namespace TorchSla.Tests.Cuda;

/// <summary>
/// The SpGEMM primitive pair on the GPU backend (hash symbolic phase, table-free numeric phase)
/// against its CPU twin (Gustavson) and against a dense triple loop; on ILGPU's CPU emulator in CI.
/// </summary>
public class GpuSpGemmTests
{
    private static IlgpuBackend Gpu => GpuTestDevice.Backend;
    private static CpuBackend Cpu => CpuBackend.Instance;

    /// <summary>A random CSR matrix with empty rows, one dense-ish row and one long column run.</summary>
    private static (int[] RowPtr, int[] ColInd, double[] Values) Random(int rows, int cols, int meanLength, int seed)
    {
        var rng = new Random(seed);
        var rp = new int[rows + 1];
        var ci = new List<int>();
        for (int r = 0; r < rows; r++)
        {
            int len = r == 1 ? cols * 3 / 4 : r % 5 == 3 ? 0 : rng.Next(0, Math.Min(cols, 2 * meanLength) + 1);
            var set = new SortedSet<int>();
            while (set.Count < len) set.Add(rng.Next(cols));
            ci.AddRange(set);
            rp[r + 1] = ci.Count;
        }
        var v = new double[ci.Count];
        for (int i = 0; i < v.Length; i++) v[i] = rng.NextDouble() * 2 - 1;
        return (rp, [.. ci], v);
    }

    private static double[,] Dense(int rows, int cols, int[] rp, int[] ci, double[] v)
    {
        var d = new double[rows, cols];
        for (int r = 0; r < rows; r++) for (int s = rp[r]; s < rp[r + 1]; s++) d[r, ci[s]] = v[s];
        return d;
    }

    [Theory]
    [InlineData(17, 13, 11, 3, 1)]
    [InlineData(40, 40, 40, 5, 2)]
    [InlineData(9, 30, 6, 8, 3)]
    public void ProductMatchesGustavsonAndDenseReference(int m, int k, int n, int meanLength, int seed)
    {
        var (arp, aci, av) = Random(m, k, meanLength, seed);
        var (brp, bci, bv) = Random(k, n, meanLength, seed + 100);
        var aC = new CsrIndices(m, k, new CpuStorage<int>(arp), new CpuStorage<int>(aci));
        var bC = new CsrIndices(k, n, new CpuStorage<int>(brp), new CpuStorage<int>(bci));
        using var cpuPlan = Cpu.SpGemmSymbolic(aC, bC);
        var aG = new CsrIndices(m, k, Gpu.Upload<int>(arp), Gpu.Upload<int>(aci));
        var bG = new CsrIndices(k, n, Gpu.Upload<int>(brp), Gpu.Upload<int>(bci));
        using var gpuPlan = Gpu.SpGemmSymbolic(aG, bG);

        // Same canonical pattern, same number of scalar products.
        Assert.Equal(cpuPlan.Product.RowPtr.ToArray(), gpuPlan.Product.RowPtr.ToArray());
        Assert.Equal(cpuPlan.Product.ColInd.ToArray(), gpuPlan.Product.ColInd.ToArray());
        Assert.Equal(cpuPlan.Flops, gpuPlan.Flops);

        int nnzC = cpuPlan.Product.Nnz;
        var cc = new CpuStorage<double>(nnzC + 1);
        Cpu.SpGemmNumeric(cpuPlan, new CpuStorage<double>(av), 0, new CpuStorage<double>(bv), 0, cc, 1);
        using var ga = Gpu.Upload<double>(av); using var gb = Gpu.Upload<double>(bv);
        using var gc = Gpu.Allocate<double>(nnzC + 1);
        Gpu.SpGemmNumeric(gpuPlan, ga, 0, gb, 0, gc, 1);
        var got = gc.ToArray();

        // Dense reference: every stored (i, j) of C holds Σ_k a_ik·b_kj, every other entry of A·B is 0.
        var da = Dense(m, k, arp, aci, av); var db = Dense(k, n, brp, bci, bv);
        var crp = cpuPlan.Product.RowPtr.ToArray(); var cci = cpuPlan.Product.ColInd.ToArray();
        var stored = new bool[m, n];
        for (int i = 0; i < m; i++)
            for (int s = crp[i]; s < crp[i + 1]; s++)
            {
                int j = cci[s];
                stored[i, j] = true;
                double e = 0;
                for (int q = 0; q < k; q++) e += da[i, q] * db[q, j];
                Assert.True(Math.Abs(e - got[s + 1]) <= 1e-12, $"C[{i},{j}]: dense {e}, gpu {got[s + 1]}");
                Assert.True(Math.Abs(cc.Array[s + 1] - got[s + 1]) <= 1e-13, $"C[{i},{j}]: cpu {cc.Array[s + 1]}, gpu {got[s + 1]}");
            }
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                if (!stored[i, j])
                    for (int q = 0; q < k; q++) Assert.False(da[i, q] != 0 && db[q, j] != 0, $"product a[{i},{q}]·b[{q},{j}] has no slot in C");
        Assert.Equal(0.0, got[0]); // outside the value set: untouched

        // Fixed summation order: the same bits on a second run.
        using var gc2 = Gpu.Allocate<double>(nnzC + 1);
        Gpu.SpGemmNumeric(gpuPlan, ga, 0, gb, 0, gc2, 1);
        Assert.Equal(got, gc2.ToArray());
    }

    [Theory]
    [InlineData(1)]      // every hashed row its own chunk (each row's table exceeds the budget), many empty chunks
    [InlineData(150)]    // a few rows per chunk
    [InlineData(2000)]   // two or three chunks
    public void ChunkedTablesGiveTheSamePlanAsOneTable(long budget)
    {
        // Long rows (more than ShortRow products) mixed with short and empty ones, so both paths and chunk edges are hit.
        var (arp, aci, av) = Random(70, 60, 9, 11);
        var (brp, bci, bv) = Random(60, 50, 7, 12);
        // On the emulator a private backend, so that the budget does not slow down tests running beside this one;
        // on a GPU the shared one (its budget restored afterwards).
        var own = GpuTestDevice.IsReal ? null : IlgpuBackend.CreateCpuEmulator(Device.Cuda(7));
        var gpu = own ?? Gpu;
        long saved = gpu.SpGemmTableBudget;
        try
        {
            var aG = new CsrIndices(70, 60, gpu.Upload<int>(arp), gpu.Upload<int>(aci));
            var bG = new CsrIndices(60, 50, gpu.Upload<int>(brp), gpu.Upload<int>(bci));
            gpu.SpGemmTableBudget = 0;   // one table per product
            using var whole = gpu.SpGemmSymbolic(aG, bG);
            gpu.SpGemmTableBudget = budget;
            using var chunked = gpu.SpGemmSymbolic(aG, bG);
            gpu.SpGemmTableBudget = saved;
            Assert.Equal(whole.Product.RowPtr.ToArray(), chunked.Product.RowPtr.ToArray());
            Assert.Equal(whole.Product.ColInd.ToArray(), chunked.Product.ColInd.ToArray());
            Assert.Equal(whole.Flops, chunked.Flops);
            // And both are Gustavson's pattern on the host.
            using var cpuPlan = Cpu.SpGemmSymbolic(new CsrIndices(70, 60, new CpuStorage<int>(arp), new CpuStorage<int>(aci)),
                new CsrIndices(60, 50, new CpuStorage<int>(brp), new CpuStorage<int>(bci)));
            Assert.Equal(cpuPlan.Product.RowPtr.ToArray(), chunked.Product.RowPtr.ToArray());
            Assert.Equal(cpuPlan.Product.ColInd.ToArray(), chunked.Product.ColInd.ToArray());
            // The numeric phase on the chunked plan: the same bits as on the one-table plan.
            using var ga = gpu.Upload<double>(av); using var gb = gpu.Upload<double>(bv);
            using var c1 = gpu.Allocate<double>(whole.Product.Nnz); using var c2 = gpu.Allocate<double>(chunked.Product.Nnz);
            gpu.SpGemmNumeric(whole, ga, 0, gb, 0, c1, 0);
            gpu.SpGemmNumeric(chunked, ga, 0, gb, 0, c2, 0);
            Assert.Equal(c1.ToArray(), c2.ToArray());
        }
        finally
        {
            gpu.SpGemmTableBudget = saved;
            own?.Dispose();
        }
    }

    [Theory]
    [InlineData(40, 30, 25, 6, 21)]       // one block on the CPU
    [InlineData(3000, 500, 400, 5, 22)]   // several row blocks, buffers grown past their first guess (a dense-ish row)
    public void OneCallProductEqualsSymbolicThenNumeric(int m, int k, int n, int meanLength, int seed)
    {
        var (arp, aci, av) = Random(m, k, meanLength, seed);
        var (brp, bci, bv) = Random(k, n, meanLength, seed + 100);
        var aC = new CsrIndices(m, k, new CpuStorage<int>(arp), new CpuStorage<int>(aci));
        var bC = new CsrIndices(k, n, new CpuStorage<int>(brp), new CpuStorage<int>(bci));
        using var plan = Cpu.SpGemmSymbolic(aC, bC);
        var planValues = new CpuStorage<double>(plan.Product.Nnz);
        Cpu.SpGemmNumeric(plan, new CpuStorage<double>(av), 0, new CpuStorage<double>(bv), 0, planValues, 0);
        var (product, values) = Cpu.SpGemm(aC, new CpuStorage<double>(av), bC, new CpuStorage<double>(bv));
        // The CPU's one sweep: the plan's pattern and the plan's bits.
        Assert.Equal(plan.Product.RowPtr.ToArray(), product.RowPtr.ToArray());
        Assert.Equal(plan.Product.ColInd.ToArray(), product.ColInd.ToArray());
        Assert.Equal(planValues.Array, values.ToArray());
        if (m > 100) return; // the device's twin (the default: its symbolic then numeric) on small inputs only
        var (gp, gv) = Gpu.SpGemm(new CsrIndices(m, k, Gpu.Upload<int>(arp), Gpu.Upload<int>(aci)), Gpu.Upload<double>(av),
            new CsrIndices(k, n, Gpu.Upload<int>(brp), Gpu.Upload<int>(bci)), Gpu.Upload<double>(bv));
        Assert.Equal(plan.Product.RowPtr.ToArray(), gp.RowPtr.ToArray());
        Assert.Equal(plan.Product.ColInd.ToArray(), gp.ColInd.ToArray());
        var got = gv.ToArray();
        for (int s = 0; s < got.Length; s++) Assert.True(Math.Abs(got[s] - planValues.Array[s]) <= 1e-13, $"slot {s}: cpu {planValues.Array[s]}, gpu {got[s]}");
    }

    /// <summary>
    /// AmgScaledProduct: (diag(left)·A + shift·I)·B. The CPU forms each left entry inside the product; its result must be
    /// AmgScale then SpGemm bit for bit (so a hierarchy built with it is the one built before). The device's twin is the
    /// backend default (AmgScale, then its SpGemm), checked against the same reference on small inputs.
    /// </summary>
    [Theory]
    [InlineData(30, 20, 5, 31)]     // one block on the CPU
    [InlineData(3000, 400, 6, 32)]  // several row blocks, markers and accumulators handed from block to block
    public void ScaledProductEqualsScaleThenProduct(int m, int n, int meanLength, int seed)
    {
        var (arp, aci, av) = Random(m, m, meanLength, seed);
        // A must store its diagonal: add it where the random pattern lacks it.
        var rows = new List<(int, double)>[m];
        for (int r = 0; r < m; r++)
        {
            rows[r] = [];
            for (int s = arp[r]; s < arp[r + 1]; s++) rows[r].Add((aci[s], av[s]));
            if (!rows[r].Exists(e => e.Item1 == r)) rows[r].Add((r, 4.0 + r % 3));
            rows[r].Sort((x, y) => x.Item1.CompareTo(y.Item1));
        }
        arp = new int[m + 1];
        for (int r = 0; r < m; r++) arp[r + 1] = arp[r] + rows[r].Count;
        aci = rows.SelectMany(r => r.Select(e => e.Item1)).ToArray();
        av = rows.SelectMany(r => r.Select(e => e.Item2)).ToArray();
        var (brp, bci, bv) = Random(m, n, meanLength, seed + 100);
        var rng = new Random(seed + 200);
        var left = Enumerable.Range(0, m).Select(_ => rng.NextDouble() - 0.7).ToArray();
        var aC = new CsrIndices(m, m, new CpuStorage<int>(arp), new CpuStorage<int>(aci));
        var bC = new CsrIndices(m, n, new CpuStorage<int>(brp), new CpuStorage<int>(bci));
        var scaled = new CpuStorage<double>(aci.Length);
        Cpu.AmgScale(aC, new CpuStorage<double>(av), new CpuStorage<double>(left), null, 1.0, scaled);
        var (refPattern, refValues) = Cpu.SpGemm(aC, scaled, bC, new CpuStorage<double>(bv));
        var avBefore = (double[])av.Clone();
        var (pattern, values) = Cpu.AmgScaledProduct(aC, new CpuStorage<double>(av), new CpuStorage<double>(left), 1.0, bC, new CpuStorage<double>(bv));
        Assert.Equal(avBefore, av); // A's values are not modified
        Assert.Equal(refPattern.RowPtr.ToArray(), pattern.RowPtr.ToArray());
        Assert.Equal(refPattern.ColInd.ToArray(), pattern.ColInd.ToArray());
        Assert.Equal(refValues.ToArray(), values.ToArray());
        if (m > 100) return; // the device's twin on small inputs only
        var (gp, gv) = Gpu.AmgScaledProduct(new CsrIndices(m, m, Gpu.Upload<int>(arp), Gpu.Upload<int>(aci)), Gpu.Upload<double>(av),
            Gpu.Upload<double>(left), 1.0, new CsrIndices(m, n, Gpu.Upload<int>(brp), Gpu.Upload<int>(bci)), Gpu.Upload<double>(bv));
        Assert.Equal(refPattern.RowPtr.ToArray(), gp.RowPtr.ToArray());
        Assert.Equal(refPattern.ColInd.ToArray(), gp.ColInd.ToArray());
        var got = gv.ToArray(); var want = refValues.ToArray();
        for (int s = 0; s < got.Length; s++) Assert.True(Math.Abs(got[s] - want[s]) <= 1e-13, $"slot {s}: cpu {want[s]}, gpu {got[s]}");
    }

    /// <summary>
    /// SymmetricSpGemm on a Galerkin product Pᵀ·(A·P) (A symmetric): the CPU forms the upper triangle and mirrors it. Its
    /// pattern is the full product's, its upper entries are the full product's bits, the result is exactly symmetric, and
    /// the lower entries agree with the full product's up to rounding; the device (the default: SpGemm) gives the full product.
    /// </summary>
    [Theory]
    [InlineData(40, 9, 43)]      // one block
    [InlineData(3000, 400, 44)]  // several blocks
    public void SymmetricProductIsTheUpperTriangleMirrored(int n, int coarse, int seed)
    {
        // A = S + Sᵀ + diagonal (symmetric), P random n × coarse with a few entries per row.
        var (srp, sci, sv) = Random(n, n, 3, seed);
        var dense = new Dictionary<(int, int), double>();
        for (int r = 0; r < n; r++)
        {
            dense[(r, r)] = 10;
            for (int s2 = srp[r]; s2 < srp[r + 1]; s2++)
            {
                dense[(r, sci[s2])] = dense.GetValueOrDefault((r, sci[s2])) + sv[s2];
                dense[(sci[s2], r)] = dense.GetValueOrDefault((sci[s2], r)) + sv[s2];
            }
        }
        var entries = dense.OrderBy(e => e.Key.Item1).ThenBy(e => e.Key.Item2).ToArray();
        var arp = new int[n + 1];
        foreach (var e in entries) arp[e.Key.Item1 + 1]++;
        for (int r = 0; r < n; r++) arp[r + 1] += arp[r];
        var aci = entries.Select(e => e.Key.Item2).ToArray(); var av = entries.Select(e => e.Value).ToArray();
        var (prp, pci, pv) = Random(n, coarse, 2, seed + 1);
        var aC = new CsrIndices(n, n, new CpuStorage<int>(arp), new CpuStorage<int>(aci));
        var pC = new CsrIndices(n, coarse, new CpuStorage<int>(prp), new CpuStorage<int>(pci));
        var (rC, rv) = Cpu.TransposeWithValues(pC, new CpuStorage<double>(pv));
        var (ap, apv) = Cpu.SpGemm(aC, new CpuStorage<double>(av), pC, new CpuStorage<double>(pv));
        var (full, fullV) = Cpu.SpGemm(rC, rv, ap, apv);
        var (sym, symV) = Cpu.SymmetricSpGemm(rC, rv, ap, apv);
        var rp = full.RowPtr.ToArray(); var ci = full.ColInd.ToArray(); var fv = fullV.ToArray(); var yv = symV.ToArray();
        Assert.Equal(rp, sym.RowPtr.ToArray());
        Assert.Equal(ci, sym.ColInd.ToArray());
        double scale = fv.Max(Math.Abs);
        var at = new Dictionary<(int, int), double>();
        for (int r = 0; r < coarse; r++)
            for (int s2 = rp[r]; s2 < rp[r + 1]; s2++)
            {
                at[(r, ci[s2])] = yv[s2];
                if (ci[s2] >= r) Assert.Equal(fv[s2], yv[s2]);
                else Assert.True(Math.Abs(fv[s2] - yv[s2]) <= 1e-14 * scale, $"({r}, {ci[s2]}): full {fv[s2]}, mirrored {yv[s2]}");
            }
        foreach (var ((r, c), v) in at) Assert.Equal(v, at[(c, r)]);
        if (n > 100) return; // the device's twin (the default: its SpGemm) on small inputs only
        var (gp, gv) = Gpu.SymmetricSpGemm(new CsrIndices(coarse, n, Gpu.Upload<int>(rC.RowPtr.ToArray()), Gpu.Upload<int>(rC.ColInd.ToArray())), Gpu.Upload<double>(rv.ToArray()),
            new CsrIndices(n, coarse, Gpu.Upload<int>(ap.RowPtr.ToArray()), Gpu.Upload<int>(ap.ColInd.ToArray())), Gpu.Upload<double>(apv.ToArray()));
        Assert.Equal(rp, gp.RowPtr.ToArray());
        Assert.Equal(ci, gp.ColInd.ToArray());
        var g = gv.ToArray();
        for (int s2 = 0; s2 < g.Length; s2++) Assert.True(Math.Abs(g[s2] - yv[s2]) <= 1e-13 * scale, $"slot {s2}: cpu {yv[s2]}, gpu {g[s2]}");
    }

    /// <summary>
    /// TransposeWithValues against the definition (Aᵀ[j, i] = A[i, j]: a dense reference) and against the pattern transpose's
    /// slot map; on the CPU with one block and with several (each block's cursors per column), on the device (the backend
    /// default: Transpose, then a gather) on a small input.
    /// </summary>
    [Theory]
    [InlineData(25, 17, 4, 41)]        // one block
    [InlineData(60000, 9000, 4, 42)]   // several blocks on the CPU (nnz ≥ 2¹⁷)
    public void TransposeWithValuesMatchesTheDefinition(int m, int n, int meanLength, int seed)
    {
        var (rp, ci, v) = Random(m, n, meanLength, seed);
        var aC = new CsrIndices(m, n, new CpuStorage<int>(rp), new CpuStorage<int>(ci));
        var (t, tv) = Cpu.TransposeWithValues(aC, new CpuStorage<double>(v));
        var (tMap, map) = Cpu.Transpose(aC);
        Assert.Equal(tMap.RowPtr.ToArray(), t.RowPtr.ToArray());
        Assert.Equal(tMap.ColInd.ToArray(), t.ColInd.ToArray());
        var mapA = map.ToArray();
        Assert.Equal(mapA.Select(k => v[k]).ToArray(), tv.ToArray());
        if (m > 100) return;
        var dense = Dense(m, n, rp, ci, v);
        var tDense = Dense(n, m, t.RowPtr.ToArray(), t.ColInd.ToArray(), tv.ToArray());
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) Assert.Equal(dense[i, j], tDense[j, i]);
        var (gt, gv) = Gpu.TransposeWithValues(new CsrIndices(m, n, Gpu.Upload<int>(rp), Gpu.Upload<int>(ci)), Gpu.Upload<double>(v));
        Assert.Equal(t.RowPtr.ToArray(), gt.RowPtr.ToArray());
        Assert.Equal(t.ColInd.ToArray(), gt.ColInd.ToArray());
        Assert.Equal(tv.ToArray(), gv.ToArray());
    }

    [Fact]
    public void RowCountsAcrossSeveralScanChunksAreExact()
    {
        // More rows than one scan chunk (2048): a bidiagonal A times a diagonal B, nnz(C) = 2n − 1.
        int n = 2 * ScanKernels.Chunk + 37;
        var arp = new int[n + 1]; var aci = new List<int>();
        for (int i = 0; i < n; i++) { aci.Add(i); if (i + 1 < n) aci.Add(i + 1); arp[i + 1] = aci.Count; }
        var brp = Enumerable.Range(0, n + 1).ToArray(); var bci = Enumerable.Range(0, n).ToArray();
        var aG = new CsrIndices(n, n, Gpu.Upload<int>(arp), Gpu.Upload<int>([.. aci]));
        var bG = new CsrIndices(n, n, Gpu.Upload<int>(brp), Gpu.Upload<int>(bci));
        using var plan = Gpu.SpGemmSymbolic(aG, bG);
        Assert.Equal(arp, plan.Product.RowPtr.ToArray());
        Assert.Equal(aci, plan.Product.ColInd.ToArray());
        Assert.Equal(2L * n - 1, plan.Flops);
    }

    [Fact]
    public void EmptyOperandsGiveAnEmptyProduct()
    {
        var aG = new CsrIndices(3, 4, Gpu.Upload<int>([0, 0, 0, 0]), Gpu.Allocate<int>(0));
        var bG = new CsrIndices(4, 2, Gpu.Upload<int>([0, 1, 1, 2, 2]), Gpu.Upload<int>([0, 1]));
        using var plan = Gpu.SpGemmSymbolic(aG, bG);
        Assert.Equal(new[] { 0, 0, 0, 0 }, plan.Product.RowPtr.ToArray());
        Assert.Equal(0, plan.Product.Nnz);
        using var c = Gpu.Allocate<double>(0);
        Gpu.SpGemmNumeric(plan, Gpu.Allocate<double>(0), 0, Gpu.Upload<double>([1.0, 2.0]), 0, c, 0);
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        var aG = new CsrIndices(2, 3, Gpu.Upload<int>([0, 1, 2]), Gpu.Upload<int>([0, 2]));
        var bG = new CsrIndices(2, 2, Gpu.Upload<int>([0, 1, 2]), Gpu.Upload<int>([0, 1]));
        Assert.Throws<ShapeMismatchException>(() => Gpu.SpGemmSymbolic(aG, bG));
        var b3 = new CsrIndices(3, 2, Gpu.Upload<int>([0, 1, 1, 2]), Gpu.Upload<int>([0, 1]));
        using var plan = Gpu.SpGemmSymbolic(aG, b3);
        using var cpuPlan = Cpu.SpGemmSymbolic(
            new CsrIndices(2, 3, new CpuStorage<int>([0, 1, 2]), new CpuStorage<int>([0, 2])),
            new CsrIndices(3, 2, new CpuStorage<int>([0, 1, 1, 2]), new CpuStorage<int>([0, 1])));
        using var v2 = Gpu.Upload<double>([1.0, 2.0]); using var c = Gpu.Allocate<double>(plan.Product.Nnz);
        var e = Assert.Throws<ArgumentException>(() => Gpu.SpGemmNumeric(cpuPlan, v2, 0, v2, 0, c, 0));
        Assert.Contains("plan", e.Message, StringComparison.Ordinal);
        var r = Assert.Throws<ArgumentOutOfRangeException>(() => Gpu.SpGemmNumeric(plan, v2, 1, v2, 0, c, 0));
        Assert.Contains("aValues", r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TensorProductRunsOnTheDeviceAndMatchesCpu()
    {
        GpuTestDevice.Ensure();
        var (arp, aci, av) = Random(12, 10, 3, 7);
        var (brp, bci, bv) = Random(10, 8, 3, 8);
        var a = SparseTensor.FromCsr<double>(arp, aci, av, [12, 10]);
        var b = SparseTensor.FromCsr<double>(brp, bci, bv, [10, 8]);
        var c = a * b;
        var ag = a.Cuda(); var bg = b.Cuda();
        var cg = ag * bg;
        Assert.Equal(GpuTestDevice.Device, cg.Device);
        Assert.Equal(c.RowPointers, cg.RowPointers);
        Assert.Equal(c.ColumnIndices, cg.ColumnIndices);
        var x = c.GetValues(); var y = cg.GetValues();
        for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(x[i] - y[i]) <= 1e-13, $"slot {i}: cpu {x[i]}, gpu {y[i]}");
    }
}
