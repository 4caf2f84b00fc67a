using TorchSla.Autodiff;
using TorchSla.Kernels;

namespace TorchSla;

/// <summary>
/// Reductions and joins of dense tensors that return tensors, so that they take part in the
/// tape: Σ, mean, dot, ‖·‖₂ (rank-0 results) and concatenation. (<see cref="Tensor{T}.Sum()"/>,
/// <see cref="Tensor{T}.Dot"/> and <see cref="Tensor{T}.Norm"/> return plain numbers for solver
/// loops and are not recorded.)
/// </summary>
public static class TensorMath
{
    /// <summary>Σ_i x_i as a rank-0 tensor. Gradient: ḡ broadcast to every element.</summary>
    public static Tensor<T> Sum<T>(Tensor<T> x) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var r = Scalar(x.Backend.Reduce(ReduceOp.Sum, x.Storage, 0, x.Length), x.Device);
        if (!x.Tracked) return r;
        var nx = x.Node!;
        var shape = x.Shape;
        var device = x.Device;
        return r.Record("sum", [nx], g => nx.Accumulate(Tensor<T>.Full(shape, g.ToScalar(), device)));
    }

    /// <summary>(1/n)·Σ_i x_i as a rank-0 tensor (NaN for an empty tensor). Gradient: ḡ/n broadcast.</summary>
    public static Tensor<T> Mean<T>(Tensor<T> x) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return Sum(x) * (T.One / T.CreateChecked(x.Length));
    }

    /// <summary>Σ_i x_i·y_i as a rank-0 tensor. Gradient: ḡ_x = ḡ·y, ḡ_y = ḡ·x.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<T> Dot<T>(Tensor<T> x, Tensor<T> y) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var r = Scalar(x.Dot(y), x.Device);
        if (!x.Tracked && !y.Tracked) return r;
        GradNode<Tensor<T>>? nx = x.Node, ny = y.Node;
        var sx = x.Save(); var sy = y.Save();
        return r.Record("dot", Tensor<T>.Present(nx, ny), g =>
        {
            T s = g.ToScalar();
            nx?.Accumulate(sy.Get("dot").ScaleRaw(s));
            ny?.Accumulate(sx.Get("dot").ScaleRaw(s));
        });
    }

    /// <summary>‖x‖₂ as a rank-0 tensor. Gradient: ḡ·x/‖x‖₂ (0 at x = 0, the subgradient PyTorch takes).</summary>
    public static Tensor<T> Norm<T>(Tensor<T> x) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        T n = x.Norm();
        var r = Scalar(n, x.Device);
        if (!x.Tracked) return r;
        var nx = x.Node!;
        var sx = x.Save();
        return r.Record("norm", [nx], g => nx.Accumulate(sx.Get("norm").ScaleRaw(n == T.Zero ? T.Zero : g.ToScalar() / n)));
    }

    /// <summary>
    /// The tensors joined along dimension <paramref name="dim"/> (all other dimensions equal).
    /// Gradient: the slices of ḡ that each part occupies.
    /// </summary>
    /// <exception cref="ArgumentException">No tensors, different ranks or devices.</exception>
    /// <exception cref="ShapeMismatchException">A dimension other than <paramref name="dim"/> differs.</exception>
    public static Tensor<T> Concat<T>(int dim, params Tensor<T>[] parts) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Length == 0) throw new ArgumentException("concat needs at least one tensor", nameof(parts));
        var first = parts[0] ?? throw new ArgumentNullException(nameof(parts), "part 0 is null");
        int rank = first.Rank;
        int d = dim < 0 ? dim + rank : dim;
        if ((uint)d >= (uint)rank) throw new ArgumentOutOfRangeException(nameof(dim), $"dimension {dim} is out of range for tensors of rank {rank}");
        int total = 0;
        for (int p = 0; p < parts.Length; p++)
        {
            var t = parts[p] ?? throw new ArgumentNullException(nameof(parts), $"part {p} is null");
            if (t.Rank != rank) throw new ArgumentException($"concat: part {p} has rank {t.Rank}, part 0 rank {rank}", nameof(parts));
            if (t.Device != first.Device) throw new ArgumentException($"concat: part {p} lives on {t.Device}, part 0 on {first.Device}", nameof(parts));
            for (int i = 0; i < rank; i++)
                if (i != d && t.ShapeSpan[i] != first.ShapeSpan[i])
                    throw new ShapeMismatchException($"concat along dimension {d}: part {p} has shape {Shapes.Str(t.ShapeSpan)}, part 0 {Shapes.Str(first.ShapeSpan)}", nameof(parts));
            total += t.ShapeSpan[d];
        }
        var shape = first.Shape;
        shape[d] = total;
        var result = Tensor<T>.Zeros(shape, first.Device);
        var backend = first.Backend;
        int offset = 0;
        var offsets = new int[parts.Length];
        for (int p = 0; p < parts.Length; p++)
        {
            offsets[p] = offset;
            // Each result element takes the part element it comes from, or 0 outside the part.
            using var map = backend.Upload<int>(SliceLayout.ScatterMap(shape, d, offset, parts[p].ShapeSpan[d]));
            backend.Gather(parts[p].Storage, 0, map, 0, result.Storage, 0, result.Length, T.One, accumulate: true);
            offset += parts[p].ShapeSpan[d];
        }
        if (!parts.Any(t => t.Tracked)) return result;
        var nodes = parts.Select(t => t.Node).ToArray();
        var lengths = parts.Select(t => t.ShapeSpan[d]).ToArray();
        return result.Record("concat", Tensor<T>.Present(nodes), g =>
        {
            for (int p = 0; p < nodes.Length; p++)
                nodes[p]?.Accumulate(SliceLayout.SliceRaw(g, d, offsets[p], lengths[p]));
        });
    }

    private static Tensor<T> Scalar<T>(T value, Device device) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        Tensor<T>.FromSpan([value], [], device);
}
