using System.Globalization;
using System.Numerics;

namespace TorchSla.Cli;

/// <summary>
/// Turns the MATRIX argument into a sparse tensor: a generator (<c>poisson2d:N</c>,
/// <c>poisson3d:N</c>), a Matrix Market file (<c>.mtx</c>) or a torch-sla safetensors file
/// (<c>.safetensors</c>), both read by TorchSla.IO.
/// </summary>
internal static class MatrixSource
{
    public const string Forms = "FILE.mtx, FILE.safetensors, poisson2d:N, poisson3d:N";

    public static SparseTensor<T> Load<T>(string spec, Device device) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (TryGenerator(spec, out string kind, out int n))
            return kind == "poisson2d" ? SparseTensor.Poisson2D<T>(n, device) : SparseTensor.Poisson3D<T>(n, device);
        if (!File.Exists(spec))
            throw new CliUsageException(Directory.Exists(spec) ? $"'{spec}' is a directory, not a matrix file" : $"file not found: {spec}");
        string ext = Path.GetExtension(spec).ToLowerInvariant();
        return ext switch
        {
            ".mtx" or ".mm" => OnDevice(IO.MatrixMarket.Read<T>(spec), device),
            ".safetensors" => IO.SafeTensors.LoadSparse<T>(spec, device),
            _ => throw new CliUsageException($"'{spec}': unknown matrix file type '{ext}' (expected {Forms})"),
        };
    }

    /// <summary>The right-hand side: <c>ones</c>, <c>random</c> (uniform in [−1, 1), seeded) or a file.</summary>
    public static Tensor<T> Rhs<T>(string spec, int n, int seed, Device device) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (spec.ToLowerInvariant())
        {
            case "ones": return Tensor<T>.Ones([n], device);
            case "random": return Tensor<T>.Random([n], seed, device);
        }
        if (!File.Exists(spec)) throw new CliUsageException($"--rhs: expected ones, random or a .mtx file; file not found: {spec}");
        var b = IO.MatrixMarket.ReadDense<T>(spec);
        if (b.Rank != 1 || b.Length != n)
        {
            string shape = ShapeMismatchException.Format(b.ShapeSpan);
            b.Dispose();
            throw new CliUsageException($"--rhs {spec}: shape {shape} does not fit a matrix of {n} rows (expected [{n}])");
        }
        return b.To(device);
    }

    private static SparseTensor<T> OnDevice<T>(SparseTensor<T> a, Device device) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Device == device) return a;
        var moved = a.To(device);
        a.Dispose();
        return moved;
    }

    private static bool TryGenerator(string spec, out string kind, out int n)
    {
        kind = ""; n = 0;
        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0) return false;
        kind = spec[..colon].ToLowerInvariant();
        if (kind is not ("poisson2d" or "poisson3d")) return false;
        string arg = spec[(colon + 1)..];
        if (!int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out n) || n < 1)
            throw new CliUsageException($"{kind}:N needs a positive integer grid size N, got '{arg}'");
        long points = kind == "poisson2d" ? (long)n * n : (long)n * n * n;
        if (points * (kind == "poisson2d" ? 5 : 7) > Array.MaxLength)
            throw new CliUsageException($"{spec}: a grid of {points:N0} points is too large for 32-bit indices");
        return true;
    }
}
