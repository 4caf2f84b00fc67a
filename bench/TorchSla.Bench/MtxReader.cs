using System.Globalization;
using System.Numerics;

namespace TorchSla.Bench;

/// <summary>
/// A minimal Matrix Market coordinate reader for the benchmark's inputs (real/integer/pattern,
/// general/symmetric/skew-symmetric); the library's full reader lives in TorchSla.IO.
/// </summary>
internal static class MtxReader
{
    public static SparseTensor<T> Read<T>(string path) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var r = new StreamReader(path);
        string header = r.ReadLine() ?? throw new InvalidDataException($"{path}: empty file");
        var h = header.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (h.Length < 5 || h[0] != "%%matrixmarket" || h[1] != "matrix" || h[2] != "coordinate")
            throw new InvalidDataException($"{path}: line 1 is not a coordinate Matrix Market header");
        bool pattern = h[3] == "pattern", sym = h[4] == "symmetric", skew = h[4] == "skew-symmetric";
        string? line;
        int lineNo = 1;
        int[]? size = null;
        var rows = new List<int>(); var cols = new List<int>(); var vals = new List<T>();
        while ((line = r.ReadLine()) != null)
        {
            lineNo++;
            var t = line.Trim();
            if (t.Length == 0 || t[0] == '%') continue;
            var f = t.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (size == null) { size = [int.Parse(f[0]), int.Parse(f[1]), int.Parse(f[2])]; continue; }
            if (f.Length < (pattern ? 2 : 3)) throw new InvalidDataException($"{path}:{lineNo}: expected an entry, got '{t}'");
            int i = int.Parse(f[0]) - 1, j = int.Parse(f[1]) - 1;
            T v = pattern ? T.One : T.CreateTruncating(double.Parse(f[2], CultureInfo.InvariantCulture));
            rows.Add(i); cols.Add(j); vals.Add(v);
            if ((sym || skew) && i != j) { rows.Add(j); cols.Add(i); vals.Add(skew ? -v : v); }
        }
        if (size == null) throw new InvalidDataException($"{path}: no size line");
        return SparseTensor.FromCoo<T>(vals.ToArray(), rows.ToArray(), cols.ToArray(), [size[0], size[1]], allowNonFinite: true);
    }
}
