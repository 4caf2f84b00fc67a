namespace TorchSla;

public sealed partial class SparseTensor<T>
{
    /// <summary>
    /// Batch shapes of two operands of an elementwise or product operation: equal, or one of
    /// them unbatched (then broadcast to every matrix of the other). Returns the result's batch
    /// shape and whether each operand advances with the batch index.
    /// </summary>
    /// <exception cref="ShapeMismatchException">Both are batched with different batch shapes (the message names both shapes).</exception>
    internal static (int[] Batch, bool StepA, bool StepB) BroadcastBatch(SparseTensor<T> a, SparseTensor<T> b, string op)
    {
        if (a.Device != b.Device)
            throw new ArgumentException($"{op}: operands live on {a.Device} and {b.Device}", nameof(b));
        if (Shapes.Equal(a._batchShape, b._batchShape)) return (a._batchShape, true, true);
        if (!a.IsBatched) return (b._batchShape, false, true);
        if (!b.IsBatched) return (a._batchShape, true, false);
        throw new ShapeMismatchException($"{op}: batch shapes differ: A has shape {Shapes.Str(a.Shape)}, B has shape {Shapes.Str(b.Shape)}", nameof(b));
    }

    /// <summary>s·A: every stored value scaled (same pattern, shared; implicit zeros stay zero).</summary>
    public SparseTensor<T> Scale(T s)
    {
        var r = Backend.Allocate<T>(Values.Length);
        Backend.Map(Kernels.UnaryOp.Identity, s, Values, 0, r, 0, Values.Length);
        return RecordScale(s, WithValues(r));
    }

    /// <summary>|A| elementwise: |a_ij| on the same pattern.</summary>
    public SparseTensor<T> Abs()
    {
        var r = Backend.Allocate<T>(Values.Length);
        Backend.Map(Kernels.UnaryOp.Abs, T.One, Values, 0, r, 0, Values.Length);
        return RecordAbs(WithValues(r));
    }

    /// <summary>−A (same pattern).</summary>
    public SparseTensor<T> Negate() => Scale(-T.One);

    /// <summary>
    /// α·A + β·B for matrices of the same [M, N] whose patterns may differ: the result is stored
    /// on the union of the two patterns (computed once per pair of patterns and cached), and its
    /// values are two gathers. Batch shapes must be equal, or one operand unbatched (broadcast).
    /// Entries where both operands cancel stay stored as explicit zeros.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The matrix sizes or batch shapes differ (the message names both shapes).</exception>
    /// <exception cref="ArgumentException">The operands live on different devices.</exception>
    public SparseTensor<T> Add(SparseTensor<T> other, T alpha, T beta)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Rows != other.Rows || Cols != other.Cols)
            throw new ShapeMismatchException($"add: A has shape {Shapes.Str(Shape)}, B has shape {Shapes.Str(other.Shape)}; the matrices must both be {Rows}×{Cols}", nameof(other));
        var (batch, stepA, stepB) = BroadcastBatch(this, other, "add");
        var plan = Pattern.UnionWith(other.Pattern);
        int bs = Shapes.Numel(batch), nnz = plan.Pattern.Nnz;
        var r = Backend.Allocate<T>(checked(bs * nnz));
        var ma = plan.MapA.On(Device); var mb = plan.MapB.On(Device);
        for (int b = 0; b < bs; b++)
        {
            Backend.Gather(Values, stepA ? b * Nnz : 0, ma, 0, r, b * nnz, nnz, alpha, accumulate: false);
            Backend.Gather(other.Values, stepB ? b * other.Nnz : 0, mb, 0, r, b * nnz, nnz, beta, accumulate: true);
        }
        return RecordAdd(other, alpha, beta, plan, stepA, stepB, new SparseTensor<T>(plan.Pattern, r, batch, null));
    }

    /// <summary>A + B on the union of the patterns (see <see cref="Add"/>).</summary>
    public static SparseTensor<T> operator +(SparseTensor<T> a, SparseTensor<T> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Add(b, T.One, T.One);
    }

    /// <summary>A − B on the union of the patterns (see <see cref="Add"/>).</summary>
    public static SparseTensor<T> operator -(SparseTensor<T> a, SparseTensor<T> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Add(b, T.One, -T.One);
    }

    /// <summary>−A.</summary>
    public static SparseTensor<T> operator -(SparseTensor<T> a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Negate();
    }

    /// <summary>s·A (see <see cref="Scale"/>).</summary>
    public static SparseTensor<T> operator *(SparseTensor<T> a, T s)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Scale(s);
    }

    /// <summary>s·A (see <see cref="Scale"/>).</summary>
    public static SparseTensor<T> operator *(T s, SparseTensor<T> a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Scale(s);
    }
}
