using System.Diagnostics;
using System.Globalization;
using System.Text;
using TorchSla.Kernels;
using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Cuda;
using TorchSla.Kernels.Memory;

namespace TorchSla.Bench.Gpu;

/// <summary>
/// <c>gpu-spgemm DIR OUT.md [--small]</c>: the device SpGEMM (hash symbolic + numeric) on 2D Poisson
/// A·A and on the Galerkin product R·(A·P) of a 3×3-aggregate prolongation P (R = Pᵀ), float64.
/// Writes A, P, R to DIR (the layout of <see cref="HostCsr"/>) so that bench/gpu/torch_spgemm.py times
/// PyTorch's CSR @ CSR (cuSPARSE SpGEMM) on the same matrices. Reports symbolic + numeric per call (a
/// new pattern each time, as PyTorch does), numeric alone (plan reused), and the host (Gustavson,
/// all cores) for scale; checks the device pattern equals the host's and the values agree.
/// </summary>
internal static class GpuSpGemmBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Piecewise-constant aggregation on a k×k grid: point (r, c) → aggregate (r/3, c/3), value 1.</summary>
    private static HostCsr Aggregation(int k)
    {
        int n = k * k, ka = (k + 2) / 3;
        var rp = new int[n + 1]; var ci = new int[n]; var v = new double[n];
        for (int i = 0; i < n; i++) { rp[i + 1] = i + 1; ci[i] = (i / k / 3) * ka + (i % k) / 3; v[i] = 1; }
        return new HostCsr("P", n, ka * ka, rp, ci, v);
    }

    private static HostCsr Transposed(HostCsr a, string name)
    {
        var cnt = new int[a.Cols + 1];
        foreach (int c in a.ColInd) cnt[c + 1]++;
        for (int c = 0; c < a.Cols; c++) cnt[c + 1] += cnt[c];
        var next = (int[])cnt.Clone();
        var ci = new int[a.Nnz]; var v = new double[a.Nnz];
        for (int r = 0; r < a.Rows; r++)
            for (int q = a.RowPtr[r]; q < a.RowPtr[r + 1]; q++) { int d = next[a.ColInd[q]]++; ci[d] = r; v[d] = a.Values[q]; }
        return new HostCsr(name, a.Cols, a.Rows, cnt, ci, v);
    }

    public static int Run(string dir, string outMd, bool small)
    {
        Directory.CreateDirectory(dir);
        // TORCHSLA_BENCH_EMULATE=1: the same code on ILGPU's CPU emulator with a tiny grid (to check the harness without a GPU).
        bool emulate = Environment.GetEnvironmentVariable("TORCHSLA_BENCH_EMULATE") == "1";
        int k = emulate ? 12 : small ? 256 : 1024;
        var a = BenchMatrices.Poisson2D(k) with { Name = "A" };
        var p = Aggregation(k);
        var r = Transposed(p, "R");
        a.Write(Path.Combine(dir, "A.bin")); p.Write(Path.Combine(dir, "P.bin")); r.Write(Path.Combine(dir, "R.bin"));

        var gpu = emulate ? IlgpuBackend.CreateCpuEmulator(Device.Cuda(0)) : (IlgpuBackend)BackendRegistry.Get(Device.Cuda(0));
        var cpu = CpuBackend.Instance;
        Console.WriteLine(gpu.Description);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Device: {gpu.Description}; host {cpu.Description}");
        md.AppendLine();
        md.AppendLine("| product | rows | nnz(C) | scalar products | device symbolic+numeric (ms) | device numeric (ms) | host Gustavson symbolic+numeric (ms) | max rel. diff device vs host |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");

        var ga = Upload(gpu, a); var gp = Upload(gpu, p); var gr = Upload(gpu, r);
        var ca = Host(a); var cp = Host(p); var cr = Host(r);
        Row(md, gpu, $"2D Poisson {k}² A·A", ga, ga, ca, ca);
        // Galerkin product: AP = A·P, then R·AP (the AP operands are the device's and the host's own results).
        using var apPlan = gpu.SpGemmSymbolic(ga.Idx, gp.Idx);
        var apVals = gpu.Allocate<double>(apPlan.Product.Nnz);
        gpu.SpGemmNumeric(apPlan, ga.Values, 0, gp.Values, 0, apVals, 0);
        using var apHostPlan = cpu.SpGemmSymbolic(ca.Idx, cp.Idx);
        var apHost = new CpuStorage<double>(apHostPlan.Product.Nnz);
        cpu.SpGemmNumeric(apHostPlan, ca.Values, 0, cp.Values, 0, apHost, 0);
        Row(md, gpu, "  A·P (P: 3×3 aggregates)", ga, gp, ca, cp);
        Row(md, gpu, "  R·(AP), R = Pᵀ", gr, (apPlan.Product, apVals), cr, (apHostPlan.Product, apHost));
        double tRap = GpuSpmvHarness.Time(gpu, () =>
        {
            using var p1 = gpu.SpGemmSymbolic(ga.Idx, gp.Idx);
            using var v1 = gpu.Allocate<double>(p1.Product.Nnz);
            gpu.SpGemmNumeric(p1, ga.Values, 0, gp.Values, 0, v1, 0);
            using var p2 = gpu.SpGemmSymbolic(gr.Idx, p1.Product);
            using var v2 = gpu.Allocate<double>(p2.Product.Nnz);
            gpu.SpGemmNumeric(p2, gr.Values, 0, v1, 0, v2, 0);
        });
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Whole RAP on the device (two symbolic + two numeric phases, new patterns): {tRap * 1e3:F2} ms. Kernel JIT so far {gpu.JitTime.TotalSeconds:F2} s.");
        File.WriteAllText(outMd, md.ToString());
        Console.WriteLine(md.ToString());
        return 0;
    }

    private static (CsrIndices Idx, Storage<double> Values) Upload(IlgpuBackend gpu, HostCsr h) =>
        (new CsrIndices(h.Rows, h.Cols, gpu.Upload<int>(h.RowPtr), gpu.Upload<int>(h.ColInd)), gpu.Upload<double>(h.Values));

    private static (CsrIndices Idx, Storage<double> Values) Host(HostCsr h) =>
        (new CsrIndices(h.Rows, h.Cols, new CpuStorage<int>(h.RowPtr), new CpuStorage<int>(h.ColInd)), new CpuStorage<double>(h.Values));

    private static void Row(StringBuilder md, IlgpuBackend gpu, string name,
        (CsrIndices Idx, Storage<double> Values) a, (CsrIndices Idx, Storage<double> Values) b,
        (CsrIndices Idx, Storage<double> Values) ha, (CsrIndices Idx, Storage<double> Values) hb)
    {
        var cpu = CpuBackend.Instance;
        double tFull = GpuSpmvHarness.Time(gpu, () =>
        {
            using var pl = gpu.SpGemmSymbolic(a.Idx, b.Idx);
            using var v = gpu.Allocate<double>(pl.Product.Nnz);
            gpu.SpGemmNumeric(pl, a.Values, 0, b.Values, 0, v, 0);
        });
        using var plan = gpu.SpGemmSymbolic(a.Idx, b.Idx);
        using var c = gpu.Allocate<double>(plan.Product.Nnz);
        double tNum = GpuSpmvHarness.Time(gpu, () => gpu.SpGemmNumeric(plan, a.Values, 0, b.Values, 0, c, 0));
        var hostTimes = new List<double>();
        SpGemmPlan? hp = null; CpuStorage<double>? hc = null;
        for (int t = 0; t < 3; t++)
        {
            var sw = Stopwatch.StartNew();
            hp?.Dispose();
            hp = cpu.SpGemmSymbolic(ha.Idx, hb.Idx);
            hc = new CpuStorage<double>(hp.Product.Nnz);
            cpu.SpGemmNumeric(hp, ha.Values, 0, hb.Values, 0, hc, 0);
            hostTimes.Add(sw.Elapsed.TotalSeconds);
        }
        hostTimes.Sort();
        bool same = hp!.Product.RowPtr.ToArray().AsSpan().SequenceEqual(plan.Product.RowPtr.ToArray())
            && hp.Product.ColInd.ToArray().AsSpan().SequenceEqual(plan.Product.ColInd.ToArray());
        var dv = c.ToArray();
        double err = 0;
        for (int i = 0; i < dv.Length; i++) err = Math.Max(err, Math.Abs(dv[i] - hc!.Array[i]) / (1 + Math.Abs(hc.Array[i])));
        if (!same) Console.WriteLine($"!! {name}: the device pattern differs from the host's");
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| {name} | {plan.Product.Rows:N0} | {plan.Product.Nnz:N0} | {plan.Flops:N0} | {tFull * 1e3:F3} | {tNum * 1e3:F3} | {hostTimes[1] * 1e3:F1} | {(same ? err.ToString("E1", Inv) : "PATTERN DIFFERS")} |");
        Console.WriteLine($"{name}: device {tFull * 1e3:F3} ms (numeric {tNum * 1e3:F3} ms), host {hostTimes[1] * 1e3:F1} ms, same pattern {same}, max rel diff {err:E1}");
        hp.Dispose();
    }
}
