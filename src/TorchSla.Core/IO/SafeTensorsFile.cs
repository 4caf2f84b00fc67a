using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using static System.FormattableString;

namespace TorchSla.IO;

/// <summary>
/// A safetensors file (Hugging Face's format, the one torch-sla saves with) read into memory
/// and validated: an 8-byte little-endian header length N, N bytes of JSON
/// <c>{"__metadata__": {string: string}, name: {"dtype", "shape", "data_offsets": [begin, end]}}</c>,
/// then the data buffer, which the tensors must cover exactly, without overlap or hole.
/// Gives the metadata, each tensor's description and its data, converted on request where
/// the conversion is exact.
/// </summary>
/// <remarks>
/// Validation follows the reference implementation (huggingface/safetensors, <c>tensor.rs</c>):
/// a header of at most 100,000,000 bytes that fits in the file, valid UTF-8 JSON, known dtypes,
/// byte ranges of exactly numel·size bytes that tile the buffer from 0 to its end. Every
/// violation is a <see cref="SafeTensorsFormatException"/> naming the tensor; nothing is
/// allocated from a declared size before the bytes are known to exist. Files up to 2 GiB.
/// </remarks>
public sealed class SafeTensorsFile
{
    /// <summary>Largest accepted JSON header, as in the reference implementation.</summary>
    public const long MaxHeaderLength = 100_000_000;

    private readonly byte[] _bytes;
    private readonly long _bufferStart;
    private readonly Dictionary<string, SafeTensorInfo> _byName;

    private SafeTensorsFile(byte[] bytes, string? source)
    {
        _bytes = bytes;
        SourceName = source;
        var (metadata, tensors, bufferStart) = ParseHeader(bytes, source);
        _bufferStart = bufferStart;
        Metadata = metadata;
        Tensors = tensors;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The path or name the file was read from (used in error messages), or null.</summary>
    public string? SourceName { get; }

    /// <summary>The <c>__metadata__</c> map, in file order (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors, in the order of their data in the buffer.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>Size of the data buffer in bytes.</summary>
    public long BufferLength => _bytes.LongLength - _bufferStart;

    /// <summary>Size of the JSON header in bytes (padding included).</summary>
    public long HeaderLength => _bufferStart - 8;

    // ------------------------------------------------------------------ opening

    /// <summary>Reads and validates a file.</summary>
    /// <exception cref="SafeTensorsFormatException">The file is not a valid safetensors file.</exception>
    public static SafeTensorsFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        long length = fs.Length;
        if (length > Array.MaxLength)
            throw new SafeTensorsFormatException(Invariant($"the file has {length:N0} bytes; files over {Array.MaxLength:N0} bytes are not supported"), null, path);
        var bytes = new byte[length];
        fs.ReadExactly(bytes);
        return new SafeTensorsFile(bytes, path);
    }

    /// <summary>Reads and validates a file from a stream (read to its end).</summary>
    /// <exception cref="SafeTensorsFormatException">The content is not a valid safetensors file.</exception>
    public static SafeTensorsFile Read(Stream stream, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        return new SafeTensorsFile(ms.ToArray(), sourceName);
    }

    /// <summary>Validates and copies the bytes of a whole file.</summary>
    /// <exception cref="SafeTensorsFormatException">The bytes are not a valid safetensors file.</exception>
    public static SafeTensorsFile Parse(ReadOnlySpan<byte> bytes, string? sourceName = null) => new(bytes.ToArray(), sourceName);

    // ------------------------------------------------------------------ access

    /// <summary>Whether a tensor of that name exists.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The description of tensor <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No tensor has that name (the message lists those that exist).</exception>
    public SafeTensorInfo GetInfo(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out var t) ? t
            : throw new KeyNotFoundException($"{Where()}no tensor '{name}'; the file holds {string.Join(", ", Tensors.Select(x => x.Name))}");
    }

    // The typed accessors copy directly when the file's type is the requested one (the format is
    // little-endian, like every platform .NET runs on in practice), and convert element by element otherwise.

    /// <summary>The raw little-endian bytes of tensor <paramref name="name"/>.</summary>
    public ReadOnlySpan<byte> GetBytes(string name)
    {
        var t = GetInfo(name);
        return new ReadOnlySpan<byte>(_bytes, checked((int)(_bufferStart + t.Begin)), checked((int)(t.End - t.Begin)));
    }

    /// <summary>
    /// The elements as doubles: exact from F64, F32, F16, BF16, BOOL and the 8-, 16- and 32-bit
    /// integers; from I64/U64 when every value is within ±2⁵³.
    /// </summary>
    /// <exception cref="InvalidCastException">The dtype or a value cannot be converted exactly.</exception>
    public double[] GetDouble(string name)
    {
        var t = GetInfo(name);
        var b = GetBytes(name);
        if (t.DType == SafeTensorsDType.F64 && BitConverter.IsLittleEndian) return MemoryMarshal.Cast<byte, double>(b).ToArray();
        var r = new double[t.ElementCount];
        const double Exact = 9007199254740992.0; // 2^53
        for (int k = 0; k < r.Length; k++)
        {
            r[k] = t.DType switch
            {
                SafeTensorsDType.F64 => BinaryPrimitives.ReadDoubleLittleEndian(b[(8 * k)..]),
                SafeTensorsDType.F32 => BinaryPrimitives.ReadSingleLittleEndian(b[(4 * k)..]),
                SafeTensorsDType.F16 => (double)BinaryPrimitives.ReadHalfLittleEndian(b[(2 * k)..]),
                SafeTensorsDType.BF16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b[(2 * k)..]) << 16),
                SafeTensorsDType.I64 => BinaryPrimitives.ReadInt64LittleEndian(b[(8 * k)..]) is var l && Math.Abs((double)l) <= Exact ? l : throw Lossy(t, k, "float64"),
                SafeTensorsDType.U64 => BinaryPrimitives.ReadUInt64LittleEndian(b[(8 * k)..]) is var u && u <= (ulong)Exact ? u : throw Lossy(t, k, "float64"),
                _ => IntegerAt(t, b, k),
            };
        }
        return r;
    }

    /// <summary>
    /// The elements as floats: exact from F32, F16, BF16, BOOL and 8- and 16-bit integers; from
    /// wider integers when every value is within ±2²⁴. F64 is refused (it would round): read it
    /// with <see cref="GetDouble"/> and convert deliberately.
    /// </summary>
    /// <exception cref="InvalidCastException">The dtype or a value cannot be converted exactly.</exception>
    public float[] GetSingle(string name)
    {
        var t = GetInfo(name);
        var b = GetBytes(name);
        if (t.DType == SafeTensorsDType.F32 && BitConverter.IsLittleEndian) return MemoryMarshal.Cast<byte, float>(b).ToArray();
        var r = new float[t.ElementCount];
        if (t.DType == SafeTensorsDType.F64)
            throw new InvalidCastException($"{Where()}tensor '{name}' holds F64; converting to float32 rounds: use GetDouble and convert deliberately");
        for (int k = 0; k < r.Length; k++)
        {
            r[k] = t.DType switch
            {
                SafeTensorsDType.F32 => BinaryPrimitives.ReadSingleLittleEndian(b[(4 * k)..]),
                SafeTensorsDType.F16 => (float)BinaryPrimitives.ReadHalfLittleEndian(b[(2 * k)..]),
                SafeTensorsDType.BF16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b[(2 * k)..]) << 16),
                SafeTensorsDType.I64 or SafeTensorsDType.U64 or SafeTensorsDType.I32 or SafeTensorsDType.U32 =>
                    IntegerAsLong(t, b, k) is var l && Math.Abs(l) <= (1 << 24) ? l : throw Lossy(t, k, "float32"),
                _ => (float)IntegerAt(t, b, k),
            };
        }
        return r;
    }

    /// <summary>The elements as 64-bit integers: from every integer dtype and BOOL (U64 when ≤ 2⁶³−1).</summary>
    /// <exception cref="InvalidCastException">The dtype is a floating type, or a U64 value is too large.</exception>
    public long[] GetInt64(string name)
    {
        var t = GetInfo(name);
        var b = GetBytes(name);
        if (t.DType == SafeTensorsDType.I64 && BitConverter.IsLittleEndian) return MemoryMarshal.Cast<byte, long>(b).ToArray();
        var r = new long[t.ElementCount];
        for (int k = 0; k < r.Length; k++) r[k] = IntegerAsLong(t, b, k);
        return r;
    }

    /// <summary>The elements as 32-bit integers: from every integer dtype and BOOL, when each value fits.</summary>
    /// <exception cref="InvalidCastException">The dtype is a floating type, or a value does not fit 32 bits.</exception>
    public int[] GetInt32(string name)
    {
        var t = GetInfo(name);
        var b = GetBytes(name);
        if (t.DType == SafeTensorsDType.I32 && BitConverter.IsLittleEndian) return MemoryMarshal.Cast<byte, int>(b).ToArray();
        var r = new int[t.ElementCount];
        for (int k = 0; k < r.Length; k++)
        {
            long v = IntegerAsLong(t, b, k);
            r[k] = v is >= int.MinValue and <= int.MaxValue ? (int)v : throw Lossy(t, k, "int32");
        }
        return r;
    }

    /// <summary>The elements of a BOOL or U8 tensor as booleans (non-zero is true).</summary>
    /// <exception cref="InvalidCastException">The dtype is neither BOOL nor U8.</exception>
    public bool[] GetBoolean(string name)
    {
        var t = GetInfo(name);
        if (t.DType is not (SafeTensorsDType.Bool or SafeTensorsDType.U8))
            throw new InvalidCastException($"{Where()}tensor '{name}' holds {t.DType.Name()}, not BOOL or U8");
        var b = GetBytes(name);
        var r = new bool[b.Length];
        for (int k = 0; k < r.Length; k++) r[k] = b[k] != 0;
        return r;
    }

    private long IntegerAsLong(SafeTensorInfo t, ReadOnlySpan<byte> b, int k) => t.DType switch
    {
        SafeTensorsDType.I64 => BinaryPrimitives.ReadInt64LittleEndian(b[(8 * k)..]),
        SafeTensorsDType.U64 => BinaryPrimitives.ReadUInt64LittleEndian(b[(8 * k)..]) is var u && u <= long.MaxValue ? (long)u : throw Lossy(t, k, "int64"),
        _ => IntegerAt(t, b, k),
    };

    /// <summary>Element k of a BOOL or 8/16/32-bit integer tensor (always exact in long and double).</summary>
    private long IntegerAt(SafeTensorInfo t, ReadOnlySpan<byte> b, int k) => t.DType switch
    {
        SafeTensorsDType.Bool or SafeTensorsDType.U8 => b[k],
        SafeTensorsDType.I8 => (sbyte)b[k],
        SafeTensorsDType.I16 => BinaryPrimitives.ReadInt16LittleEndian(b[(2 * k)..]),
        SafeTensorsDType.U16 => BinaryPrimitives.ReadUInt16LittleEndian(b[(2 * k)..]),
        SafeTensorsDType.I32 => BinaryPrimitives.ReadInt32LittleEndian(b[(4 * k)..]),
        SafeTensorsDType.U32 => BinaryPrimitives.ReadUInt32LittleEndian(b[(4 * k)..]),
        _ => throw new InvalidCastException($"{Where()}tensor '{t.Name}' holds {t.DType.Name()}, which does not convert to the requested type: use GetBytes"),
    };

    private InvalidCastException Lossy(SafeTensorInfo t, int k, string target) =>
        new($"{Where()}tensor '{t.Name}' ({t.DType.Name()}): element {k} is not exactly representable as {target}");

    private string Where() => SourceName is null ? "" : Path.GetFileName(SourceName) + ": ";

    // ------------------------------------------------------------------ validation

    private static (IReadOnlyDictionary<string, string>, IReadOnlyList<SafeTensorInfo>, long) ParseHeader(byte[] bytes, string? source)
    {
        if (bytes.Length < 8)
            throw new SafeTensorsFormatException($"the file has {bytes.Length} bytes, fewer than the 8-byte header length every safetensors file starts with", null, source);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > MaxHeaderLength)
            throw new SafeTensorsFormatException(Invariant($"the header length {n:N0} exceeds the {MaxHeaderLength:N0}-byte limit (corrupt or not a safetensors file)"), null, source);
        if ((long)n > bytes.Length - 8)
            throw new SafeTensorsFormatException(Invariant($"the header length {n:N0} exceeds the {bytes.Length - 8:N0} bytes after it (truncated file?)"), null, source);
        long bufferStart = 8 + (long)n;
        long bufferLength = bytes.Length - bufferStart;

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(new ReadOnlyMemory<byte>(bytes, 8, (int)n), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException($"the header is not valid JSON: {e.Message}", null, source);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new SafeTensorsFormatException($"the header is a JSON {root.ValueKind}, expected an object", null, source);
            var metadata = new OrderedDictionary<string, string>(StringComparer.Ordinal);
            var tensors = new List<SafeTensorInfo>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            bool seenMetadata = false;
            foreach (var prop in root.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (seenMetadata) throw new SafeTensorsFormatException("the header has two __metadata__ entries", null, source);
                    seenMetadata = true;
                    ReadMetadata(prop.Value, metadata, source);
                    continue;
                }
                if (!seen.Add(prop.Name))
                    throw new SafeTensorsFormatException("the header describes this tensor twice", prop.Name, source);
                tensors.Add(ReadTensor(prop.Name, prop.Value, bufferLength, source));
            }

            // The tensors must tile the buffer: sorted by offset, each starts where the previous ended.
            tensors.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            long expected = 0;
            SafeTensorInfo? previous = null;
            foreach (var t in tensors)
            {
                if (t.Begin < expected)
                    throw new SafeTensorsFormatException($"its bytes [{t.Begin}, {t.End}) overlap those of tensor '{previous!.Name}' [{previous.Begin}, {previous.End})", t.Name, source);
                if (t.Begin > expected)
                    throw new SafeTensorsFormatException($"the bytes [{expected}, {t.Begin}) before it belong to no tensor; the format requires the tensors to cover the buffer without holes", t.Name, source);
                expected = t.End;
                previous = t;
            }
            if (expected != bufferLength)
                throw new SafeTensorsFormatException(Invariant($"the data buffer has {bufferLength:N0} bytes but the tensors cover {expected:N0}; the format requires them to cover it exactly"), null, source);
            return (new System.Collections.ObjectModel.ReadOnlyDictionary<string, string>(metadata), tensors.AsReadOnly(), bufferStart);
        }
    }

    private static void ReadMetadata(JsonElement e, OrderedDictionary<string, string> into, string? source)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsFormatException($"__metadata__ is a JSON {e.ValueKind}, expected an object of strings", null, source);
        foreach (var m in e.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String)
                throw new SafeTensorsFormatException($"__metadata__ entry '{m.Name}' is a JSON {m.Value.ValueKind}, expected a string", null, source);
            if (!into.TryAdd(m.Name, m.Value.GetString()!))
                throw new SafeTensorsFormatException($"__metadata__ has two entries '{m.Name}'", null, source);
        }
    }

    private static SafeTensorInfo ReadTensor(string name, JsonElement e, long bufferLength, string? source)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsFormatException($"its description is a JSON {e.ValueKind}, expected an object with dtype, shape and data_offsets", name, source);
        if (!e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw new SafeTensorsFormatException("it has no dtype string", name, source);
        string dtName = dt.GetString()!;
        if (!SafeTensorsDTypes.TryParse(dtName, out var dtype))
            throw new SafeTensorsFormatException($"unknown dtype '{dtName}'", name, source);
        if (!e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw new SafeTensorsFormatException("it has no shape array", name, source);
        var shape = new long[sh.GetArrayLength()];
        long numel = 1;
        bool overflow = false;
        int d = 0;
        foreach (var x in sh.EnumerateArray())
        {
            if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt64(out long v) || v < 0)
                throw new SafeTensorsFormatException($"shape entry {d} ({x.GetRawText()}) is not a non-negative integer", name, source);
            shape[d++] = v;
            if (!overflow && (numel = MulOrNegative(numel, v)) < 0) overflow = true;
        }
        long nbytes = overflow ? -1 : MulOrNegative(numel, dtype.Size());
        if (nbytes < 0)
            throw new SafeTensorsFormatException($"shape [{string.Join(", ", shape)}] of {dtName} overflows 64-bit sizes", name, source);
        if (!e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw new SafeTensorsFormatException("it has no data_offsets pair [begin, end]", name, source);
        long begin = Offset(off[0], "begin", name, source), end = Offset(off[1], "end", name, source);
        if (begin > end)
            throw new SafeTensorsFormatException($"data_offsets [{begin}, {end}]: begin is after end", name, source);
        if (end > bufferLength)
            throw new SafeTensorsFormatException(Invariant($"data_offsets [{begin}, {end}] reach beyond the {bufferLength:N0}-byte data buffer (truncated file?)"), name, source);
        if (end - begin != nbytes)
            throw new SafeTensorsFormatException(Invariant($"data_offsets [{begin}, {end}] span {end - begin:N0} bytes but {dtName} [{string.Join(", ", shape)}] needs {nbytes:N0}"), name, source);
        return new SafeTensorInfo(name, dtype, shape, begin, end, numel);
    }

    private static long Offset(JsonElement x, string what, string name, string? source) =>
        x.ValueKind == JsonValueKind.Number && x.TryGetInt64(out long v) && v >= 0 ? v
            : throw new SafeTensorsFormatException($"data_offsets {what} ({x.GetRawText()}) is not a non-negative 64-bit integer", name, source);

    private static long MulOrNegative(long a, long b)
    {
        if (b != 0 && a > long.MaxValue / b) return -1;
        return a * b;
    }
}
