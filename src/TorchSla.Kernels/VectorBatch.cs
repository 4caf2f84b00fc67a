namespace TorchSla.Kernels;

/// <summary>
/// How <see cref="Count"/> vectors of <see cref="Length"/> entries share one storage: entry i of
/// vector b is element <c>b·SystemStride + i·ElementStride</c>. Batched systems <c>[B, N]</c> are
/// <see cref="Contiguous"/> (stride N between vectors, 1 between entries); the K right-hand sides
/// of <c>[N, K]</c> (row-major) are <see cref="Interleaved"/> (stride 1 between vectors, K between
/// entries). The fused Krylov primitives (<see cref="Backend.CgUpdate{T}"/> …) take one layout for
/// every vector of a solve, so all systems advance in one launch per step.
/// </summary>
/// <param name="Length">Entries per vector (n).</param>
/// <param name="Count">Number of vectors (systems).</param>
/// <param name="SystemStride">Elements between the starts of consecutive vectors.</param>
/// <param name="ElementStride">Elements between consecutive entries of one vector.</param>
public readonly record struct VectorBatch(int Length, int Count, int SystemStride, int ElementStride)
{
    /// <summary>One vector of <paramref name="length"/> entries.</summary>
    public static VectorBatch Single(int length) => new(length, 1, length, 1);

    /// <summary><paramref name="count"/> vectors stored one after another ([count, length]).</summary>
    public static VectorBatch Contiguous(int length, int count) => new(length, count, length, 1);

    /// <summary><paramref name="count"/> vectors as the columns of a row-major [length, count] array.</summary>
    public static VectorBatch Interleaved(int length, int count) => new(length, count, 1, count);

    /// <summary>Whether each vector's entries are adjacent (ElementStride = 1).</summary>
    public bool IsUnitStride => ElementStride == 1;

    /// <summary>Elements a storage must hold for this layout.</summary>
    public long Extent => Count == 0 || Length == 0 ? 0 : (long)(Count - 1) * SystemStride + (long)(Length - 1) * ElementStride + 1;

    /// <summary>Throws when the layout is malformed or <paramref name="storageLength"/> cannot hold it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size or stride is negative, or the storage is too short.</exception>
    public void Check(int storageLength, string name)
    {
        if (Length < 0 || Count < 0 || SystemStride < 0 || ElementStride < 1)
            throw new ArgumentOutOfRangeException(name, $"{name}: layout {this} has a negative size or stride");
        if (Extent > storageLength)
            throw new ArgumentOutOfRangeException(name, $"{name}: {Count} vectors of {Length} entries (strides {SystemStride}, {ElementStride}) need {Extent} elements; the storage holds {storageLength}");
    }
}
