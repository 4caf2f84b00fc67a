using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TorchSla.IO;

/// <summary>
/// Builds a safetensors file the way the reference implementation (huggingface/safetensors)
/// writes it, so that files are byte-for-byte what Python would produce from the same tensors
/// and metadata order: tensors laid out by decreasing dtype (the format's alignment order),
/// then by name (UTF-8 byte order); a compact JSON header with <c>__metadata__</c> first,
/// padded with spaces to a multiple of 8 bytes so that the data is 8-byte aligned.
/// </summary>
public sealed class SafeTensorsWriter
{
    private readonly List<(string Name, byte[] Utf8, SafeTensorsDType DType, long[] Shape, byte[] Data)> _tensors = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>The <c>__metadata__</c> strings, written in insertion order (omitted when empty).</summary>
    public OrderedDictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    /// <summary>Number of tensors added.</summary>
    public int Count => _tensors.Count;

    /// <summary>Adds an F64 tensor (shape defaults to <c>[data.Length]</c>).</summary>
    public void Add(string name, ReadOnlySpan<double> data, long[]? shape = null)
    {
        AddOwned(name, SafeTensorsDType.F64, shape ?? [data.Length], LittleEndianBytes(data));
    }

    /// <summary>Adds an F32 tensor (shape defaults to <c>[data.Length]</c>).</summary>
    public void Add(string name, ReadOnlySpan<float> data, long[]? shape = null)
    {
        AddOwned(name, SafeTensorsDType.F32, shape ?? [data.Length], LittleEndianBytes(data));
    }

    /// <summary>Adds an I64 tensor (shape defaults to <c>[data.Length]</c>).</summary>
    public void Add(string name, ReadOnlySpan<long> data, long[]? shape = null)
    {
        AddOwned(name, SafeTensorsDType.I64, shape ?? [data.Length], LittleEndianBytes(data));
    }

    /// <summary>Adds an I32 tensor (shape defaults to <c>[data.Length]</c>).</summary>
    public void Add(string name, ReadOnlySpan<int> data, long[]? shape = null)
    {
        AddOwned(name, SafeTensorsDType.I32, shape ?? [data.Length], LittleEndianBytes(data));
    }

    /// <summary>Adds a U8 tensor (shape defaults to <c>[data.Length]</c>).</summary>
    public void Add(string name, ReadOnlySpan<byte> data, long[]? shape = null) =>
        AddOwned(name, SafeTensorsDType.U8, shape ?? [data.Length], data.ToArray());

    /// <summary>Adds a BOOL tensor (shape defaults to <c>[data.Length]</c>).</summary>
    public void Add(string name, ReadOnlySpan<bool> data, long[]? shape = null)
    {
        var b = new byte[data.Length];
        for (int k = 0; k < data.Length; k++) b[k] = data[k] ? (byte)1 : (byte)0;
        AddOwned(name, SafeTensorsDType.Bool, shape ?? [data.Length], b);
    }

    /// <summary>The format's little-endian bytes of <paramref name="data"/>: a plain copy on little-endian machines.</summary>
    private static byte[] LittleEndianBytes<T>(ReadOnlySpan<T> data) where T : unmanaged
    {
        var b = MemoryMarshal.AsBytes(data).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            int size = b.Length / Math.Max(data.Length, 1);
            for (int k = 0; k < b.Length; k += size) b.AsSpan(k, size).Reverse();
        }
        return b;
    }

    /// <summary>Adds a tensor of any dtype from its little-endian bytes.</summary>
    /// <exception cref="ArgumentException">The byte count is not numel·size, the name is empty, reserved or taken.</exception>
    public void AddRaw(string name, SafeTensorsDType dtype, long[] shape, ReadOnlySpan<byte> data) =>
        AddOwned(name, dtype, shape, data.ToArray());

    private void AddOwned(string name, SafeTensorsDType dtype, long[] shape, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        if (name.Length == 0) throw new ArgumentException("a tensor name must not be empty", nameof(name));
        if (name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved for the metadata map", nameof(name));
        long numel = 1;
        foreach (long d in shape)
        {
            if (d < 0) throw new ArgumentOutOfRangeException(nameof(shape), $"tensor '{name}': shape [{string.Join(", ", shape)}] has a negative dimension");
            numel = checked(numel * d);
        }
        if (checked(numel * dtype.Size()) != data.LongLength)
            throw new ArgumentException($"tensor '{name}': shape [{string.Join(", ", shape)}] of {dtype.Name()} needs {numel * dtype.Size()} bytes, got {data.LongLength}", nameof(shape));
        if (!_names.Add(name)) throw new ArgumentException($"a tensor named '{name}' was already added", nameof(name));
        _tensors.Add((name, Encoding.UTF8.GetBytes(name), dtype, (long[])shape.Clone(), data));
    }

    /// <summary>The whole file as bytes.</summary>
    public byte[] ToArray()
    {
        var (header, order) = Prepare();
        long total = 8 + header.Length + order.Sum(t => t.Data.LongLength);
        if (total > Array.MaxLength)
            throw new InvalidOperationException($"the file would have {total} bytes, more than an array holds: use Save or WriteTo");
        var file = new byte[total];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        int at = 8 + header.Length;
        foreach (var t in order) { t.Data.CopyTo(file, at); at += t.Data.Length; }
        return file;
    }

    /// <summary>Writes the file to a file path (created or overwritten).</summary>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        WriteTo(fs);
    }

    /// <summary>Writes the file to a stream.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var (header, order) = Prepare();
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        stream.Write(len);
        stream.Write(header);
        foreach (var t in order) stream.Write(t.Data);
    }

    /// <summary>The layout order of the tensors and the padded JSON header describing it.</summary>
    private (byte[] Header, List<(string Name, byte[] Utf8, SafeTensorsDType DType, long[] Shape, byte[] Data)> Order) Prepare()
    {
        var order = _tensors.ToList();
        order.Sort((a, b) =>
        {
            int c = b.DType.CompareTo(a.DType);
            return c != 0 ? c : a.Utf8.AsSpan().SequenceCompareTo(b.Utf8);
        });

        var json = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false }))
        {
            w.WriteStartObject();
            if (Metadata.Count > 0)
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in Metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in order)
            {
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", t.DType.Name());
                w.WriteStartArray("shape");
                foreach (long d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + t.Data.LongLength);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += t.Data.LongLength;
            }
            w.WriteEndObject();
        }
        // Spaces up to a multiple of 8 bytes, so that the data starts 8-byte aligned.
        int pad = (8 - json.WrittenCount % 8) % 8;
        var header = new byte[json.WrittenCount + pad];
        json.WrittenSpan.CopyTo(header);
        header.AsSpan(json.WrittenCount).Fill((byte)' ');
        return (header, order);
    }
}
