using System.Diagnostics;
using System.Globalization;
using TorchSla.Kernels;
using TorchSla.Kernels.Cuda;
using TorchSla.Solvers;
using TorchSla.Solvers.Preconditioners;

namespace TorchSla.Bench;

/// <summary>
/// `amg-gpu [2d:N | 3d:N ...] [--device cuda|cpu|emulator] [--jacobi-max ROWS] [--spgemm-budget INTS]`: whole solves through the library's
/// front door, <c>A.Solve(b, {Method = CG, Preconditioner = "amg" | "jacobi"})</c>, on one device, float64,
/// b = 1, x₀ = 0, rtol 1e-8. The matrix is generated on the host and moved to the device before the clock
/// starts; the clock covers the preconditioner's setup (for AMG the whole hierarchy) and the CG. Memory:
/// the peak of the bytes held by live device storages (IlgpuBackend.PeakLiveBytes, counted by the allocator: matrix,
/// hierarchy, setup temporaries, Krylov vectors; the pool's spare buffers not counted) from the upload of the matrix
/// to the end of the AMG solve, per row. Up to --jacobi-max rows also Jacobi-PCG. --spgemm-budget: the ints the symbolic SpGEMM's
/// hash tables may hold at once (IlgpuBackend.SpGemmTableBudget; default 2²⁵, 0 = one table per product), for measuring its effect on the peak. Markdown rows on stdout.
/// </summary>
internal static class AmgGpu
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] args)
    {
        var device = Device.Cuda(0);
        long jacobiMax = long.MaxValue, spgemmBudget = -1;
        var problems = new List<(int Dim, int N)>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--device" && args[i + 1] == "emulator")
            {
                // ILGPU's CPU accelerator registered as cuda:0 (the tests' emulator): the device code paths and the
                // allocator's byte counts on a machine without a GPU (small sizes only: it is slow).
                i++;
                BackendRegistry.Override(device, IlgpuBackend.CreateCpuEmulator(device));
                continue;
            }
            if (args[i] == "--device") { device = Device.Parse(args[++i]); continue; }
            if (args[i] == "--spgemm-budget") { spgemmBudget = long.Parse(args[++i], Inv); continue; }
            if (args[i] == "--jacobi-max") { jacobiMax = long.Parse(args[++i], Inv); continue; }
            var parts = args[i].Split(':');
            problems.Add((parts[0] == "3d" ? 3 : 2, int.Parse(parts[1], Inv)));
        }
        if (problems.Count == 0) problems = [(2, 1000), (2, 2000), (2, 4000), (3, 200)];
        var be = BackendRegistry.Get(device);
        if (spgemmBudget >= 0 && be is IlgpuBackend gpu) gpu.SpGemmTableBudget = spgemmBudget;
        Console.WriteLine($"device: {be.Description}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Warm(device);
        Console.WriteLine("| problem | n | solver | setup s | solve s | total s | iterations | rel. residual | levels | op. complexity | device peak B/DOF |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (dim, n) in problems)
        {
            string name = dim == 2 ? $"2D Poisson {n}²" : $"3D Poisson {n}³";
            long free0 = Live(be);
            (be as IlgpuBackend)?.ResetPeakLiveBytes();
            using var host = dim == 2 ? SparseTensor.Poisson2D<double>(n) : SparseTensor.Poisson3D<double>(n);
            using var a = host.To(device);
            _ = a.Indices; // the pattern's indices too (uploaded on first use otherwise): the whole matrix is on the device before the clock
            using var b = Tensor<double>.Ones([a.Rows], device);
            Row(name, a, b, "amg", free0, be);
            if (a.Rows <= jacobiMax) Row(name, a, b, "jacobi", -1, be);
            else Console.WriteLine($"| {name} | {a.Rows} | ours Jacobi-PCG | skipped (n > {jacobiMax}) | | | | | | | |");
        }
        return 0;
    }

    private static void Row(string name, SparseTensor<double> a, Tensor<double> b, string precond, long free0, Backend be)
    {
        var sw = Stopwatch.StartNew();
        var r = a.Solve(b, Options() with { Method = SolveMethod.CG, Preconditioner = precond });
        double total = sw.Elapsed.TotalSeconds;
        long peak = be is IlgpuBackend g ? g.PeakLiveBytes : -1;
        r.Solution.Dispose();
        double setup = r.Amg?.SetupSeconds ?? 0;
        string bytes = free0 >= 0 && peak >= 0 ? ((double)(peak - free0) / a.Rows).ToString("F0", Inv) : "";
        string levels = r.Amg is { } s ? $"{s.Levels} | {s.OperatorComplexity.ToString("F3", Inv)}" : " | ";
        Console.WriteLine(string.Create(Inv, $"| {name} | {a.Rows} | ours {(precond == "amg" ? "AMG" : "Jacobi")}-PCG | {setup:F3} | {total - setup:F3} | {total:F3} | {r.Iterations} | {r.FinalRelativeResidual:E1} | {levels} | {bytes} |"));
        if (!r.Converged) Console.WriteLine($"(not converged: {r.Reason})");
    }

    /// <summary>JIT of both paths (host and device kernels) on a small problem, outside the clock.</summary>
    private static void Warm(Device device)
    {
        using var small = SparseTensor.Poisson2D<double>(64).To(device);
        using var b = Tensor<double>.Ones([small.Rows], device);
        foreach (var p in new[] { "amg", "jacobi" })
            small.Solve(b, new SolveOptions { Method = SolveMethod.CG, Preconditioner = p }).Solution.Dispose();
        using var small3 = SparseTensor.Poisson3D<double>(20).To(device);
        using var b3 = Tensor<double>.Ones([small3.Rows], device);
        small3.Solve(b3, new SolveOptions { Method = SolveMethod.CG, Preconditioner = "amg" }).Solution.Dispose();
    }

    private static SolveOptions Options() => new() { RelativeTolerance = 1e-8, MaxIterations = 100_000 };

    private static long Live(Backend be) => be is IlgpuBackend g ? g.LiveBytes : -1;
}
