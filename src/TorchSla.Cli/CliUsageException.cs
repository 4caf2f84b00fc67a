namespace TorchSla.Cli;

/// <summary>Bad command-line input: an unknown option, a missing or malformed value. Exit code 2.</summary>
public sealed class CliUsageException : Exception
{
    /// <summary>Creates the exception with the one line shown on stderr.</summary>
    public CliUsageException(string message) : base(message) { }
    /// <summary>Creates the exception.</summary>
    public CliUsageException() { }
    /// <summary>Creates the exception with a message and the cause.</summary>
    public CliUsageException(string message, Exception inner) : base(message, inner) { }
}
