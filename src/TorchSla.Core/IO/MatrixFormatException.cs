namespace TorchSla.IO;

/// <summary>
/// A Matrix Market file that does not follow the format: the message names the file, the
/// 1-based line and the problem, e.g. <c>west.mtx line 12: column index 70 is out of range [1, 67]</c>.
/// </summary>
public class MatrixFormatException : FormatException
{
    private string? _source;

    /// <summary>Creates the exception for a problem at <paramref name="line"/> of <paramref name="source"/>.</summary>
    /// <param name="problem">What is wrong, without the location (it is prefixed).</param>
    /// <param name="line">1-based line number, 0 when no line applies.</param>
    /// <param name="source">The file path or a name of the input, or null.</param>
    public MatrixFormatException(string problem, int line, string? source)
        : base(Locate(problem, line, source))
    {
        Line = line;
        _source = source;
        Problem = problem;
    }

    /// <summary>Creates the exception.</summary>
    public MatrixFormatException() { }

    /// <summary>Creates the exception with a message.</summary>
    public MatrixFormatException(string message) : base(message) { Problem = message; }

    /// <summary>Creates the exception with a message and the cause.</summary>
    public MatrixFormatException(string message, Exception inner) : base(message, inner) { Problem = message; }

    /// <summary>1-based line number of the problem, or 0 when no line applies.</summary>
    public int Line { get; }

    /// <summary>The path (or name) of the input the problem is in, or null when unknown.</summary>
    public override string? Source { get => _source; set => _source = value; }

    /// <summary>The problem alone, without file name and line.</summary>
    public string Problem { get; } = "";

    private static string Locate(string problem, int line, string? source)
    {
        string name = source is null ? "" : Path.GetFileName(source);
        string where = (name.Length > 0, line > 0) switch
        {
            (true, true) => $"{name} line {line}: ",
            (true, false) => $"{name}: ",
            (false, true) => $"line {line}: ",
            _ => "",
        };
        return where + problem;
    }
}
