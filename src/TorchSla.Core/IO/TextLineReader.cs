using static System.FormattableString;
namespace TorchSla.IO;

/// <summary>
/// Reads lines from a <see cref="TextReader"/> as spans over one reusable buffer, counting
/// line numbers, so that a million-line file is parsed without a string per line.
/// A line ends at '\n' (a preceding '\r' is dropped). A line longer than
/// <see cref="MaxLineLength"/> characters is an error rather than an unbounded allocation.
/// </summary>
internal sealed class TextLineReader
{
    /// <summary>Longest accepted line; no text format of ours needs more.</summary>
    public const int MaxLineLength = 1 << 20;

    private readonly TextReader _reader;
    private readonly string? _source;
    private char[] _buffer = new char[1 << 16];
    private int _start, _end, _scanned;
    private bool _eof;

    public TextLineReader(TextReader reader, string? source)
    {
        _reader = reader;
        _source = source;
    }

    /// <summary>Number of the line returned last (1-based; 0 before the first).</summary>
    public int LineNumber { get; private set; }

    /// <summary>The next line, valid until the next call; false at the end of the input.</summary>
    /// <exception cref="MatrixFormatException">The line is longer than <see cref="MaxLineLength"/>.</exception>
    public bool TryReadLine(out ReadOnlySpan<char> line)
    {
        while (true)
        {
            int nl = Array.IndexOf(_buffer, '\n', _scanned, _end - _scanned);
            if (nl >= 0)
            {
                line = Trim(_start, nl);
                _start = nl + 1;
                _scanned = _start;
                LineNumber++;
                return true;
            }
            _scanned = _end;
            if (_eof)
            {
                if (_start < _end)
                {
                    line = Trim(_start, _end);
                    _start = _scanned = _end;
                    LineNumber++;
                    return true;
                }
                line = default;
                return false;
            }
            Fill();
        }
    }

    private ReadOnlySpan<char> Trim(int from, int to)
    {
        if (to > from && _buffer[to - 1] == '\r') to--;
        return new ReadOnlySpan<char>(_buffer, from, to - from);
    }

    private void Fill()
    {
        int pending = _end - _start;
        if (pending >= MaxLineLength)
            throw new MatrixFormatException(Invariant($"line is longer than {MaxLineLength:N0} characters"), LineNumber + 1, _source);
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, pending);
            _scanned -= _start;
            _start = 0;
            _end = pending;
        }
        if (_end == _buffer.Length)
            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, MaxLineLength + 1));
        int n = _reader.Read(_buffer, _end, _buffer.Length - _end);
        if (n == 0) _eof = true;
        else _end += n;
    }
}
