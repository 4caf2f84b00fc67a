namespace TorchSla;

/// <summary>Slices of a dense tensor along one dimension, with gradients (the gradient of a slice is ḡ placed back, zeros elsewhere).</summary>
public sealed partial class Tensor<T>
{
    /// <summary>Elements [start, start + length) of dimension <paramref name="dim"/> (a copy; other dimensions whole).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The dimension or the range is out of bounds (both are named).</exception>
    public Tensor<T> Slice(int dim, int start, int length)
    {
        int d = dim < 0 ? dim + Rank : dim;
        if ((uint)d >= (uint)Rank) throw new ArgumentOutOfRangeException(nameof(dim), $"dimension {dim} is out of range for a tensor of rank {Rank}");
        if (start < 0 || length < 0 || (long)start + length > _shape[d])
            throw new ArgumentOutOfRangeException(nameof(start), $"slice [{start}, {(long)start + length}) is outside dimension {d} of size {_shape[d]}");
        var r = SliceLayout.SliceRaw(this, d, start, length);
        if (!Tracked) return r;
        var nx = _node!;
        var full = (int[])_shape.Clone();
        return r.Record("slice", [nx], g => nx.Accumulate(SliceLayout.EmbedRaw(g, full, d, start)));
    }

    /// <summary>Index <paramref name="index"/> of dimension <paramref name="dim"/>, that dimension removed (e.g. row i of a matrix).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The dimension or the index is out of bounds.</exception>
    public Tensor<T> Select(int dim, int index)
    {
        int d = dim < 0 ? dim + Rank : dim;
        if ((uint)d >= (uint)Rank) throw new ArgumentOutOfRangeException(nameof(dim), $"dimension {dim} is out of range for a tensor of rank {Rank}");
        if ((uint)index >= (uint)_shape[d])
            throw new ArgumentOutOfRangeException(nameof(index), $"index {index} is out of range for dimension {d} of size {_shape[d]}");
        var s = Slice(d, index, 1);
        int[] shape = [.. _shape[..d], .. _shape[(d + 1)..]];
        return s.Reshape(shape);
    }
}
