using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using TorchSla.Kernels.Cpu;
using TorchSla.Solvers;

namespace TorchSla.Bench;

/// <summary>
/// The "same run" Jacobi-PCG comparison with SciPy: for each 2D Poisson size (float64, b = 1,
/// rtol 1e-8), writes the CSR arrays and b to a temp folder, runs SciPy's <c>cg</c> with
/// M = diag(1/a_ii) (bench/scipy_pcg.py under /usr/bin/python3) and our CG + Jacobi
/// (<see cref="SparseTensor{T}.Solve(Tensor{T}, SolveOptions?, Tensor{T}?)"/>), alternating, and
/// prints iterations, seconds, ms/iteration and the true relative residual of both.
/// A solve takes seconds, so each side runs <c>--rounds</c> times (default 1) and the fastest counts.
/// </summary>
internal static class KrylovCompare
{
    public static int Run(string[] args)
    {
        int rounds = 1;
        var sizes = new List<int>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--rounds" && i + 1 < args.Length) rounds = int.Parse(args[++i]);
            else sizes.Add(int.Parse(args[i]));
        }
        if (sizes.Count == 0) sizes = [500, 1000]; // 250K and 1M unknowns
        string python = Environment.GetEnvironmentVariable("SCIPY_PYTHON") ?? "/usr/bin/python3";
        string script = FindScript();
        var lines = new List<string>();
        string versions = "";
        bool compress = CsrCompression.Enabled; // TORCHSLA_CSR_COMPRESSION=0 turns the default rows plain
        WarmUp(compress);
        foreach (int m in sizes)
        {
            var a = SparseTensor.Poisson2D<double>(m);
            int n = a.Rows;
            var b = Tensor<double>.Ones([n]);
            string dir = Directory.CreateTempSubdirectory("torchsla-pcg-").FullName;
            try
            {
                File.WriteAllBytes(Path.Combine(dir, "indptr.bin"), MemoryMarshal.AsBytes(a.RowPointers.AsSpan()).ToArray());
                File.WriteAllBytes(Path.Combine(dir, "indices.bin"), MemoryMarshal.AsBytes(a.ColumnIndices.AsSpan()).ToArray());
                File.WriteAllBytes(Path.Combine(dir, "data.bin"), MemoryMarshal.AsBytes(a.GetValues().AsSpan()).ToArray());
                File.WriteAllBytes(Path.Combine(dir, "b.bin"), MemoryMarshal.AsBytes(b.ToArray().AsSpan()).ToArray());
                var options = new SolveOptions { Method = SolveMethod.CG, Preconditioner = "jacobi", RelativeTolerance = 1e-8 };
                double ours = double.PositiveInfinity, theirs = double.PositiveInfinity, three = double.PositiveInfinity, plain = double.PositiveInfinity;
                SolveResult<double>? result = null, result3 = null, resultPlain = null;
                JsonElement sci = default;
                // One untimed iteration first: the tensor's one-off analysis behind A.Solve (symmetry and diagonal checks,
                // row partition) lands in whichever solve comes first, which must not be one of the rows compared.
                var sw1 = Stopwatch.StartNew();
                a.Solve(b, options with { MaxIterations = 1 }); // returns unconverged, does not throw
                Console.Error.WriteLine($"poisson2d:{m}: first (1-iteration) solve {sw1.Elapsed.TotalSeconds:F3} s");
                for (int r = 0; r < rounds; r++)
                {
                    using (var doc = RunSciPy(python, script, dir, n))
                    {
                        double s = doc.RootElement.GetProperty("seconds").GetDouble();
                        if (s < theirs) { theirs = s; sci = doc.RootElement.Clone(); }
                    }
                    // The same CG with the two-pass and the three-pass iteration (the CPU's default), back to back.
                    // The default (three passes, compressed CSR: its one-off build inside the timed solve), the same
                    // without compression, and the two-pass iteration, back to back.
                    try
                    {
                        Solvers.Krylov.Cg.TwoPass = false;
                        CsrCompression.Forget(a.Values);
                        var sw = Stopwatch.StartNew();
                        result3 = a.Solve(b, options);
                        three = Math.Min(three, sw.Elapsed.TotalSeconds);
                        CsrCompression.Enabled = false;
                        sw.Restart();
                        resultPlain = a.Solve(b, options);
                        plain = Math.Min(plain, sw.Elapsed.TotalSeconds);
                        CsrCompression.Enabled = compress;
                        Solvers.Krylov.Cg.TwoPass = true;
                        sw.Restart();
                        result = a.Solve(b, options);
                        ours = Math.Min(ours, sw.Elapsed.TotalSeconds);
                    }
                    finally { Solvers.Krylov.Cg.TwoPass = null; CsrCompression.Enabled = compress; }
                }
                versions = $"scipy {sci.GetProperty("scipy").GetString()}, numpy {sci.GetProperty("numpy").GetString()}";
                int sIt = sci.GetProperty("iterations").GetInt32();
                lines.Add($"| poisson2d:{m} | {n:N0} | SciPy cg + Jacobi | {sIt} | {theirs:F2} | {theirs / Math.Max(sIt, 1) * 1e3:F2} | {sci.GetProperty("relres").GetDouble():E2} | |");
                lines.Add($"| poisson2d:{m} | {n:N0} | ours CG + Jacobi, three passes, compressed CSR (default) | {result3!.Iterations} | {three:F2} | {three / Math.Max(result3.Iterations, 1) * 1e3:F2} | {result3.FinalRelativeResidual:E2} | **{theirs / three:F2}×** total, **{theirs / Math.Max(sIt, 1) / (three / Math.Max(result3.Iterations, 1)):F2}×** per iteration |");
                lines.Add($"| poisson2d:{m} | {n:N0} | ours, three passes, plain CSR (compression off) | {resultPlain!.Iterations} | {plain:F2} | {plain / Math.Max(resultPlain.Iterations, 1) * 1e3:F2} | {resultPlain.FinalRelativeResidual:E2} | {theirs / plain:F2}× total |");
                lines.Add($"| poisson2d:{m} | {n:N0} | ours CG + Jacobi, two passes | {result!.Iterations} | {ours:F2} | {ours / Math.Max(result.Iterations, 1) * 1e3:F2} | {result.FinalRelativeResidual:E2} | {theirs / ours:F2}× total |");
            }
            finally { Directory.Delete(dir, recursive: true); }
        }
        Console.WriteLine($"{versions}; ours: {CpuBackend.Instance.Description}; float64, b = 1, rtol 1e-8, fastest of {rounds} round(s); load average before: {LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("| matrix | n | solver | iterations | seconds | ms/iteration | true ‖b − Ax‖/‖b‖ | SciPy/ours |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var l in lines) Console.WriteLine(l);
        return 0;
    }

    /// <summary>
    /// Every variant solved once on poisson2d:200 (40 000 rows, above the encoding's size limit) before anything is timed,
    /// so that the first timed solve does not carry the JIT's tier-up of the solver and kernels (SciPy's timing starts
    /// after its imports too).
    /// </summary>
    private static void WarmUp(bool compress)
    {
        var a = SparseTensor.Poisson2D<double>(200);
        var b = Tensor<double>.Ones([a.Rows]);
        var options = new SolveOptions { Method = SolveMethod.CG, Preconditioner = "jacobi", RelativeTolerance = 1e-8 };
        try
        {
            foreach (var (twoPass, on) in new[] { (false, compress), (false, false), (true, compress) })
            {
                Solvers.Krylov.Cg.TwoPass = twoPass; CsrCompression.Enabled = on;
                a.Solve(b, options);
            }
        }
        finally { Solvers.Krylov.Cg.TwoPass = null; CsrCompression.Enabled = compress; }
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

    private static JsonDocument RunSciPy(string python, string script, string dir, int n)
    {
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { script, dir, n.ToString(), "1e-8" }) psi.ArgumentList.Add(arg);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {python}");
        string stdout = p.StandardOutput.ReadToEnd(); string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{python} {script} failed ({p.ExitCode}): {stderr}");
        return JsonDocument.Parse(stdout);
    }

    private static string FindScript()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
            {
                var cand = Path.Combine(d.FullName, "bench", "scipy_pcg.py");
                if (File.Exists(cand)) return cand;
            }
        throw new FileNotFoundException("bench/scipy_pcg.py not found above the current directory");
    }
}
