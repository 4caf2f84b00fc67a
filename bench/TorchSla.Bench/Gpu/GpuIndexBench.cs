using System.Diagnostics;
using System.Globalization;
using System.Text;
using TorchSla.Kernels;
using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Cuda;
using TorchSla.Kernels.Memory;

namespace TorchSla.Bench.Gpu;

/// <summary>
/// <c>gpu-index DIR OUT.md [--small]</c>: device transpose and COO→CSR (counting sort) on 2D Poisson,
/// against the host's counting sorts; writes the matrix and a shuffled COO copy with every entry split
/// in two (duplicates to merge) to DIR for bench/gpu/torch_index.py (PyTorch coalesce / to_sparse_csr).
/// Device times exclude uploads (indices already on the device), as PyTorch's do.
/// </summary>
internal static class GpuIndexBench
{
    public static int Run(string dir, string outMd, bool small)
    {
        Directory.CreateDirectory(dir);
        bool emulate = Environment.GetEnvironmentVariable("TORCHSLA_BENCH_EMULATE") == "1";
        int k = emulate ? 12 : small ? 256 : 1024;
        var a = BenchMatrices.Poisson2D(k) with { Name = "A" };
        a.Write(Path.Combine(dir, "A.bin"));
        // COO: each entry twice (halves of its value), shuffled.
        int n = checked((int)a.Nnz * 2);
        var row = new int[n]; var col = new int[n];
        for (int r = 0; r < a.Rows; r++)
            for (int q = a.RowPtr[r]; q < a.RowPtr[r + 1]; q++) { row[2 * q] = row[2 * q + 1] = r; col[2 * q] = col[2 * q + 1] = a.ColInd[q]; }
        var rng = new Random(3);
        for (int i = n - 1; i > 0; i--) { int j = rng.Next(i + 1); (row[i], row[j]) = (row[j], row[i]); (col[i], col[j]) = (col[j], col[i]); }
        using (var f = new BinaryWriter(File.Create(Path.Combine(dir, "coo.bin"))))
        {
            f.Write(a.Rows); f.Write(a.Cols); f.Write((long)n);
            foreach (int x in row) f.Write(x);
            foreach (int x in col) f.Write(x);
        }

        var gpu = emulate ? IlgpuBackend.CreateCpuEmulator(Device.Cuda(0)) : (IlgpuBackend)BackendRegistry.Get(Device.Cuda(0));
        Console.WriteLine(gpu.Description);
        var idx = new CsrIndices(a.Rows, a.Cols, gpu.Upload<int>(a.RowPtr), gpu.Upload<int>(a.ColInd));
        double tT = GpuSpmvHarness.Time(gpu, () => { var (t, m) = gpu.Transpose(idx); t.Dispose(); m.Dispose(); });
        var (gt, gm) = gpu.Transpose(idx);
        var ht = CsrBuild.Transpose(a.RowPtr, a.ColInd, a.Rows, a.Cols);
        bool sameT = gt.RowPtr.ToArray().AsSpan().SequenceEqual(ht.RowPtr) && gt.ColInd.ToArray().AsSpan().SequenceEqual(ht.ColInd)
            && gm.ToArray().AsSpan().SequenceEqual(ht.Map);
        double hT = HostSeconds(() => CsrBuild.Transpose(a.RowPtr, a.ColInd, a.Rows, a.Cols));

        using var gr = gpu.Upload<int>(row); using var gc = gpu.Upload<int>(col);
        using var rp = gpu.Allocate<int>(a.Rows + 1); using var ci = gpu.Allocate<int>(n); using var e = gpu.Allocate<int>(n);
        double tC = GpuSpmvHarness.Time(gpu, () => gpu.CooToCsr(gr, gc, n, a.Rows, a.Cols, rp, ci, e));
        int nnz = gpu.CooToCsr(gr, gc, n, a.Rows, a.Cols, rp, ci, e);
        var hc = CsrBuild.CooToCsr(row, col, a.Rows, a.Cols);
        bool sameC = nnz == hc.ColInd.Length && rp.ToArray().AsSpan().SequenceEqual(hc.RowPtr)
            && ci.ToArray().AsSpan(0, nnz).SequenceEqual(hc.ColInd) && e.ToArray().AsSpan().SequenceEqual(hc.EntryToSlot);
        double hC = HostSeconds(() => CsrBuild.CooToCsr(row, col, a.Rows, a.Cols));

        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Device: {gpu.Description}; host {CpuBackend.Instance.Description}");
        md.AppendLine();
        md.AppendLine("| operation | entries in | device (ms) | host counting sort (ms) | device = host |");
        md.AppendLine("|---|---:|---:|---:|---|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| transpose of 2D Poisson {k}² (pattern + slot map) | {a.Nnz:N0} | {tT * 1e3:F3} | {hT * 1e3:F1} | {sameT} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| COO→CSR, shuffled, each entry twice (merge) | {n:N0} | {tC * 1e3:F3} | {hC * 1e3:F1} | {sameC} |");
        File.WriteAllText(outMd, md.ToString());
        Console.WriteLine(md.ToString());
        return 0;
    }

    private static double HostSeconds(Action f)
    {
        var t = new List<double>();
        for (int i = 0; i < 3; i++) { var sw = Stopwatch.StartNew(); f(); t.Add(sw.Elapsed.TotalSeconds); }
        t.Sort();
        return t[1];
    }
}
