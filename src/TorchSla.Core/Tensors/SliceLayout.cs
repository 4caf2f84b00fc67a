namespace TorchSla;

/// <summary>
/// Index maps of a slice along one dimension of a row-major tensor: with shape
/// [outer…, n_d, inner…], element (o, i, c) sits at (o·n_d + i)·inner + c. Slicing and its
/// gradient (and concatenation) are then single <c>Gather</c>s on any device.
/// </summary>
internal static class SliceLayout
{
    private static (int Outer, int Inner) Split(ReadOnlySpan<int> shape, int dim)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < dim; i++) outer *= shape[i];
        for (int i = dim + 1; i < shape.Length; i++) inner *= shape[i];
        return (outer, inner);
    }

    /// <summary>For each element of the slice [start, start+length) of dimension dim, its index in the full tensor.</summary>
    public static int[] GatherMap(ReadOnlySpan<int> fullShape, int dim, int start, int length)
    {
        var (outer, inner) = Split(fullShape, dim);
        int n = fullShape[dim];
        var map = new int[outer * length * inner];
        int k = 0;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < length; i++)
            {
                int src = (o * n + start + i) * inner;
                for (int c = 0; c < inner; c++) map[k++] = src + c;
            }
        return map;
    }

    /// <summary>For each element of the full tensor, its index in the slice [start, start+length) of dimension dim, or −1 outside.</summary>
    public static int[] ScatterMap(ReadOnlySpan<int> fullShape, int dim, int start, int length)
    {
        var (outer, inner) = Split(fullShape, dim);
        int n = fullShape[dim];
        var map = new int[outer * n * inner];
        int k = 0;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < n; i++)
            {
                bool inside = i >= start && i < start + length;
                int src = (o * length + i - start) * inner;
                for (int c = 0; c < inner; c++) map[k++] = inside ? src + c : -1;
            }
        return map;
    }

    /// <summary>The slice of <paramref name="x"/>, never recorded.</summary>
    public static Tensor<T> SliceRaw<T>(Tensor<T> x, int dim, int start, int length) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var shape = x.Shape;
        var map = GatherMap(shape, dim, start, length);
        shape[dim] = length;
        var r = Tensor<T>.Zeros(shape, x.Device);
        using var m = x.Backend.Upload<int>(map);
        x.Backend.Gather(x.Storage, 0, m, 0, r.Storage, 0, r.Length, T.One, accumulate: false);
        return r;
    }

    /// <summary>A tensor of <paramref name="fullShape"/> holding <paramref name="slice"/> at [start, start+length) of dim and zeros elsewhere, never recorded.</summary>
    public static Tensor<T> EmbedRaw<T>(Tensor<T> slice, int[] fullShape, int dim, int start) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var r = Tensor<T>.Zeros(fullShape, slice.Device);
        using var m = slice.Backend.Upload<int>(ScatterMap(fullShape, dim, start, slice.ShapeSpan[dim]));
        slice.Backend.Gather(slice.Storage, 0, m, 0, r.Storage, 0, r.Length, T.One, accumulate: false);
        return r;
    }
}
