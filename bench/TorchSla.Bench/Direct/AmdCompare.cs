using System.Diagnostics;
using System.Globalization;
using TorchSla.Solvers.Direct;

namespace TorchSla.Bench.Direct;

/// <summary>
/// <c>amd-compare [2d:N | 3d:N | NAME.mtx | PATH.mtx ...] [--anchor PATH] [--reps R]</c>: our approximate minimum degree
/// against SuiteSparse's <c>amd_order</c> (the C anchor <c>bench/amd_order_bench.c</c>, built to /tmp/amd_order_bench)
/// on the same problems in one run. Ordering seconds are the best of R runs after a warm-up call (ours: on the pattern of
/// A + Aᵀ, which is what the analysis hands it; AMD's amd_order forms A + Aᵀ itself, inside its time). Both orderings'
/// nnz(L) and factorization flops are counted by the same exact symbolic analysis (the anchor writes its permutation).
/// Markdown rows on stdout.
/// </summary>
internal static class AmdCompare
{
    public static int Run(string[] args)
    {
        string anchor = "/tmp/amd_order_bench";
        int reps = 3;
        var problems = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--anchor") anchor = args[++i];
            else if (args[i] == "--reps") reps = int.Parse(args[++i], CultureInfo.InvariantCulture);
            else problems.Add(args[i]);
        }
        if (problems.Count == 0) problems = ["2d:1000", "3d:50", "494_bus.mtx", "bp_1200.mtx", "cryg2500.mtx", "hangGlider_2.mtx", "west0479.mtx", "olm1000.mtx"];
        Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, anchor {anchor}, best of {reps}");
        Console.WriteLine("| problem | n | nnz(A+Aᵀ) | ours s | AMD s | time ratio | ours nnz(L) | AMD nnz(L) | nnz(L) ratio | ours flops | AMD flops |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var spec in problems)
        {
            var (a, anchorArgs) = Load(spec);
            int n = a.Rows;
            var sym = a.Pattern.SymmetryPlan().Pattern;
            var ours = ApproximateMinimumDegree.Order(n, sym.RowPtr, sym.ColInd);   // warm-up (JIT)
            double best = double.MaxValue;
            for (int r = 0; r < reps; r++)
            {
                var sw = Stopwatch.StartNew();
                ours = ApproximateMinimumDegree.Order(n, sym.RowPtr, sym.ColInd);
                best = Math.Min(best, sw.Elapsed.TotalSeconds);
            }
            var so = SupernodalSymbolic.Analyze(a.Pattern, CholeskyOrdering.Natural, ours);
            string row = $"| {spec} | {n} | {sym.RowPtr[n]} | {best:G4} | ";
            var (amdSeconds, amdPerm, error) = RunAnchor(anchor, anchorArgs, reps);
            if (amdPerm is null)
            {
                Console.WriteLine(row + $"{error} | | {so.NnzLExact} | | | {so.Flops:E3} | |");
                continue;
            }
            var sa = SupernodalSymbolic.Analyze(a.Pattern, CholeskyOrdering.Natural, amdPerm);
            Console.WriteLine(row + $"{amdSeconds:G4} | {best / amdSeconds:F2} | {so.NnzLExact} | {sa.NnzLExact} | {(double)so.NnzLExact / sa.NnzLExact:F3} | {so.Flops:E3} | {sa.Flops:E3} |");
        }
        return 0;
    }

    private static (SparseTensor<double> A, string AnchorArgs) Load(string spec)
    {
        var parts = spec.Split(':');
        if (parts.Length == 2 && parts[0] is "2d" or "3d")
        {
            int g = int.Parse(parts[1], CultureInfo.InvariantCulture);
            return parts[0] == "2d" ? (SparseTensor.Poisson2D<double>(g), $"poisson2d {g}") : (SparseTensor.Poisson3D<double>(g), $"poisson3d {g}");
        }
        string path = File.Exists(spec) ? Path.GetFullPath(spec) : MatrixCatalog.SharedMatrix(spec);
        return (TorchSla.IO.MatrixMarket.Read<double>(path), $"\"{path}\"");
    }

    /// <summary>Runs the anchor with --perm and reads back its seconds and permutation (null and a reason when it cannot).</summary>
    private static (double Seconds, int[]? Perm, string Error) RunAnchor(string exe, string problemArgs, int reps)
    {
        if (!File.Exists(exe)) return (0, null, $"not built ({exe})");
        string permFile = Path.GetTempFileName();
        try
        {
            var psi = new ProcessStartInfo(exe, $"{problemArgs} --reps {reps} --perm {permFile}") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            // n=... nnz=... amd=0.3547s lnz=... ndense=...
            var kv = output.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(t => t.Split('=')).Where(t => t.Length == 2).ToDictionary(t => t[0], t => t[1]);
            if (p.ExitCode != 0 || !kv.TryGetValue("amd", out var s)) return (0, null, $"failed: {output.Trim()}");
            var perm = File.ReadAllLines(permFile).Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray();
            return (double.Parse(s.TrimEnd('s'), CultureInfo.InvariantCulture), perm, "");
        }
        finally { File.Delete(permFile); }
    }
}
