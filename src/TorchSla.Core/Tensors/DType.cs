using System.Numerics;

namespace TorchSla;

/// <summary>Element type of a tensor's values.</summary>
public enum DType
{
    /// <summary>IEEE 754 binary32 (<see cref="float"/>).</summary>
    Float32,
    /// <summary>IEEE 754 binary64 (<see cref="double"/>).</summary>
    Float64,
}

/// <summary>Maps element types to <see cref="DType"/> and names.</summary>
public static class DTypes
{
    /// <summary>The <see cref="DType"/> of <typeparamref name="T"/>.</summary>
    /// <exception cref="NotSupportedException">T is neither float nor double.</exception>
    public static DType Of<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(double) ? DType.Float64
        : typeof(T) == typeof(float) ? DType.Float32
        : throw new NotSupportedException($"element type {typeof(T).Name} is not supported: use float or double");

    /// <summary>PyTorch's name of the type: <c>float64</c>, <c>float32</c>.</summary>
    public static string Name(this DType d) => d == DType.Float64 ? "float64" : "float32";

    /// <summary>Size of one element in bytes.</summary>
    public static int Size(this DType d) => d == DType.Float64 ? 8 : 4;

    /// <summary>Parses <c>float64</c>/<c>double</c>/<c>f64</c> or <c>float32</c>/<c>float</c>/<c>f32</c>.</summary>
    /// <exception cref="FormatException">The text names no supported type.</exception>
    public static DType Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "float64" or "double" or "f64" or "torch.float64" => DType.Float64,
        "float32" or "float" or "f32" or "single" or "torch.float32" => DType.Float32,
        _ => throw new FormatException($"unknown dtype '{text}': expected float64 or float32"),
    };
}
