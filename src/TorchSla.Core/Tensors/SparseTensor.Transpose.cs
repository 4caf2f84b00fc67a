namespace TorchSla;

public sealed partial class SparseTensor<T>
{
    /// <summary>
    /// Aᵀ, shape <c>[..., N, M]</c>, every matrix of a batch transposed. The transposed pattern
    /// and the slot map are computed once per pattern (counting sort, O(nnz + N); on the GPU for large
    /// patterns there) and cached; the values move by one gather per matrix.
    /// </summary>
    public SparseTensor<T> Transpose()
    {
        var pt = Pattern.TransposeOn(Device);
        var map = Pattern.TransposeMap.On(Device);
        var r = Backend.Allocate<T>(Values.Length);
        for (int b = 0; b < BatchSize; b++)
            Backend.Gather(Values, b * Nnz, map, 0, r, b * Nnz, Nnz, T.One, accumulate: false);
        return RecordTranspose(new SparseTensor<T>(pt, r, _batchShape, null));
    }

    /// <summary>The conjugate transpose Aᴴ; for real values it equals Aᵀ.</summary>
    public SparseTensor<T> H() => Transpose();
}

/// <summary>
/// torch-sla's short name <c>A.T()</c>. C# forbids a member named like the class's type
/// parameter <c>T</c>, so it is an extension method.
/// </summary>
public static class SparseTensorTransposeExtensions
{
    /// <summary>Aᵀ (see <see cref="SparseTensor{T}.Transpose"/>).</summary>
    public static SparseTensor<TValue> T<TValue>(this SparseTensor<TValue> a) where TValue : unmanaged, System.Numerics.IFloatingPointIeee754<TValue>
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Transpose();
    }
}
