using System.Numerics;
using System.Text;
using static System.FormattableString;

namespace TorchSla.IO;

/// <summary>
/// Reads and writes Matrix Market files (<c>.mtx</c>; Boisvert, Pozo and Remington, NIST IR 5935):
/// coordinate and array formats; real, integer and pattern fields (complex files are recognised
/// and rejected with a clear message until complex values are supported); general, symmetric,
/// skew-symmetric and hermitian storage, expanded to the full matrix when read.
/// </summary>
/// <remarks>
/// Readers accept the banner in any case, comment (<c>%</c>) and blank lines anywhere after the
/// banner, and any run of blanks between numbers. NaN and infinite values in a file are read as
/// they are (solvers reject them later). Duplicate coordinate entries are summed, like every
/// other COO input. Every malformed input raises <see cref="MatrixFormatException"/> with the
/// 1-based line number.
/// </remarks>
public static class MatrixMarket
{
    private static readonly UTF8Encoding Utf8NoBom = new(false);

    // ------------------------------------------------------------------ reading

    /// <summary>Reads the banner and size line of a file (complex files included), without its entries.</summary>
    /// <exception cref="MatrixFormatException">The banner or size line is malformed.</exception>
    public static MatrixMarketHeader ReadHeader(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path, Utf8NoBom, detectEncodingFromByteOrderMarks: true);
        return ReadHeader(reader, path);
    }

    /// <summary>Reads the banner and size line from a reader, without the entries.</summary>
    /// <param name="reader">The text, positioned at the banner.</param>
    /// <param name="sourceName">Name used in error messages (e.g. the file path).</param>
    /// <exception cref="MatrixFormatException">The banner or size line is malformed.</exception>
    public static MatrixMarketHeader ReadHeader(TextReader reader, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return MatrixMarketParser.ReadHeader(new TextLineReader(reader, sourceName), sourceName).Header;
    }

    /// <summary>
    /// Reads a coordinate or array file into a sparse tensor <c>[M, N]</c>. Symmetric,
    /// skew-symmetric (mirror negated) and hermitian storage is expanded to the full matrix;
    /// pattern entries are 1; integers are converted; zeros of an array file are not stored.
    /// The tensor remembers the file's entry order (its COO entries are the file's entries, each
    /// followed by its mirror when the storage is symmetric).
    /// </summary>
    /// <typeparam name="T"><see cref="double"/> or <see cref="float"/> (values are parsed directly in T).</typeparam>
    /// <exception cref="MatrixFormatException">The file is malformed or complex; the message has the line.</exception>
    public static SparseTensor<T> Read<T>(string path) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path, Utf8NoBom, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        return Read<T>(reader, path);
    }

    /// <summary>Reads a coordinate or array matrix from a reader (see <see cref="Read{T}(string)"/>).</summary>
    /// <param name="reader">The text, positioned at the banner.</param>
    /// <param name="sourceName">Name used in error messages (e.g. the file path).</param>
    /// <exception cref="MatrixFormatException">The text is malformed or complex; the message has the line.</exception>
    public static SparseTensor<T> Read<T>(TextReader reader, string? sourceName = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(reader);
        var lr = new TextLineReader(reader, sourceName);
        var p = MatrixMarketParser.ReadHeader(lr, sourceName);
        MatrixMarketParser.RejectComplex(p, sourceName);
        var h = p.Header;
        int[] shape = [h.Rows, h.Cols];
        if (h.Format == MatrixMarketFormat.Coordinate)
        {
            var t = MatrixMarketParser.ReadCoordinate<T>(lr, p, sourceName);
            return new SparseTensor<T>(t.Value.AsSpan(), t.Row.AsSpan(), t.Col.AsSpan(), shape, allowNonFinite: true);
        }
        var values = MatrixMarketParser.ReadArray<T>(lr, p, sourceName);
        var row = new List<int>(); var col = new List<int>(); var val = new List<T>();
        MatrixMarketParser.ForEachArrayEntry(h, values.AsSpan(), (i, j, v) =>
        {
            if (v == T.Zero) return;
            row.Add(i); col.Add(j); val.Add(v);
        });
        return new SparseTensor<T>(val.ToArray(), row.ToArray(), col.ToArray(), shape, allowNonFinite: true);
    }

    /// <summary>
    /// Reads an array or coordinate file into a dense tensor <c>[M, N]</c>, or <c>[M]</c> when
    /// N = 1 (a right-hand side). Symmetric storage is expanded; duplicate coordinate entries are summed.
    /// </summary>
    /// <exception cref="MatrixFormatException">The file is malformed, complex, or too large for a dense tensor.</exception>
    public static Tensor<T> ReadDense<T>(string path) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path, Utf8NoBom, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        return ReadDense<T>(reader, path);
    }

    /// <summary>Reads a dense tensor from a reader (see <see cref="ReadDense{T}(string)"/>).</summary>
    /// <param name="reader">The text, positioned at the banner.</param>
    /// <param name="sourceName">Name used in error messages (e.g. the file path).</param>
    /// <exception cref="MatrixFormatException">The text is malformed, complex, or too large for a dense tensor.</exception>
    public static Tensor<T> ReadDense<T>(TextReader reader, string? sourceName = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(reader);
        var lr = new TextLineReader(reader, sourceName);
        var p = MatrixMarketParser.ReadHeader(lr, sourceName);
        MatrixMarketParser.RejectComplex(p, sourceName);
        var h = p.Header;
        long total = (long)h.Rows * h.Cols;
        if (total > Array.MaxLength)
            throw new MatrixFormatException(Invariant($"a dense {h.Rows}×{h.Cols} tensor has more than {Array.MaxLength:N0} elements"), p.SizeLine, sourceName);
        int[] shape = h.Cols == 1 ? [h.Rows] : [h.Rows, h.Cols];
        int cols = h.Cols;
        T[] dense;
        if (h.Format == MatrixMarketFormat.Coordinate)
        {
            // Entries are read (and counted against the file) before the dense array is allocated.
            var t = MatrixMarketParser.ReadCoordinate<T>(lr, p, sourceName);
            dense = new T[total];
            for (int k = 0; k < t.Row.Count; k++) dense[(long)t.Row[k] * cols + t.Col[k]] += t.Value[k];
        }
        else
        {
            var values = MatrixMarketParser.ReadArray<T>(lr, p, sourceName);
            var d = new T[total];
            MatrixMarketParser.ForEachArrayEntry(h, values.AsSpan(), (i, j, v) => d[(long)i * cols + j] = v);
            dense = d;
        }
        return Tensor<T>.FromSpan(dense, shape);
    }

    // ------------------------------------------------------------------ writing

    /// <summary>
    /// Writes a single matrix in coordinate real format, values in shortest round-trip form (a
    /// file read back gives bit-identical values). With <see cref="MatrixMarketSymmetry.Symmetric"/>
    /// (A = Aᵀ) or <see cref="MatrixMarketSymmetry.SkewSymmetric"/> (A = −Aᵀ) only the lower triangle
    /// is written (the strictly lower one for skew), after checking that the matrix has that
    /// symmetry exactly (a missing mirror counts as 0). The file is not created when a check fails.
    /// </summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="a">The matrix (not batched).</param>
    /// <param name="symmetry">General, Symmetric or SkewSymmetric.</param>
    /// <param name="comment">Optional text written as <c>%</c> comment lines after the banner.</param>
    /// <exception cref="ArgumentException">The tensor is batched, the symmetry is hermitian, or the matrix lacks the claimed symmetry.</exception>
    public static void Write<T>(string path, SparseTensor<T> a, MatrixMarketSymmetry symmetry = MatrixMarketSymmetry.General, string? comment = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        var plan = MatrixMarketWriter.Plan(a, symmetry);
        using var writer = new StreamWriter(path, false, Utf8NoBom, 1 << 16);
        MatrixMarketWriter.WriteCoordinate(writer, plan, symmetry, comment);
    }

    /// <summary>Writes a single matrix in coordinate real format to a writer (see <see cref="Write{T}(string, SparseTensor{T}, MatrixMarketSymmetry, string?)"/>).</summary>
    /// <exception cref="ArgumentException">The tensor is batched, the symmetry is hermitian, or the matrix lacks the claimed symmetry.</exception>
    public static void Write<T>(TextWriter writer, SparseTensor<T> a, MatrixMarketSymmetry symmetry = MatrixMarketSymmetry.General, string? comment = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(writer);
        MatrixMarketWriter.WriteCoordinate(writer, MatrixMarketWriter.Plan(a, symmetry), symmetry, comment);
    }

    /// <summary>
    /// Writes a dense tensor <c>[M, N]</c> (or a vector <c>[M]</c>, as M×1) in array real general
    /// format: all values, column after column, in shortest round-trip form.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The tensor is not of rank 1 or 2.</exception>
    public static void WriteDense<T>(string path, Tensor<T> t) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        MatrixMarketWriter.CheckDense(t);
        using var writer = new StreamWriter(path, false, Utf8NoBom, 1 << 16);
        MatrixMarketWriter.WriteArray(writer, t);
    }

    /// <summary>Writes a dense tensor in array real general format to a writer (see <see cref="WriteDense{T}(string, Tensor{T})"/>).</summary>
    /// <exception cref="ShapeMismatchException">The tensor is not of rank 1 or 2.</exception>
    public static void WriteDense<T>(TextWriter writer, Tensor<T> t) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(writer);
        MatrixMarketWriter.CheckDense(t);
        MatrixMarketWriter.WriteArray(writer, t);
    }
}
