using System.Globalization;

namespace TorchSla.Tests.IO;

/// <summary>
/// A deliberately simple, independent Matrix Market reader for tests (string.Split, no
/// validation): the banner words, the size line, and the coordinate triplets expanded to the
/// full matrix, as the NIST format description defines them.
/// </summary>
internal static class NaiveMatrixMarket
{
    internal sealed record Parsed(string Format, string Field, string Symmetry, int Rows, int Cols, long Declared,
        List<(int I, int J, double V)> Entries);

    public static Parsed Parse(string path)
    {
        var lines = File.ReadAllLines(path);
        var banner = lines[0].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        int k = 1;
        while (IsSkippable(lines[k])) k++;
        var size = lines[k++].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        string format = banner[2].ToLowerInvariant(), field = banner[3].ToLowerInvariant(), sym = banner[4].ToLowerInvariant();
        int rows = int.Parse(size[0], CultureInfo.InvariantCulture), cols = int.Parse(size[1], CultureInfo.InvariantCulture);
        long declared = format == "coordinate" ? long.Parse(size[2], CultureInfo.InvariantCulture) : (long)rows * cols;
        var entries = new List<(int, int, double)>();
        if (format != "coordinate" || field == "complex") return new Parsed(format, field, sym, rows, cols, declared, entries);
        for (; k < lines.Length; k++)
        {
            if (IsSkippable(lines[k])) continue;
            var t = lines[k].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            int i = int.Parse(t[0], CultureInfo.InvariantCulture) - 1, j = int.Parse(t[1], CultureInfo.InvariantCulture) - 1;
            double v = field == "pattern" ? 1.0 : Num(t[2]);
            entries.Add((i, j, v));
            if (sym != "general" && i != j) entries.Add((j, i, sym == "skew-symmetric" ? -v : v));
        }
        return new Parsed(format, field, sym, rows, cols, declared, entries);
    }

    private static bool IsSkippable(string line) => line.Trim().Length == 0 || line.TrimStart().StartsWith('%');

    private static double Num(string s) => s.Equals("nan", StringComparison.OrdinalIgnoreCase) ? double.NaN : double.Parse(s, CultureInfo.InvariantCulture);

    /// <summary>The full matrix as a map (i, j) → sum of the values given for that position.</summary>
    public static Dictionary<(int, int), double> Summed(Parsed p)
    {
        var d = new Dictionary<(int, int), double>();
        foreach (var (i, j, v) in p.Entries) d[(i, j)] = d.TryGetValue((i, j), out var s) ? s + v : v;
        return d;
    }
}
