using System.Diagnostics;
using System.Globalization;
using TorchSla.Kernels;
using TorchSla.Kernels.Cuda;
using TorchSla.Solvers;
using TorchSla.Solvers.Krylov;
using TorchSla.Solvers.Preconditioners;

namespace TorchSla.Bench.Gpu;

/// <summary>
/// <c>gpu-pcg [M ...] [--check K ...] [--device cuda|cpu]</c>: Jacobi-PCG on the 2D Poisson matrix (M×M grid,
/// float64, b = 1, rtol 1e-8; default M = 1000 2000 4000, i.e. 1M, 4M, 16M DOF) on cuda:0, the same problem as
/// bench/gpu/torch_pcg.py. For each check interval K (default: the device default, then 1) it times the
/// Jacobi setup and <see cref="Cg.Solve{T}"/> separately (device synchronised), and prints iterations,
/// ms/iteration, the true relative residual and the device memory the solve took per DOF (free memory before
/// the matrix was uploaded minus free memory after the solve, freed buffers held by the pool included).
/// </summary>
internal static class GpuPcgBench
{
    public static int Run(string[] args)
    {
        var sizes = new List<int>();
        var checks = new List<int?>();
        string device = "cuda";
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--check") checks.Add(int.Parse(args[++i], CultureInfo.InvariantCulture));
            else if (args[i] == "--device") device = args[++i];
            else sizes.Add(int.Parse(args[i], CultureInfo.InvariantCulture));
        }
        if (sizes.Count == 0) sizes = [1000, 2000, 4000];
        if (checks.Count == 0) checks = [null, 1];
        var dev = device == "cpu" ? Device.Cpu : Device.Cuda(0);
        var backend = BackendRegistry.Get(dev);
        var gpu = backend as IlgpuBackend;
        Console.WriteLine(backend.Description);

        // Warm-up: compile every kernel of the solve on a small problem (reported, not timed below; PyTorch's
        // script warms up too). Neither side times the upload of the matrix; "setup" is the Jacobi diagonal.
        var warm = Stopwatch.StartNew();
        {
            var wa = SparseTensor.Poisson2D<double>(64).To(dev);
            var wb = Tensor<double>.Ones([wa.Rows], dev);
            _ = Cg.Solve(wa, wb, null, new SolveOptions { RelativeTolerance = 1e-8 }, null, new JacobiPreconditioner<double>(wa));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm-up (kernel JIT and first launches) {warm.Elapsed.TotalSeconds:F2} s; {backend.Description}"));
        var rows = new List<string>();
        foreach (int m in sizes)
        {
            var host = SparseTensor.Poisson2D<double>(m);
            int n = host.Rows;
            gpu?.Synchronize();
            long free0 = gpu?.FreeBytes() ?? -1;
            var a = host.To(dev);
            var b = Tensor<double>.Ones([n], dev);
            bool first = true;
            // The checks asked for with the two-pass iteration (the default), then the default check with the three-pass one.
            foreach (var (check, twoPass) in checks.Select(c => (c, true)).Append((null, false)))
            {
                Cg.TwoPass = twoPass;
                var sw = Stopwatch.StartNew();
                var jacobi = new JacobiPreconditioner<double>(a);
                gpu?.Synchronize();
                double setup = sw.Elapsed.TotalSeconds;
                sw.Restart();
                var result = Cg.Solve(a, b, null, new SolveOptions { RelativeTolerance = 1e-8, CheckEvery = check }, null, jacobi);
                gpu?.Synchronize();
                double solve = sw.Elapsed.TotalSeconds;
                long free1 = gpu?.FreeBytes() ?? -1;
                string mem = first && free0 > 0 && free1 > 0 ? ((free0 - free1) / (double)n).ToString("F0", CultureInfo.InvariantCulture) : "";
                first = false;
                int k = Math.Max(result.Iterations, 1);
                Cg.TwoPass = null;
                string label = $"ours CG + Jacobi, {(twoPass ? "two" : "three")} passes, check every {check?.ToString(CultureInfo.InvariantCulture) ?? $"{(dev == Device.Cpu ? 1 : 8)} (default)"}";
                string line = string.Create(CultureInfo.InvariantCulture,
                    $"| poisson2d:{m} | {n:N0} | {label} | {result.Iterations} | {setup:F3} | {solve:F3} | {setup + solve:F3} | {solve / k * 1e3:F3} | {result.FinalRelativeResidual:0.00e+00} | {mem} |");
                Console.WriteLine(line + (result.Converged ? "" : $" NOT CONVERGED: {result.Reason}"));
                rows.Add(line);
            }
        }
        Console.WriteLine();
        Console.WriteLine("| matrix | n | solver | iterations | setup s | solve s | total s | ms/iteration | true ‖b − Ax‖/‖b‖ | device B/DOF |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var l in rows) Console.WriteLine(l);
        return 0;
    }
}
