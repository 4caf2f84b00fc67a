namespace TorchSla;

/// <summary>Shape arithmetic and validation shared by dense and sparse tensors.</summary>
internal static class Shapes
{
    /// <summary>Product of the dimensions, checked against overflow of a 32-bit element count.</summary>
    public static int Numel(ReadOnlySpan<int> shape, string paramName = "shape")
    {
        long n = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0)
                throw new ArgumentOutOfRangeException(paramName, $"dimension {i} of shape {ShapeMismatchException.Format(shape)} is negative");
            n *= shape[i];
            if (n > Array.MaxLength)
                throw new ArgumentOutOfRangeException(paramName, $"shape {ShapeMismatchException.Format(shape)} has more than {Array.MaxLength:N0} elements");
        }
        return (int)n;
    }

    public static string Str(ReadOnlySpan<int> shape) => ShapeMismatchException.Format(shape);

    public static bool Equal(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);
}
