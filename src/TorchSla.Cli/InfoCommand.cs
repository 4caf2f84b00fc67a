using System.Numerics;
using System.Text.Json;

namespace TorchSla.Cli;

/// <summary>
/// <c>torchsla info MATRIX [--dtype ...] [--json]</c>: shape, nnz, symmetry
/// (<see cref="SparseTensor{T}.IsSymmetric"/>), definiteness
/// (<see cref="SparseTensor{T}.CheckPositiveDefinite"/>: a sparse Cholesky, or a Lanczos estimate
/// when the factor would be too large) and torch-sla's matrix type.
/// </summary>
internal static class InfoCommand
{
    public static int Run(string[] args, TextWriter stdout)
    {
        var o = CliOptions.Parse("info", args, new HashSet<string> { "dtype" }, new HashSet<string> { "json" });
        if (o.Positionals.Count != 1) throw new CliUsageException($"info needs exactly one MATRIX ({MatrixSource.Forms} or a file)");
        return CliApp.ParseDType(o.Text("dtype")) == DType.Float64
            ? Info<double>(o.Positionals[0], o.Flag("json"), stdout)
            : Info<float>(o.Positionals[0], o.Flag("json"), stdout);
    }

    private static string Describe(DefinitenessReport r) => r.Method switch
    {
        DefinitenessMethod.NotSquare => "n/a (not square)",
        DefinitenessMethod.NotSymmetric => "n/a (not symmetric)",
        _ => $"{(r.IsPositiveDefinite ? "positive definite" : "not positive definite")}" +
             $" ({(r.Certain ? "" : "likely, ")}by {r.Method.ToString().ToLowerInvariant()}: {r.Detail})",
    };

    private static int Info<T>(string spec, bool json, TextWriter stdout) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var a = MatrixSource.Load<T>(spec, Device.Cpu);
        bool symmetric = a.IsSymmetric();
        var pd = a.CheckPositiveDefinite();
        string definiteness = Describe(pd);
        var type = !a.IsSquare || a.Nnz == 0 || !symmetric ? MatrixType.General
            : pd.IsPositiveDefinite ? MatrixType.SymmetricPositiveDefinite : MatrixType.Symmetric;
        double density = a.Rows == 0 || a.Cols == 0 ? 0 : (double)a.Nnz / ((double)a.Rows * a.Cols);
        if (json)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms))
            {
                w.WriteStartObject();
                w.WriteString("matrix", spec);
                w.WriteStartArray("shape");
                foreach (int d in a.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteNumber("rows", a.Rows);
                w.WriteNumber("cols", a.Cols);
                w.WriteNumber("nnz", a.Nnz);
                w.WriteString("dtype", a.DType.Name());
                w.WriteBoolean("symmetric", symmetric);
                w.WriteBoolean("positive_definite", pd.IsPositiveDefinite);
                w.WriteString("definiteness", definiteness);
                w.WriteString("matrix_type", type.ToTorchSlaString());
                w.WriteEndObject();
            }
            stdout.WriteLine(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
            return CliApp.Ok;
        }
        stdout.WriteLine($"matrix        {spec}");
        stdout.WriteLine($"shape         [{string.Join(", ", a.Shape)}]{(a.IsBatched ? $" ({a.BatchSize} matrices, one pattern)" : "")}");
        stdout.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"nnz           {a.Nnz:N0} stored per matrix (density {density:G3})"));
        stdout.WriteLine($"dtype         {a.DType.Name()}");
        stdout.WriteLine($"symmetric     {(symmetric ? "yes" : "no")}");
        stdout.WriteLine($"definiteness  {definiteness}");
        stdout.WriteLine($"matrix type   {type.ToTorchSlaString()} (torch-sla detect_matrix_type)");
        return CliApp.Ok;
    }
}
