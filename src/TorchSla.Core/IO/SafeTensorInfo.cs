namespace TorchSla.IO;

/// <summary>One tensor entry of a safetensors header: its name, element type, shape and the
/// byte range <c>[Begin, End)</c> of its data within the buffer that follows the header.</summary>
public sealed class SafeTensorInfo
{
    internal SafeTensorInfo(string name, SafeTensorsDType dtype, long[] shape, long begin, long end, long elementCount)
    {
        Name = name; DType = dtype; _shape = shape; Begin = begin; End = end; ElementCount = elementCount;
    }

    private readonly long[] _shape;

    /// <summary>The tensor's name (key in the header).</summary>
    public string Name { get; }

    /// <summary>Element type.</summary>
    public SafeTensorsDType DType { get; }

    /// <summary>Dimensions (a copy; empty for a scalar).</summary>
    public long[] Shape => (long[])_shape.Clone();

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Product of the dimensions.</summary>
    public long ElementCount { get; }

    /// <summary>First byte of the data, relative to the start of the buffer.</summary>
    public long Begin { get; }

    /// <summary>One past the last byte of the data, relative to the start of the buffer.</summary>
    public long End { get; }

    /// <summary>Size of dimension <paramref name="dim"/>.</summary>
    public long Dim(int dim) => _shape[dim];

    /// <summary>The shape as text, e.g. <c>[3, 105]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", _shape) + "]";

    /// <summary>Name, dtype, shape and byte range.</summary>
    public override string ToString() => $"{Name}: {DType.Name()} {ShapeText} bytes [{Begin}, {End})";
}
