using System.Numerics;

namespace TorchSla.Bench;

/// <summary>
/// The benchmark matrices by name: <c>poisson2d:N</c> (the 5-point Laplacian on an N×N grid),
/// <c>random:N:L</c> (N×N, L random columns per row: long rows, scattered x accesses), or a
/// Matrix Market file under shared/matrices (read with <see cref="TorchSla.IO.MatrixMarket"/>).
/// </summary>
internal static class MatrixCatalog
{
    public static SparseTensor<T> Load<T>(string spec) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (spec.StartsWith("poisson2d:", StringComparison.Ordinal))
            return SparseTensor.Poisson2D<T>(int.Parse(spec["poisson2d:".Length..]));
        if (spec.StartsWith("random:", StringComparison.Ordinal))
        {
            // random:N:L — N×N, L entries per row at uniformly random distinct sorted columns (seeded).
            var f = spec.Split(':');
            int n = int.Parse(f[1]), len = int.Parse(f[2]);
            var rng = new Random(12345);
            var rowPtr = new int[n + 1]; var col = new int[(long)n * len]; var val = new T[col.Length];
            var row = new SortedSet<int>();
            for (int i = 0; i < n; i++)
            {
                row.Clear();
                while (row.Count < Math.Min(len, n)) row.Add(rng.Next(n));
                int p = rowPtr[i];
                foreach (int c in row) { col[p] = c; val[p++] = T.CreateTruncating(rng.NextDouble() - 0.5); }
                rowPtr[i + 1] = p;
            }
            return SparseTensor.FromCsr<T>(rowPtr, col, val, [n, n]);
        }
        return TorchSla.IO.MatrixMarket.Read<T>(SharedMatrix(spec));
    }

    /// <summary>Bytes one CSR SpMV moves at least: value + index per entry, row offsets, y once, x once.</summary>
    public static long SpMVBytes(int rows, int cols, long nnz, int valueSize) =>
        (valueSize + 4L) * nnz + 4L * (rows + 1) + (long)valueSize * (rows + cols);

    /// <summary>The path of a shared test matrix: walks up from the binaries (or TORCHSLA_SHARED).</summary>
    public static string SharedMatrix(string name)
    {
        var env = Environment.GetEnvironmentVariable("TORCHSLA_SHARED");
        if (!string.IsNullOrEmpty(env) && File.Exists(Path.Combine(env, "matrices", name))) return Path.Combine(env, "matrices", name);
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                foreach (var cand in new[] { Path.Combine(d.FullName, "shared", "matrices", name), Path.Combine(d.FullName, "..", "shared", "matrices", name) })
                    if (File.Exists(cand)) return Path.GetFullPath(cand);
        throw new FileNotFoundException($"matrix {name} not found under a shared/matrices folder above {AppContext.BaseDirectory} (set TORCHSLA_SHARED)");
    }
}
