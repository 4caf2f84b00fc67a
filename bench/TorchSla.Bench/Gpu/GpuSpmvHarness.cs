using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TorchSla.Kernels;
using TorchSla.Kernels.Cuda;
using TorchSla.Kernels.Memory;

namespace TorchSla.Bench.Gpu;

/// <summary>
/// GPU SpMV / BLAS-1 benchmark (float64). Two subcommands, run around the PyTorch script so both
/// sides read the same matrix files:
/// <c>gpu-gen DIR [--small]</c> writes the matrices; <c>gpu-spmv DIR TORCH.json OUT.md</c> times
/// every SpMV kernel variant, copy, dot and axpby on cuda:0 and prints the table with PyTorch's
/// times. Timing: a loop of R calls between two device synchronisations, R chosen so that one
/// trial lasts ~30 ms; the median of 5 trials (dot returns to the host every call, as its API does).
/// </summary>
internal static class GpuSpmvHarness
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] args)
    {
        switch (args[0])
        {
            case "gpu-gen":
                Generate(args[1], args.Contains("--small"), args);
                return 0;
            case "gpu-spmv":
                return Bench(args[1], args[2], args[3], args.Contains("--small"));
            case "gpu-spgemm":
                return GpuSpGemmBench.Run(args[1], args[2], args.Contains("--small"));
            case "gpu-index":
                return GpuIndexBench.Run(args[1], args[2], args.Contains("--small"));
            default:
                Console.Error.WriteLine("usage: gpu-gen DIR [--small] | gpu-spmv DIR TORCH.json OUT.md [--small] | gpu-spgemm DIR OUT.md [--small] | gpu-index DIR OUT.md [--small]");
                return 2;
        }
    }

    private static void Generate(string dir, bool small, string[] args)
    {
        Directory.CreateDirectory(dir);
        var sw = Stopwatch.StartNew();
        IEnumerable<Func<HostCsr>> makers = small
            ? [() => BenchMatrices.Poisson2D(256), () => BenchMatrices.Stencil27(40), () => BenchMatrices.RMat(16, 1 << 20)]
            : [() => BenchMatrices.Poisson2D(1024), () => BenchMatrices.Poisson2D(2048), () => BenchMatrices.Poisson2D(4096),
               () => BenchMatrices.Stencil27(200), () => BenchMatrices.RMat(22, 62_000_000)];
        // --only=0,4: just those entries of the list (a shorter GPU batch).
        var only = args.FirstOrDefault(a => a.StartsWith("--only=", StringComparison.Ordinal))?["--only=".Length..].Split(',').Select(int.Parse).ToHashSet();
        int i = 0;
        foreach (var make in makers)
        {
            if (only is not null && !only.Contains(i)) { i++; continue; }
            var m = make();
            m.Write(Path.Combine(dir, $"{i++}_{m.Name}.bin"));
            Console.WriteLine($"wrote {m.Name}: {m.Rows} rows, {m.Nnz} nnz ({sw.Elapsed.TotalSeconds:F1} s)");
        }
    }

    private static double Median(List<double> v) { v.Sort(); return v[v.Count / 2]; }

    /// <summary>Seconds per call of <paramref name="f"/>.</summary>
    internal static double Time(IlgpuBackend gpu, Action f)
    {
        for (int i = 0; i < 3; i++) f();
        gpu.Synchronize();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 5; i++) f();
        gpu.Synchronize();
        double per = sw.Elapsed.TotalSeconds / 5;
        int reps = (int)Math.Clamp(0.03 / Math.Max(per, 1e-7), 5, 5000);
        var trials = new List<double>();
        for (int t = 0; t < 5; t++)
        {
            sw.Restart();
            for (int i = 0; i < reps; i++) f();
            gpu.Synchronize();
            trials.Add(sw.Elapsed.TotalSeconds / reps);
        }
        return Median(trials);
    }

    private static int Bench(string dir, string torchJson, string outMd, bool small)
    {
        var total = Stopwatch.StartNew();
        var gpu = (IlgpuBackend)BackendRegistry.Get(Device.Cuda(0));
        Console.WriteLine(gpu.Description);
        using var torch = JsonDocument.Parse(File.ReadAllText(torchJson));
        var troot = torch.RootElement;
        double copyTorch = troot.GetProperty("copy_GBs").GetDouble();
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Device: {gpu.Description}; PyTorch {troot.GetProperty("torch").GetString()} on {troot.GetProperty("device").GetString()}");
        md.AppendLine();

        // Copy, dot, axpby on 2^27 doubles (1 GiB per vector); 2^20 with --small.
        int n = small ? 1 << 20 : 1 << 27;
        var x = gpu.Allocate<double>(n); var y = gpu.Allocate<double>(n);
        gpu.Fill(x, 0, n, 0.5); gpu.Fill(y, 0, n, 0.25);
        double tCopy = Time(gpu, () => gpu.Copy(x, 0, y, 0, n));
        double tDot = Time(gpu, () => gpu.Dot(x, 0, y, 0, n));
        double tAxpy = Time(gpu, () => gpu.Axpby(1e-9, x, 0, 1.0, y, 0, n));
        double gb(double bytes, double t) => bytes / t / 1e9;
        double copyOurs = gb(16.0 * n, tCopy);
        md.AppendLine(CultureInfo.InvariantCulture, $"Copy bandwidth (read + write, {n} doubles): PyTorch copy_ {copyTorch:F0} GB/s, ours (ILGPU kernel) {copyOurs:F0} GB/s. Reference below = PyTorch copy_.");
        md.AppendLine();
        md.AppendLine("| BLAS-1 (n = " + n.ToString(Inv) + ") | time (µs) | GB/s | % of copy |");
        md.AppendLine("|---|---:|---:|---:|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| dot (16n bytes, result on host) | {tDot * 1e6:F1} | {gb(16.0 * n, tDot):F0} | {100 * gb(16.0 * n, tDot) / copyTorch:F0}% |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| axpy y=αx+y (24n bytes) | {tAxpy * 1e6:F1} | {gb(24.0 * n, tAxpy):F0} | {100 * gb(24.0 * n, tAxpy) / copyTorch:F0}% |");
        md.AppendLine();
        x.Dispose(); y.Dispose();

        md.AppendLine("| matrix | rows | nnz | plan (auto) | ours auto (µs) | GB/s | % copy | % copy same bytes | PyTorch (µs) | PyTorch GB/s | speed-up vs PyTorch | best variant (µs) | variants µs: TPR / S2 / S4 / S8 / S16 / S32 / binned / stream | auto + x persisting in L2 (µs) | its speed-up vs PyTorch |");
        md.AppendLine("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|");
        var tm = troot.GetProperty("matrices");
        foreach (var file in Directory.GetFiles(dir, "*.bin").Order(StringComparer.Ordinal))
        {
            var h = HostCsr.Read(file);
            string key = Path.GetFileNameWithoutExtension(file);
            var idx = new CsrIndices(h.Rows, h.Cols, gpu.Upload<int>(h.RowPtr), gpu.Upload<int>(h.ColInd));
            var v = gpu.Upload<double>(h.Values);
            var hx = new double[h.Cols];
            var rng = new Random(5);
            for (int i = 0; i < hx.Length; i++) hx[i] = rng.NextDouble() * 2 - 1;
            var gx = gpu.Upload<double>(hx);
            var gy = gpu.Allocate<double>(h.Rows);
            var plan = gpu.PlanOf(idx);
            double bytes = 12.0 * h.Nnz + 4.0 * (h.Rows + 1) + 8.0 * h.Rows + 8.0 * h.Cols;
            double tAuto = Time(gpu, () => gpu.SpMV(idx, v, 0, gx, 0, gy, 0, 1.0, 0.0));
            // Correctness: sampled rows against a host loop.
            var got = gy.ToArray();
            double maxErr = 0;
            for (int s = 0; s < 2000; s++)
            {
                int r = (int)((long)s * h.Rows / 2000);
                double acc = 0;
                for (int q = h.RowPtr[r]; q < h.RowPtr[r + 1]; q++) acc += h.Values[q] * hx[h.ColInd[q]];
                maxErr = Math.Max(maxErr, Math.Abs(acc - got[r]) / (1 + Math.Abs(acc)));
            }
            if (maxErr > 1e-10) Console.WriteLine($"!! {h.Name}: SpMV differs from the host loop by {maxErr:E2}");
            var variants = new List<double>();
            for (int l = 0; l <= 5; l++)
            {
                gpu.ForcedLogLanes = l;
                variants.Add(Time(gpu, () => gpu.SpMV(idx, v, 0, gx, 0, gy, 0, 1.0, 0.0)));
            }
            gpu.ForcedLogLanes = -1; gpu.ForceBinned = true;
            variants.Add(Time(gpu, () => gpu.SpMV(idx, v, 0, gx, 0, gy, 0, 1.0, 0.0)));
            gpu.ForceBinned = false; gpu.ForceStream = true;
            variants.Add(Time(gpu, () => gpu.SpMV(idx, v, 0, gx, 0, gy, 0, 1.0, 0.0)));
            var gotStream = gy.ToArray();
            gpu.ForceStream = false;
            // The auto plan with x kept in the persisting part of L2 (access policy window on the stream).
            gpu.PersistX = true;
            double tPersist = Time(gpu, () => gpu.SpMV(idx, v, 0, gx, 0, gy, 0, 1.0, 0.0));
            var gotPersist = gy.ToArray();
            gpu.PersistX = false;
            gpu.SpMV(idx, v, 0, gx, 0, gy, 0, 1.0, 0.0); // clears the window
            for (int q = 0; q < gotPersist.Length; q++)
                if (gotPersist[q] != got[q]) { Console.WriteLine($"!! {h.Name}: SpMV with x persisting in L2 differs at row {q}"); break; }
            double streamErr = 0;
            for (int r = 0; r < h.Rows; r += Math.Max(1, h.Rows / 2000))
            {
                double acc = 0;
                for (int q = h.RowPtr[r]; q < h.RowPtr[r + 1]; q++) acc += h.Values[q] * hx[h.ColInd[q]];
                streamErr = Math.Max(streamErr, Math.Abs(acc - gotStream[r]) / (1 + Math.Abs(acc)));
            }
            if (streamErr > 1e-10) Console.WriteLine($"!! {h.Name}: CSR-stream SpMV differs from the host loop by {streamErr:E2}");
            string[] names = ["TPR", "S2", "S4", "S8", "S16", "S32", "binned", "stream"];
            int best = variants.IndexOf(variants.Min());
            double tTorch = tm.TryGetProperty(key, out var te) ? te.GetProperty("seconds").GetDouble() : double.NaN;
            double copySame = tm.TryGetProperty(key, out var te2) ? te2.GetProperty("copy_same_bytes_GBs").GetDouble() : double.NaN;
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {h.Name} | {h.Rows:N0} | {h.Nnz:N0} | {plan.Describe()} | {tAuto * 1e6:F1} | {gb(bytes, tAuto):F0} | {100 * gb(bytes, tAuto) / copyTorch:F0}% | {100 * gb(bytes, tAuto) / copySame:F0}% | {tTorch * 1e6:F1} | {gb(bytes, tTorch):F0} | {tTorch / tAuto:F2}× | {names[best]} {variants[best] * 1e6:F1} | {string.Join(" / ", variants.Select(t => (t * 1e6).ToString("F0", Inv)))} | {tPersist * 1e6:F1} | {tTorch / tPersist:F2}× |");
            Console.WriteLine($"{h.Name}: auto {tAuto * 1e6:F1} µs ({plan.Describe()}), x in L2 {tPersist * 1e6:F1} µs, torch {tTorch * 1e6:F1} µs, max sampled rel. error {maxErr:E1}");
            idx.Dispose(); v.Dispose(); gx.Dispose(); gy.Dispose();
        }
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"SpMV bytes counted as 12·nnz + 4·(rows+1) + 8·rows + 8·cols (float64 values, int32 indices, x read once, y written once). Kernel JIT {gpu.JitTime.TotalSeconds:F2} s; whole C# run {total.Elapsed.TotalSeconds:F0} s.");
        File.WriteAllText(outMd, md.ToString());
        Console.WriteLine(md.ToString());
        return 0;
    }
}
