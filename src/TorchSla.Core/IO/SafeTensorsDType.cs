namespace TorchSla.IO;

/// <summary>
/// Element types of the safetensors format, declared in the format's order of increasing
/// alignment (the writer lays tensors out by decreasing order of this enum, then by name, as
/// the reference implementation does).
/// </summary>
public enum SafeTensorsDType
{
    /// <summary><c>BOOL</c>: one byte, 0 or 1.</summary>
    Bool,
    /// <summary><c>U8</c>: unsigned byte.</summary>
    U8,
    /// <summary><c>I8</c>: signed byte.</summary>
    I8,
    /// <summary><c>F8_E5M2</c>: 8-bit float (raw bytes only).</summary>
    F8E5M2,
    /// <summary><c>F8_E4M3</c>: 8-bit float (raw bytes only).</summary>
    F8E4M3,
    /// <summary><c>I16</c>: signed 16-bit integer.</summary>
    I16,
    /// <summary><c>U16</c>: unsigned 16-bit integer.</summary>
    U16,
    /// <summary><c>F16</c>: IEEE 754 half precision.</summary>
    F16,
    /// <summary><c>BF16</c>: bfloat16 (the upper half of a binary32).</summary>
    BF16,
    /// <summary><c>I32</c>: signed 32-bit integer.</summary>
    I32,
    /// <summary><c>U32</c>: unsigned 32-bit integer.</summary>
    U32,
    /// <summary><c>F32</c>: IEEE 754 single precision.</summary>
    F32,
    /// <summary><c>F64</c>: IEEE 754 double precision.</summary>
    F64,
    /// <summary><c>I64</c>: signed 64-bit integer.</summary>
    I64,
    /// <summary><c>U64</c>: unsigned 64-bit integer.</summary>
    U64,
}

/// <summary>Names and sizes of <see cref="SafeTensorsDType"/>.</summary>
public static class SafeTensorsDTypes
{
    /// <summary>Size of one element in bytes.</summary>
    public static int Size(this SafeTensorsDType d) => d switch
    {
        SafeTensorsDType.Bool or SafeTensorsDType.U8 or SafeTensorsDType.I8 or SafeTensorsDType.F8E5M2 or SafeTensorsDType.F8E4M3 => 1,
        SafeTensorsDType.I16 or SafeTensorsDType.U16 or SafeTensorsDType.F16 or SafeTensorsDType.BF16 => 2,
        SafeTensorsDType.I32 or SafeTensorsDType.U32 or SafeTensorsDType.F32 => 4,
        SafeTensorsDType.F64 or SafeTensorsDType.I64 or SafeTensorsDType.U64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(d), $"unknown dtype {(int)d}"),
    };

    /// <summary>The name in a file's header: <c>F64</c>, <c>I64</c>, <c>F8_E4M3</c>, ...</summary>
    public static string Name(this SafeTensorsDType d) => d switch
    {
        SafeTensorsDType.Bool => "BOOL",
        SafeTensorsDType.F8E5M2 => "F8_E5M2",
        SafeTensorsDType.F8E4M3 => "F8_E4M3",
        _ when Enum.IsDefined(d) => d.ToString(),
        _ => throw new ArgumentOutOfRangeException(nameof(d), $"unknown dtype {(int)d}"),
    };

    /// <summary>Parses a header dtype name (exact, upper case as the format writes it).</summary>
    /// <returns>False when the name is not a safetensors dtype.</returns>
    public static bool TryParse(string name, out SafeTensorsDType dtype)
    {
        foreach (var d in Enum.GetValues<SafeTensorsDType>())
            if (d.Name() == name) { dtype = d; return true; }
        dtype = default;
        return false;
    }
}
