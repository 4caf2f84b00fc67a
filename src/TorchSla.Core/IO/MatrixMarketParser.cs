using System.Globalization;
using System.Numerics;
using static System.FormattableString;

namespace TorchSla.IO;

/// <summary>
/// The Matrix Market parser (format of Boisvert, Pozo and Remington, "The Matrix Market
/// Exchange Formats: Initial Design", NIST IR 5935, 1996): banner, comment lines, size line,
/// then coordinate entries or column-major array values. Comment and blank lines are accepted
/// anywhere after the banner (real files put them between entries too). Every problem is a
/// <see cref="MatrixFormatException"/> carrying the line number.
/// </summary>
internal static class MatrixMarketParser
{
    /// <summary>The header and the line the size line was found on.</summary>
    internal readonly record struct Parsed(MatrixMarketHeader Header, int SizeLine);

    /// <summary>Coordinate entries after symmetric expansion: 0-based indices and values.</summary>
    internal sealed class Triplets<T>
    {
        public GrowableArray<int> Row;
        public GrowableArray<int> Col;
        public GrowableArray<T> Value;
    }

    private const string BannerHelp = "%%MatrixMarket matrix <coordinate|array> <real|integer|pattern|complex> <general|symmetric|skew-symmetric|hermitian>";

    // ------------------------------------------------------------------ header

    public static Parsed ReadHeader(TextLineReader lr, string? source)
    {
        if (!lr.TryReadLine(out var banner))
            throw new MatrixFormatException($"the input is empty: expected the banner '{BannerHelp}'", 1, source);
        if (banner.Length > 0 && banner[0] == '\uFEFF') banner = banner[1..]; // a byte-order mark left by the caller's reader
        Span<Range> tok = stackalloc Range[6];
        int n = Split(banner, tok);
        if (n == 0 || !banner[tok[0]].Equals("%%MatrixMarket", StringComparison.OrdinalIgnoreCase))
            throw new MatrixFormatException($"bad banner '{Clip(banner)}': the file must start with '{BannerHelp}'", 1, source);
        if (n != 5)
            throw new MatrixFormatException($"the banner has {n} words, expected 5: '{BannerHelp}'", 1, source);
        var obj = banner[tok[1]];
        if (!obj.Equals("matrix", StringComparison.OrdinalIgnoreCase))
            throw new MatrixFormatException($"object '{obj}' is not supported: expected 'matrix'", 1, source);

        var fmtTok = banner[tok[2]];
        MatrixMarketFormat format =
            fmtTok.Equals("coordinate", StringComparison.OrdinalIgnoreCase) ? MatrixMarketFormat.Coordinate
            : fmtTok.Equals("array", StringComparison.OrdinalIgnoreCase) ? MatrixMarketFormat.Array
            : throw new MatrixFormatException($"unknown format '{fmtTok}': expected coordinate or array", 1, source);

        var fieldTok = banner[tok[3]];
        MatrixMarketField field =
            fieldTok.Equals("real", StringComparison.OrdinalIgnoreCase) ? MatrixMarketField.Real
            : fieldTok.Equals("integer", StringComparison.OrdinalIgnoreCase) ? MatrixMarketField.Integer
            : fieldTok.Equals("pattern", StringComparison.OrdinalIgnoreCase) ? MatrixMarketField.Pattern
            : fieldTok.Equals("complex", StringComparison.OrdinalIgnoreCase) ? MatrixMarketField.Complex
            : throw new MatrixFormatException($"unknown field '{fieldTok}': expected real, integer, pattern or complex", 1, source);

        var symTok = banner[tok[4]];
        MatrixMarketSymmetry symmetry =
            symTok.Equals("general", StringComparison.OrdinalIgnoreCase) ? MatrixMarketSymmetry.General
            : symTok.Equals("symmetric", StringComparison.OrdinalIgnoreCase) ? MatrixMarketSymmetry.Symmetric
            : symTok.Equals("skew-symmetric", StringComparison.OrdinalIgnoreCase) ? MatrixMarketSymmetry.SkewSymmetric
            : symTok.Equals("hermitian", StringComparison.OrdinalIgnoreCase) ? MatrixMarketSymmetry.Hermitian
            : throw new MatrixFormatException($"unknown symmetry '{symTok}': expected general, symmetric, skew-symmetric or hermitian", 1, source);

        if (field == MatrixMarketField.Pattern && format == MatrixMarketFormat.Array)
            throw new MatrixFormatException("the pattern field needs the coordinate format (an array file has values)", 1, source);
        if (field == MatrixMarketField.Pattern && symmetry == MatrixMarketSymmetry.SkewSymmetric)
            throw new MatrixFormatException("a pattern matrix cannot be skew-symmetric (it has no values to negate)", 1, source);

        // Size line: the first line that is neither blank nor a comment.
        ReadOnlySpan<char> line;
        do
        {
            if (!lr.TryReadLine(out line))
                throw new MatrixFormatException(
                    format == MatrixMarketFormat.Coordinate ? "the file ends before the size line 'rows columns entries'" : "the file ends before the size line 'rows columns'",
                    lr.LineNumber + 1, source);
        } while (IsBlankOrComment(line));
        int sizeLine = lr.LineNumber;
        int want = format == MatrixMarketFormat.Coordinate ? 3 : 2;
        n = Split(line, tok);
        if (n != want)
            throw new MatrixFormatException(
                $"the size line has {n} words, expected {want} integers ({(want == 3 ? "rows columns entries" : "rows columns")})", sizeLine, source);
        int rows = ParseSize(line[tok[0]], "rows", Array.MaxLength - 1, sizeLine, source);
        int cols = ParseSize(line[tok[1]], "columns", Array.MaxLength - 1, sizeLine, source);
        long entries;
        if (format == MatrixMarketFormat.Coordinate)
            entries = ParseSize(line[tok[2]], "entries", Array.MaxLength, sizeLine, source);
        else
            entries = symmetry switch
            {
                MatrixMarketSymmetry.General => (long)rows * cols,
                MatrixMarketSymmetry.SkewSymmetric => (long)rows * (rows - 1) / 2,
                _ => (long)rows * (rows + 1) / 2,
            };
        if (symmetry != MatrixMarketSymmetry.General && rows != cols)
            throw new MatrixFormatException($"a {Name(symmetry)} matrix must be square, the size line says {rows}×{cols}", sizeLine, source);
        return new Parsed(new MatrixMarketHeader(format, field, symmetry, rows, cols, entries), sizeLine);
    }

    /// <summary>Rejects complex files for the real readers (line 1, where the banner says so).</summary>
    public static void RejectComplex(in Parsed p, string? source)
    {
        if (p.Header.Field == MatrixMarketField.Complex)
            throw new MatrixFormatException("complex matrices are not supported yet (the field is 'complex'); only real, integer and pattern files can be read", 1, source);
    }

    private static int ParseSize(ReadOnlySpan<char> s, string what, int max, int line, string? source)
    {
        if (!long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
            throw new MatrixFormatException($"the size line's {what} '{Clip(s)}' is not an integer", line, source);
        if (v < 0)
            throw new MatrixFormatException($"the size line's {what} is negative ({v})", line, source);
        if (v > max)
            throw new MatrixFormatException(Invariant($"the size line's {what} ({v:N0}) exceeds the supported maximum {max:N0}"), line, source);
        return (int)v;
    }

    // ------------------------------------------------------------------ coordinate entries

    /// <summary>Reads the entry lines of a coordinate file, expanding symmetric storage to the full matrix.</summary>
    public static Triplets<T> ReadCoordinate<T>(TextLineReader lr, in Parsed p, string? source)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var h = p.Header;
        bool mirror = h.Symmetry != MatrixMarketSymmetry.General;
        long expected = mirror ? 2 * h.Entries : h.Entries;
        var t = new Triplets<T> { Row = new(expected), Col = new(expected), Value = new(expected) };
        int want = h.Field == MatrixMarketField.Pattern ? 2 : 3;
        string layout = want == 2 ? "row column" : "row column value";
        Span<Range> tok = stackalloc Range[4];
        long count = 0;
        while (lr.TryReadLine(out var line))
        {
            if (IsBlankOrComment(line)) continue;
            int ln = lr.LineNumber;
            if (count == h.Entries)
                throw new MatrixFormatException(Invariant($"more entries than the {h.Entries:N0} the size line (line {p.SizeLine}) declares"), ln, source);
            int n = Split(line, tok);
            if (n != want)
                throw new MatrixFormatException($"expected {want} numbers ({layout}), found {n}", ln, source);
            int r = ParseIndex(line[tok[0]], "row", h.Rows, ln, source);
            int c = ParseIndex(line[tok[1]], "column", h.Cols, ln, source);
            T v = want == 2 ? T.One : ParseValue<T>(line[tok[2]], h.Field, ln, source);
            if (h.Symmetry == MatrixMarketSymmetry.SkewSymmetric && r == c)
                throw new MatrixFormatException($"a skew-symmetric file stores no diagonal entries, found ({r + 1}, {c + 1})", ln, source);
            Add(t, r, c, v, ln, source);
            // Symmetric storage keeps one triangle; the mirror entry is implied (negated for skew).
            // Entries of either triangle are mirrored, as SciPy's mmread does.
            if (mirror && r != c)
                Add(t, c, r, h.Symmetry == MatrixMarketSymmetry.SkewSymmetric ? -v : v, ln, source);
            count++;
        }
        if (count < h.Entries)
            throw new MatrixFormatException(Invariant($"the file ends after {count:N0} of the {h.Entries:N0} entries the size line declares (truncated?)"), lr.LineNumber + 1, source);
        return t;
    }

    private static void Add<T>(Triplets<T> t, int r, int c, T v, int line, string? source)
    {
        if (!t.Row.TryAdd(r) || !t.Col.TryAdd(c) || !t.Value.TryAdd(v))
            throw new MatrixFormatException(Invariant($"more than {Array.MaxLength:N0} entries after symmetric expansion"), line, source);
    }

    // ------------------------------------------------------------------ array values

    /// <summary>Reads the values of an array file in file order (column-major, stored triangle only).</summary>
    public static GrowableArray<T> ReadArray<T>(TextLineReader lr, in Parsed p, string? source)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var h = p.Header;
        var values = new GrowableArray<T>(h.Entries);
        Span<Range> tok = stackalloc Range[2];
        long count = 0;
        while (lr.TryReadLine(out var line))
        {
            if (IsBlankOrComment(line)) continue;
            int ln = lr.LineNumber;
            if (count == h.Entries)
                throw new MatrixFormatException(Invariant($"more values than the {h.Entries:N0} a {h.Rows}×{h.Cols} {Name(h.Symmetry)} array holds"), ln, source);
            int n = Split(line, tok);
            if (n != 1)
                throw new MatrixFormatException($"expected 1 value per line in an array file, found {n}", ln, source);
            if (!values.TryAdd(ParseValue<T>(line[tok[0]], h.Field, ln, source)))
                throw new MatrixFormatException(Invariant($"more than {Array.MaxLength:N0} values"), ln, source);
            count++;
        }
        if (count < h.Entries)
            throw new MatrixFormatException(Invariant($"the file ends after {count:N0} of the {h.Entries:N0} values a {h.Rows}×{h.Cols} {Name(h.Symmetry)} array holds (truncated?)"), lr.LineNumber + 1, source);
        return values;
    }

    /// <summary>
    /// Calls <paramref name="visit"/>(i, j, v) for every entry of the full matrix stored in an
    /// array file's values (column-major; symmetric storage has the lower triangle, skew the strictly lower one).
    /// </summary>
    public static void ForEachArrayEntry<T>(in MatrixMarketHeader h, ReadOnlySpan<T> values, Action<int, int, T> visit)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = 0;
        for (int j = 0; j < h.Cols; j++)
        {
            int first = h.Symmetry switch
            {
                MatrixMarketSymmetry.General => 0,
                MatrixMarketSymmetry.SkewSymmetric => j + 1,
                _ => j,
            };
            for (int i = first; i < h.Rows; i++)
            {
                T v = values[k++];
                visit(i, j, v);
                if (h.Symmetry != MatrixMarketSymmetry.General && i != j)
                    visit(j, i, h.Symmetry == MatrixMarketSymmetry.SkewSymmetric ? -v : v);
            }
        }
    }

    // ------------------------------------------------------------------ tokens and numbers

    private static int ParseIndex(ReadOnlySpan<char> s, string what, int bound, int line, string? source)
    {
        // Fast path for the common case (1 to 9 plain digits); anything else goes through the
        // general parser, which also produces the error messages.
        if (s.Length is > 0 and <= 9)
        {
            int acc = 0, k = 0;
            for (; k < s.Length; k++)
            {
                int digit = s[k] - '0';
                if ((uint)digit > 9) break;
                acc = acc * 10 + digit;
            }
            if (k == s.Length && acc >= 1 && acc <= bound) return acc - 1;
        }
        if (!long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
            throw new MatrixFormatException($"{what} index '{Clip(s)}' is not an integer", line, source);
        if (v < 1 || v > bound)
            throw new MatrixFormatException($"{what} index {v} is out of range [1, {bound}]", line, source);
        return (int)(v - 1);
    }

    private static T ParseValue<T>(ReadOnlySpan<char> s, MatrixMarketField field, int line, string? source)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (field == MatrixMarketField.Integer)
        {
            if (!long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long iv))
                throw new MatrixFormatException($"value '{Clip(s)}' is not an integer (the field is 'integer')", line, source);
            return T.CreateTruncating(iv);
        }
        if (!TryParseReal(s, out T v))
            throw new MatrixFormatException($"value '{Clip(s)}' is not a number", line, source);
        return v;
    }

    /// <summary>
    /// Parses a real directly in the target type (no double rounding for float), accepting the
    /// spellings other writers use for non-finite values (nan, inf, infinity, any case, signed)
    /// and Fortran's D exponent (1.5D+03).
    /// </summary>
    internal static bool TryParseReal<T>(ReadOnlySpan<char> s, out T value) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (T.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return true;
        var body = s;
        bool negative = false;
        if (body.Length > 0 && (body[0] == '+' || body[0] == '-')) { negative = body[0] == '-'; body = body[1..]; }
        if (body.Equals("nan", StringComparison.OrdinalIgnoreCase)) { value = T.NaN; return true; }
        if (body.Equals("inf", StringComparison.OrdinalIgnoreCase) || body.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = negative ? T.NegativeInfinity : T.PositiveInfinity;
            return true;
        }
        if (s.Length <= 64 && s.IndexOfAny('d', 'D') >= 0)
        {
            Span<char> copy = stackalloc char[s.Length];
            s.CopyTo(copy);
            copy.Replace('d', 'e');
            copy.Replace('D', 'E');
            return T.TryParse(copy, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
        value = default;
        return false;
    }

    internal static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\f' or '\v';

    internal static bool IsBlankOrComment(ReadOnlySpan<char> line)
    {
        foreach (char c in line)
        {
            if (IsSpace(c)) continue;
            return c == '%';
        }
        return true;
    }

    /// <summary>Splits on blanks; returns the number of words (ranges beyond <paramref name="tokens"/>' length are counted, not stored).</summary>
    internal static int Split(ReadOnlySpan<char> line, Span<Range> tokens)
    {
        int n = 0, i = 0;
        while (true)
        {
            while (i < line.Length && IsSpace(line[i])) i++;
            if (i == line.Length) return n;
            int start = i;
            while (i < line.Length && !IsSpace(line[i])) i++;
            if (n < tokens.Length) tokens[n] = start..i;
            n++;
        }
    }

    private static string Clip(ReadOnlySpan<char> s) => s.Length <= 40 ? s.ToString() : string.Concat(s[..40], "...");

    internal static string Name(MatrixMarketSymmetry s) => s switch
    {
        MatrixMarketSymmetry.General => "general",
        MatrixMarketSymmetry.Symmetric => "symmetric",
        MatrixMarketSymmetry.SkewSymmetric => "skew-symmetric",
        _ => "hermitian",
    };
}
