namespace TorchSla.IO;

/// <summary>
/// A safetensors file that does not follow the format (truncated, a header longer than the
/// file, invalid JSON, an unknown dtype, offsets outside the buffer or overlapping, ...), or a
/// valid file that lacks what a reader needs (e.g. the <c>values</c> tensor of a sparse tensor).
/// The message names the file, the tensor when one is concerned, and the problem.
/// </summary>
public class SafeTensorsFormatException : FormatException
{
    private string? _source;

    /// <summary>Creates the exception for a problem in <paramref name="tensorName"/> (or the file as a whole when null).</summary>
    public SafeTensorsFormatException(string problem, string? tensorName, string? source)
        : base(Locate(problem, tensorName, source))
    {
        TensorName = tensorName;
        _source = source;
        Problem = problem;
    }

    /// <summary>Creates the exception.</summary>
    public SafeTensorsFormatException() { }

    /// <summary>Creates the exception with a message.</summary>
    public SafeTensorsFormatException(string message) : base(message) { Problem = message; }

    /// <summary>Creates the exception with a message and the cause.</summary>
    public SafeTensorsFormatException(string message, Exception inner) : base(message, inner) { Problem = message; }

    /// <summary>The tensor the problem concerns, or null when it concerns the file as a whole.</summary>
    public string? TensorName { get; }

    /// <summary>The path (or name) of the input, or null when unknown.</summary>
    public override string? Source { get => _source; set => _source = value; }

    /// <summary>The problem alone, without file and tensor name.</summary>
    public string Problem { get; } = "";

    private static string Locate(string problem, string? tensorName, string? source)
    {
        string name = source is null ? "" : Path.GetFileName(source);
        string prefix = name.Length > 0 ? name + ": " : "";
        if (tensorName is not null) prefix += $"tensor '{tensorName}': ";
        return prefix + problem;
    }
}
