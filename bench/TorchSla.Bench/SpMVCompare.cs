using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json;
using TorchSla.Kernels.Cpu;

namespace TorchSla.Bench;

/// <summary>
/// The "same run" comparison with SciPy: for each matrix and dtype, writes the CSR arrays and x
/// to a temp folder, then alternates rounds of SciPy's <c>A @ x</c> (bench/scipy_spmv.py under
/// /usr/bin/python3) and of ours (<see cref="SparseTensor{T}.Apply"/>), each timed as the
/// median of samples of many calls. Also times each of our two row kernels forced, and our
/// single-thread run, and checks that both libraries computed the same y. Prints a markdown table.
/// </summary>
internal static class SpMVCompare
{
    private sealed record Row(string Matrix, string DType, int N, int Nnz, double SciPy, double Ours, double OursScalar, double OursGather, double OursOneThread, long Bytes, double RelDiff, double Packed, long PackedBytes, string PackedNote);

    public static int Run(string[] args)
    {
        bool quick = args.Contains("--quick");
        int rounds = quick ? 2 : 5, repeat = quick ? 3 : 7;
        string python = Environment.GetEnvironmentVariable("SCIPY_PYTHON") ?? "/usr/bin/python3";
        string script = FindScript();
        var specs = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        if (specs.Length == 0) specs = ["poisson2d:1000", "cryg2500.mtx", "random:200000:32"];
        var rows = new List<Row>();
        string? versions = null;
        foreach (var spec in specs)
        {
            rows.Add(Compare<double>(spec, "float64", python, script, rounds, repeat, ref versions));
            rows.Add(Compare<float>(spec, "float32", python, script, rounds, repeat, ref versions));
        }
        Console.WriteLine($"SciPy: {versions}; ours: {CpuBackend.Instance.Description}; {rounds} alternating rounds × {repeat} samples, medians");
        Console.WriteLine();
        Console.WriteLine("| matrix | dtype | n | nnz | SciPy ms | ours ms | SciPy/ours | ours GB/s | SciPy GB/s | ours 1-thread ms | scalar-kernel ms | gather-kernel ms | max rel diff | compressed ms | plain/compressed | compressed MB (plain MB) | compression |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
            Console.WriteLine($"| {r.Matrix} | {r.DType} | {r.N:N0} | {r.Nnz:N0} | {r.SciPy * 1e3:F4} | {r.Ours * 1e3:F4} | **{r.SciPy / r.Ours:F2}×** | {r.Bytes / r.Ours / 1e9:F1} | {r.Bytes / r.SciPy / 1e9:F1} | {r.OursOneThread * 1e3:F4} | {r.OursScalar * 1e3:F4} | {r.OursGather * 1e3:F4} | {r.RelDiff:E1} | {r.Packed * 1e3:F4} | {r.Ours / r.Packed:F2}× | {r.PackedBytes / 1e6:F1} ({r.Bytes / 1e6:F1}) | {r.PackedNote} |");
        return 0;
    }

    private static Row Compare<T>(string spec, string dtype, string python, string script, int rounds, int repeat, ref string? versions)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = MatrixCatalog.Load<T>(spec);
        var x = Tensor<T>.Random([a.Cols], 7);
        var y = Tensor<T>.Zeros([a.Rows]);
        string dir = Directory.CreateTempSubdirectory("torchsla-spmv-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "indptr.bin"), MemoryMarshal.AsBytes(a.RowPointers.AsSpan()).ToArray());
            File.WriteAllBytes(Path.Combine(dir, "indices.bin"), MemoryMarshal.AsBytes(a.ColumnIndices.AsSpan()).ToArray());
            File.WriteAllBytes(Path.Combine(dir, "data.bin"), MemoryMarshal.AsBytes(a.GetValues().AsSpan()).ToArray());
            File.WriteAllBytes(Path.Combine(dir, "x.bin"), MemoryMarshal.AsBytes(x.ToArray().AsSpan()).ToArray());

            void Op() => a.Apply(x, y);
            int number = Timing.Calibrate(Op);
            var ours = new List<double>(); var scipy = new List<double>(); var scalar = new List<double>(); var gathered = new List<double>(); var one = new List<double>();
            int minLen = CsrKernels.GatherMinMeanRowLength; int minNnz = CpuBackend.SpMVParallelMinNnz, minPacked = CsrCompression.MinNnz;
            // The compressed CSR (what a Krylov solve gets), forced on whatever the size and saving, timed with it on and
            // off in the same rounds; built here once, outside the timings (its cost is reported, and bench cg-bytes times it).
            var packedTimes = new List<double>();
            var swBuild = Stopwatch.StartNew();
            var packed = CsrCompression.Build(a.Indices, a.GetValues());
            double buildMs = swBuild.Elapsed.TotalMilliseconds;
            CsrCompression.Prepare(a.Indices, a.Values, 0, now: true);
            bool used = CsrCompression.Find(a.Indices, a.Values, 0) is not null; // the automatic decision
            CsrCompression.Forget(a.Values);
            double minSaving = CsrCompression.MinSaving; int minDelta = CsrCompression.MinDeltaNnz;
            CsrCompression.MinNnz = 0; CsrCompression.MinDeltaNnz = 0; CsrCompression.MinSaving = double.NegativeInfinity; // forced, to time what auto declines too
            CsrCompression.Prepare(a.Indices, a.Values, 0, now: true);
            CsrCompression.MinSaving = minSaving; CsrCompression.MinDeltaNnz = minDelta;
            var yPlain = Tensor<T>.Zeros([a.Rows]);
            CsrCompression.Enabled = false; a.Apply(x, yPlain); CsrCompression.Enabled = true;
            a.Apply(x, y);
            bool same = y.ToArray().AsSpan().SequenceEqual(yPlain.ToArray());
            string note = $"{packed.Description}, build {buildMs:F1} ms, {(used ? "auto: used" : "auto: declined")}, {(same ? "bit-identical" : "DIFFERS")}";
            try
            {
                for (int round = 0; round < rounds; round++)
                {
                    var (s, v) = RunSciPy(python, script, dir, dtype, a.Rows, a.Cols, number, repeat);
                    scipy.AddRange(s); versions ??= v;
                    CsrCompression.Enabled = true;
                    packedTimes.AddRange(Timing.Samples(Op, number, repeat));
                    CsrCompression.Enabled = false;
                    ours.AddRange(Timing.Samples(Op, number, repeat));
                    CsrKernels.GatherMinMeanRowLength = int.MaxValue;
                    scalar.AddRange(Timing.Samples(Op, number, repeat));
                    CsrKernels.GatherMinMeanRowLength = 0;
                    gathered.AddRange(Timing.Samples(Op, number, repeat));
                    CsrKernels.GatherMinMeanRowLength = minLen;
                    CpuBackend.SpMVParallelMinNnz = int.MaxValue;
                    one.AddRange(Timing.Samples(Op, number, repeat));
                    CpuBackend.SpMVParallelMinNnz = minNnz;
                }
            }
            finally
            {
                CsrKernels.GatherMinMeanRowLength = minLen; CpuBackend.SpMVParallelMinNnz = minNnz;
                CsrCompression.Enabled = true; CsrCompression.MinNnz = minPacked; CsrCompression.Forget(a.Values);
            }

            a.Apply(x, y);
            var ys = MemoryMarshal.Cast<byte, T>(File.ReadAllBytes(Path.Combine(dir, "y_scipy.bin"))).ToArray();
            var yo = y.ToArray();
            double maxDiff = 0, maxAbs = 0;
            for (int i = 0; i < yo.Length; i++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(double.CreateTruncating(yo[i] - ys[i])));
                maxAbs = Math.Max(maxAbs, Math.Abs(double.CreateTruncating(ys[i])));
            }
            long bytes = MatrixCatalog.SpMVBytes(a.Rows, a.Cols, a.Nnz, System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
            Console.Error.WriteLine($"{spec} {dtype}: {number} calls/sample done");
            return new Row(spec, dtype, a.Rows, a.Nnz, Timing.Median(scipy), Timing.Median(ours), Timing.Median(scalar), Timing.Median(gathered), Timing.Median(one), bytes, maxDiff / Math.Max(maxAbs, double.Epsilon),
                Timing.Median(packedTimes), packed.Bytes + bytes - (packed.PlainBytes), note);
        }
        finally { Directory.Delete(dir, true); }
    }

    private static (List<double> Samples, string Versions) RunSciPy(string python, string script, string dir, string dtype, int rows, int cols, int number, int repeat)
    {
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { script, dir, dtype, rows.ToString(), cols.ToString(), number.ToString(), repeat.ToString() }) psi.ArgumentList.Add(arg);
        // SciPy's CSR matvec is single-threaded C++; pin BLAS pools anyway so numpy does not spin threads.
        psi.Environment["OMP_NUM_THREADS"] = "1"; psi.Environment["OPENBLAS_NUM_THREADS"] = "1";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {python}");
        string stdout = p.StandardOutput.ReadToEnd(); string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{python} {script} failed ({p.ExitCode}): {stderr}");
        using var doc = JsonDocument.Parse(stdout);
        var samples = doc.RootElement.GetProperty("samples").EnumerateArray().Select(e => e.GetDouble()).ToList();
        string versions = $"scipy {doc.RootElement.GetProperty("scipy").GetString()}, numpy {doc.RootElement.GetProperty("numpy").GetString()}";
        return (samples, versions);
    }

    private static string FindScript()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
            {
                var cand = Path.Combine(d.FullName, "bench", "scipy_spmv.py");
                if (File.Exists(cand)) return cand;
            }
        throw new FileNotFoundException("bench/scipy_spmv.py not found above the current directory");
    }
}
