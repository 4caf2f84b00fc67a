using System.Diagnostics;
using TorchSla.Solvers.Direct;

namespace TorchSla.Bench.Direct;

/// <summary>
/// <c>direct dense R K [1]</c>: times the dense front kernels on one R×R SPD front — the packed Schur update
/// (R−K)²·K·2 flops and <see cref="DenseFrontKernels.PartialCholesky"/> over K columns (Σ_j c_j² flops, c_j = R − j) —
/// to see how far they are from the core's peak. Pass 1 for one thread. Reports the best of several runs by wall
/// time and by process CPU time (the latter is what a loaded shared machine leaves meaningful for one thread).
/// </summary>
internal static class DenseKernelBench
{
    public static void Run(int r, int k, bool parallel)
    {
        var rng = new Random(1);
        var f0 = new double[(long)r * r];
        for (int j = 0; j < r; j++)
            for (int i = j; i < r; i++) f0[i + (long)j * r] = i == j ? r : rng.NextDouble() - 0.5;
        var f = new double[f0.Length];
        Array.Copy(f0, f, f0.Length);
        var w = new double[(long)(r - k) * k];
        for (int i = 0; i < w.Length; i++) w[i] = rng.NextDouble();
        var (gw, gc) = Best(20, () => DenseFrontKernels.Update(f, r, k, r - k, k, r - k, 0, k, w, r - k, lowerOnly: false, parallel), null);
        double gflops = 2.0 * (r - k) * (r - k) * k;
        Console.WriteLine($"packed GEMM update {r - k}x{r - k}x{k}: wall {gw * 1e3:F2} ms {gflops / gw / 1e9:F1} GFlop/s, cpu {gc * 1e3:F2} ms {gflops / gc / 1e9:F1} GFlop/s");
        double flops = 0;
        for (int j = 0; j < k; j++) { double c = r - j; flops += c * c; }
        int m = r - k;
        var u = new double[(long)m * m];
        var (cw, cc) = Best(5, () =>
        {
            if (DenseFrontKernels.PartialCholesky(f, 0, r, k, u, 0, parallel).FailedColumn >= 0) throw new InvalidOperationException("not SPD");
        }, () =>
        {
            Array.Copy(f0, f, (long)r * k);
            for (int j = 0; j < m; j++) Array.Copy(f0, k + (long)(k + j) * r, u, (long)j * m, m);
        });
        Console.WriteLine($"partial Cholesky r={r} k={k} parallel={parallel} avx512={System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}: wall {cw * 1e3:F2} ms {flops / cw / 1e9:F1} GFlop/s, cpu {cc * 1e3:F2} ms {flops / cc / 1e9:F1} GFlop/s");

        // The same front as an unsymmetric one for the multifrontal LU (full square, diagonally dominant so that every
        // diagonal passes the threshold test): its three pieces as MultifrontalLu keeps them; flops Σ_p (t + 2t²), t = r − p − 1.
        var la = new double[(long)r * k]; var lu = new double[(long)k * (r - k)]; var lc = new double[(long)m * m];
        var ri = new int[r]; var ci = new int[r];
        double luFlops = 0;
        for (int p = 0; p < k; p++) { double t = r - p - 1; luFlops += t + 2 * t * t; }
        foreach (int small in new[] { 0, int.MaxValue })
        {
        MultifrontalLu.SmallFrontRows = small;
        var (lw, lcpu) = Best(r <= 300 ? 200 : 5, () =>
        {
            if (MultifrontalLu.PartialLu(la, lu, lc, r, k, ri, ci, 0.1, parallel) != k) throw new InvalidOperationException("pivots were delayed");
        }, () =>
        {
            for (int i = 0; i < r; i++) ri[i] = ci[i] = i;
            for (int j = 0; j < r; j++)
                for (int i = 0; i < r; i++)
                {
                    double v = i >= j ? f0[i + (long)j * r] : f0[j + (long)i * r] * 0.7;   // unsymmetric values
                    if (j < k) la[i + (long)j * r] = v; else if (i < k) lu[i + (long)(j - k) * k] = v; else lc[i - k + (long)(j - k) * m] = v;
                }
        });
        Console.WriteLine($"partial LU r={r} k={k} parallel={parallel} {(small == 0 ? "blocked" : "unblocked")}: wall {lw * 1e3:F3} ms {luFlops / lw / 1e9:F1} GFlop/s, cpu {lcpu * 1e3:F3} ms {luFlops / lcpu / 1e9:F1} GFlop/s");
        }
    }

    private static (double Wall, double Cpu) Best(int reps, Action work, Action? reset)
    {
        double wall = double.MaxValue, cpu = double.MaxValue;
        var proc = Process.GetCurrentProcess();
        for (int rep = 0; rep < reps; rep++)
        {
            reset?.Invoke();
            proc.Refresh();
            var c0 = proc.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            work();
            wall = Math.Min(wall, sw.Elapsed.TotalSeconds);
            proc.Refresh();
            cpu = Math.Min(cpu, (proc.TotalProcessorTime - c0).TotalSeconds);
        }
        return (wall, cpu);
    }
}
