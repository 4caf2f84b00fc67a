using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using TorchSla.Solvers;
using TorchSla.Solvers.Preconditioners;

namespace TorchSla.Bench;

/// <summary>
/// `amg-first [2d:N|3d:N] [--runs K] [--no-warmup] [--smoother S]`: where the first AMG-PCG solve of a process spends its
/// time that a later one does not. The problem (default 3D Poisson 50³, float64, b = 1, rtol 1e-8) is set up and solved
/// K times (default 3) in one process, after amg-compare's warm-ups (one Jacobi-PCG step on the problem and an AMG-PCG
/// solve on a small problem of the same kind) unless --no-warmup; for every stage the table gives wall and process CPU
/// time, the JIT's compilation time and compiled-method count (<see cref="System.Runtime.JitInfo"/>, all threads: the
/// tier-1 background compiler included), managed MB allocated, minor page faults of the process (/proc/self/stat: fresh
/// memory), collections, GC pause time and the thread pool's thread count.
/// </summary>
internal static class AmgFirstCall
{
    public static int Run(string[] args)
    {
        int dim = 3, n = 50, runs = 3;
        bool warmup = true;
        int prefaultMb = 0, noGcMb = 0;
        var smoother = AmgSmoother.SymmetricGaussSeidel;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--runs") { runs = int.Parse(args[++i], CultureInfo.InvariantCulture); continue; }
            if (args[i] == "--no-warmup") { warmup = false; continue; }
            if (args[i] == "--nogc") { noGcMb = int.Parse(args[++i], CultureInfo.InvariantCulture); continue; }
            if (args[i] == "--prefault") { prefaultMb = int.Parse(args[++i], CultureInfo.InvariantCulture); continue; }
            if (args[i] == "--smoother") { smoother = Enum.Parse<AmgSmoother>(args[++i], ignoreCase: true); continue; }
            var parts = args[i].Split(':');
            dim = parts[0] == "3d" ? 3 : 2;
            n = int.Parse(parts[1], CultureInfo.InvariantCulture);
        }
        var meter = new StageMeter();
        Console.WriteLine($"threads: {Environment.ProcessorCount}, {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC, tiered compilation: {Tiered()}, server GC: {GCSettings.IsServerGC}, R2R code of the library: {ReadyToRunImage()}");
        Console.WriteLine("| stage | wall ms | CPU ms | JIT ms | methods jitted | MB allocated | minor faults (MB of 4 KiB pages) | GCs 0/1/2 | GC pause ms | pool threads | process huge pages MB |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        var a = dim == 2 ? SparseTensor.Poisson2D<double>(n) : SparseTensor.Poisson3D<double>(n);
        var b = Tensor<double>.Ones([a.Rows]);
        meter.Print("problem");
        var options = new AmgOptions { Smoother = smoother };
        var solveOptions = new SolveOptions { RelativeTolerance = 1e-8, MaxIterations = 1000 };
        if (warmup)
        {
            _ = TorchSla.Solvers.Krylov.Cg.Solve(a, b, options: new SolveOptions { RelativeTolerance = 1e-8, MaxIterations = 1 },
                preconditioner: new IdentityPreconditioner<double>(a.Rows, a.Device));
            meter.Print("warm-up: 1 CG step");
            using var small = dim == 2 ? SparseTensor.Poisson2D<double>(64) : SparseTensor.Poisson3D<double>(16);
            using var warm = new AmgPreconditioner<double>(small, options);
            _ = TorchSla.Solvers.Krylov.Cg.Solve(small, Tensor<double>.Ones([small.Rows]), options: solveOptions, preconditioner: warm);
            meter.Print($"warm-up: AMG-PCG {small.Rows} rows");
        }
        if (prefaultMb > 0)
        {
            // Experiment: let the GC heap hold touched, free memory before the first setup (as after a large solve).
            var chunks = new List<double[]>();
            for (int c = 0; c < prefaultMb; c++) { var x = new double[131072]; x.AsSpan().Fill(1); chunks.Add(x); }
            chunks.Clear();
            GC.Collect();
            meter.Print($"prefault {prefaultMb} MB");
        }
        for (int r = 1; r <= runs; r++)
        {
            bool noGc = noGcMb > 0 && r == 1 && Advise() && GC.TryStartNoGCRegion((noGcMb + 16) << 20, noGcMb << 20, disallowFullBlockingGC: true);
            if (noGcMb > 0 && r == 1) meter.Print($"no-GC region of {noGcMb} MB LOH: {noGc}");
            using var amg = new AmgPreconditioner<double>(a, options);
            if (noGc && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
            meter.Print($"setup {r}");
            var res = TorchSla.Solvers.Krylov.Cg.Solve(a, b, options: solveOptions, preconditioner: amg);
            meter.Print($"solve {r} ({res.Iterations} it.)");
        }
        return 0;
    }

    private static bool Advise() { TorchSla.Kernels.Cpu.HugePages.Advise(); return true; }

    private static string Tiered() =>
        Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") == "0" ? "off" :
        Environment.GetEnvironmentVariable("DOTNET_TieredPGO") == "0" ? "on, PGO off" : "on";

    /// <summary>Whether TorchSla.Core.dll carries precompiled (ReadyToRun) code: a managed-native header in its PE image.</summary>
    private static bool ReadyToRunImage()
    {
        string path = typeof(AmgPreconditioner<double>).Assembly.Location;
        using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(path));
        return pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
    }

    /// <summary>Counters since the previous <see cref="Print"/>.</summary>
    private sealed class StageMeter
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private (double Wall, double Cpu, double Jit, long Methods, long Bytes, long Faults, int G0, int G1, int G2, double Pause) _last;

        public StageMeter() { _last = Now(); }

        private (double, double, double, long, long, long, int, int, int, double) Now() => (
            _watch.Elapsed.TotalMilliseconds,
            Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds,
            JitInfo.GetCompilationTime(currentThread: false).TotalMilliseconds,
            JitInfo.GetCompiledMethodCount(currentThread: false),
            GC.GetTotalAllocatedBytes(precise: true),
            MinorFaults(),
            GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
            GC.GetTotalPauseDuration().TotalMilliseconds);

        public void Print(string stage)
        {
            var now = Now();
            var l = _last;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {stage} | {now.Item1 - l.Wall:F1} | {now.Item2 - l.Cpu:F1} | {now.Item3 - l.Jit:F1} | {now.Item4 - l.Methods} | {(now.Item5 - l.Bytes) / 1e6:F1} | {now.Item6 - l.Faults} ({(now.Item6 - l.Faults) * 4096 / 1e6:F1}) | {now.Item7 - l.G0}/{now.Item8 - l.G1}/{now.Item9 - l.G2} | {now.Item10 - l.Pause:F1} | {ThreadPool.ThreadCount} | {AnonHugeMegabytes()} |"));
            _last = Now();
        }

        /// <summary>AnonHugePages of /proc/self/smaps_rollup (transparent huge pages the process holds), MB; -1 where unreadable.</summary>
        private static long AnonHugeMegabytes()
        {
            try
            {
                foreach (var line in File.ReadLines("/proc/self/smaps_rollup"))
                    if (line.StartsWith("AnonHugePages:", StringComparison.Ordinal))
                        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            return -1;
        }

        /// <summary>Field 10 of /proc/self/stat (minflt); 0 where there is no procfs.</summary>
        private static long MinorFaults()
        {
            try
            {
                string stat = File.ReadAllText("/proc/self/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return long.Parse(fields[7], CultureInfo.InvariantCulture); // fields after "(comm)": state is field 3, minflt field 10
            }
            catch (IOException) { return 0; }
            catch (UnauthorizedAccessException) { return 0; }
        }
    }
}
