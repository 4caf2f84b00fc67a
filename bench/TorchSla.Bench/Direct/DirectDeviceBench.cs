using System.Diagnostics;
using System.Globalization;
using TorchSla.Kernels;
using TorchSla.Kernels.Cuda;
using TorchSla.Kernels.Memory;
using TorchSla.Solvers.Direct;

namespace TorchSla.Bench.Direct;

/// <summary>
/// `direct-device [2d:N | 3d:N ...] [--device cuda:0]`: where a Cholesky solve of a right-hand side that lives on a
/// GPU is fastest. The factor is computed on the host (as every direct factorization is); then, medians of 5:
/// <list type="bullet">
/// <item>host: b copied to the host, the host's supernodal solve, x copied back (what CUDA tensors got before);</item>
/// <item>upload: the factor and its level schedule copied to the device (once per factorization);</item>
/// <item>device: Backend.SupernodalSolve's two sweeps plus the permutations, the factor already there.</item>
/// </list>
/// One solve on the device pays upload + device; k solves pay upload + k·device. The device sweeps read L twice:
/// GB/s = 2·8·nnz(L) / time. Markdown rows on stdout.
/// <para>With <c>--lu</c>: the same for the multifrontal LU of 2D/3D Poisson (Backend.FrontalLuSolve), where a solve also
/// refines (one residual and backward-error pass, usually no correction): host = b to the host, LU solve and refinement
/// there, x back; device sweeps = the permutations and the L and U sweeps alone (GB/s = 8·nnz(L+U) / time); device solve =
/// LuFactorization.Solve of the CUDA vector with the factors already uploaded (sweeps + refinement on the device).</para>
/// </summary>
internal static class DirectDeviceBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] args)
    {
        var device = Device.Cuda(0);
        var problems = new List<(int Dim, int N)>();
        bool lu = false;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--device") { device = Device.Parse(args[++i]); continue; }
            if (args[i] == "--lu") { lu = true; continue; }
            var parts = args[i].Split(':');
            problems.Add((parts[0] == "3d" ? 3 : 2, int.Parse(parts[1], Inv)));
        }
        if (problems.Count == 0) problems = [(2, 100), (2, 300), (2, 500), (2, 1000), (3, 30), (3, 50)];
        var be = BackendRegistry.Get(device);
        Console.WriteLine($"device: {be.Description}; host: {Environment.ProcessorCount} threads; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        if (lu) return RunLu(device, be, problems);
        Console.WriteLine("| problem | n | nnz(L) | tree levels | factor s (host) | host solve + copies ms | upload ms | device solve ms | device GB/s | host/device | rel. residual host | rel. residual device |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (dim, n) in problems)
        {
            var (name, a) = Problem(dim, n);
            using var _ = a;
            var sw = Stopwatch.StartNew();
            using var f = a.Cholesky();
            double factor = sw.Elapsed.TotalSeconds;
            using var b = RightHandSide(a.Rows, device);
            using var ad = a.To(device);

            Tensor<double>? xHost = null;
            double host = Median(5, () => { xHost?.Dispose(); xHost = f.Solve(b.Cpu()).To(device); Sync(be); });
            double upload = Median(5, () => { using var s = f.UploadFactor(device); Sync(be); });
            using var solver = f.UploadFactor(device);
            Storage<double>? xDev = null;
            double dev = Median(5, () => { xDev?.Dispose(); xDev = solver.Solve(b.Storage); Sync(be); });
            using var xd = new Tensor<double>(xDev!, [a.Rows]);
            double bytes = 2.0 * 8 * f.NnzFactor;
            Console.WriteLine(string.Create(Inv, $"| {name} | {a.Rows} | {f.NnzFactor} | {solver.Levels} | {factor:F3} | {host * 1e3:F2} | {upload * 1e3:F2} | {dev * 1e3:F2} | {bytes / dev / 1e9:F0} | {host / dev:F1} | {Residual(ad, xHost!, b):E2} | {Residual(ad, xd, b):E2} |"));
            xHost!.Dispose();
        }
        return 0;
    }

    private static int RunLu(Device device, Backend be, List<(int Dim, int N)> problems)
    {
        Console.WriteLine("| problem | n | nnz(L+U) | tree levels | critical pivots | factor s (host) | host solve + copies ms | upload ms | device sweeps ms | device GB/s | device solve ms | host/device | rel. residual host | rel. residual device |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (dim, n) in problems)
        {
            var (name, a) = Problem(dim, n);
            using var _ = a;
            var sw = Stopwatch.StartNew();
            using var f = a.Lu();
            double factor = sw.Elapsed.TotalSeconds;
            using var b = RightHandSide(a.Rows, device);
            using var ad = a.To(device);

            Tensor<double>? xHost = null;
            double host = Median(5, () => { xHost?.Dispose(); xHost = f.Solve(b.Cpu()).To(device); Sync(be); });
            double upload = Median(5, () => { using var s = f.UploadFactors(device); Sync(be); });
            using var solver = f.UploadFactors(device) ?? throw new InvalidOperationException($"{name}: the LU factors are not multifrontal");
            double sweeps = Median(5, () => { using var x = solver.Solve(b.Storage, transpose: false); Sync(be); });
            f.SolveOnGpu = true;
            Tensor<double>? xDev = null;
            double dev = Median(5, () => { xDev?.Dispose(); xDev = f.Solve(b); Sync(be); });
            double bytes = 8.0 * f.NnzFactor;
            Console.WriteLine(string.Create(Inv, $"| {name} | {a.Rows} | {f.NnzFactor} | {solver.Levels} | {solver.CriticalPivots} | {factor:F3} | {host * 1e3:F2} | {upload * 1e3:F2} | {sweeps * 1e3:F2} | {bytes / sweeps / 1e9:F0} | {dev * 1e3:F2} | {host / dev:F1} | {Residual(ad, xHost!, b):E2} | {Residual(ad, xDev!, b):E2} |"));
            xHost!.Dispose(); xDev!.Dispose();
        }
        return 0;
    }

    /// <summary>2D or 3D Poisson of side <paramref name="n"/> and its table name.</summary>
    private static (string Name, SparseTensor<double> A) Problem(int dim, int n) => dim == 2
        ? ($"2D Poisson {n}²", SparseTensor.Poisson2D<double>(n))
        : ($"3D Poisson {n}³", SparseTensor.Poisson3D<double>(n));

    /// <summary>A right-hand side of uniform random entries in [−½, ½) (seed 1) on <paramref name="device"/>.</summary>
    private static Tensor<double> RightHandSide(int rows, Device device)
    {
        var bh = new double[rows];
        var rng = new Random(1);
        for (int i = 0; i < bh.Length; i++) bh[i] = rng.NextDouble() - 0.5;
        return Tensor<double>.FromSpan(bh, device: device);
    }

    private static void Sync(Backend be) => (be as IlgpuBackend)?.Synchronize();

    private static double Median(int samples, Action op)
    {
        op(); // warm-up (JIT, pools)
        var t = new double[samples];
        for (int s = 0; s < samples; s++) { var sw = Stopwatch.StartNew(); op(); t[s] = sw.Elapsed.TotalSeconds; }
        Array.Sort(t);
        return t[samples / 2];
    }

    private static double Residual(SparseTensor<double> a, Tensor<double> x, Tensor<double> b)
    {
        using var r = Tensor<double>.Zeros([a.Rows], a.Device);
        a.Apply(x, r);
        var rh = r.ToArray(); var bh = b.ToArray();
        double rr = 0, bb = 0;
        for (int i = 0; i < rh.Length; i++) { rr += (bh[i] - rh[i]) * (bh[i] - rh[i]); bb += bh[i] * bh[i]; }
        return Math.Sqrt(rr / bb);
    }
}
