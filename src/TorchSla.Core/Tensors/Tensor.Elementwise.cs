using TorchSla.Autodiff;
using TorchSla.Kernels;

namespace TorchSla;

/// <summary>
/// Elementwise algebra with gradients, enough to write losses and nonlinear residuals:
/// x ∘ y, x / y, scalar shifts and divisions, xᵖ, eˣ, ln x, √x, |x|. Operands have equal shapes
/// (no broadcasting) and live on one device; each result records its rule on the tape.
/// </summary>
public sealed partial class Tensor<T>
{
    /// <summary>Elementwise (Hadamard) product x ∘ y. Gradient: ḡ_x = ḡ ∘ y, ḡ_y = ḡ ∘ x.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<T> operator *(Tensor<T> x, Tensor<T> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        x.CheckSame(y, "multiply");
        var z = BinaryRaw(BinaryOp.Multiply, x, y);
        if (!x.Tracked && !y.Tracked) return z;
        GradNode<Tensor<T>>? nx = x._node, ny = y._node;
        var sx = x.Save(); var sy = y.Save();
        return z.Record("multiply", Present(nx, ny), g =>
        {
            nx?.Accumulate(BinaryRaw(BinaryOp.Multiply, g, sy.Get("multiply")));
            ny?.Accumulate(BinaryRaw(BinaryOp.Multiply, g, sx.Get("multiply")));
        });
    }

    /// <summary>Elementwise quotient x / y. Gradient: ḡ_x = ḡ / y, ḡ_y = −ḡ ∘ z / y with z = x / y.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<T> operator /(Tensor<T> x, Tensor<T> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        x.CheckSame(y, "divide");
        var z = BinaryRaw(BinaryOp.Divide, x, y);
        if (!x.Tracked && !y.Tracked) return z;
        GradNode<Tensor<T>>? nx = x._node, ny = y._node;
        var sy = y.Save();
        var zv = z.CloneRaw(); // z itself may be changed in place later; its values are what the rule needs
        return z.Record("divide", Present(nx, ny), g =>
        {
            var gy = BinaryRaw(BinaryOp.Divide, g, sy.Get("divide"));
            nx?.Accumulate(gy);
            ny?.Accumulate(BinaryRaw(BinaryOp.Multiply, gy, zv).ScaleRaw(-T.One));
        });
    }

    /// <summary>x / s. Gradient: ḡ / s.</summary>
    public static Tensor<T> operator /(Tensor<T> x, T s) => x * (T.One / s);

    /// <summary>s / x elementwise. Gradient: −ḡ ∘ s / x².</summary>
    public static Tensor<T> operator /(T s, Tensor<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var z = x.PointwiseRaw(PointwiseOp.DivideScalarBy, s);
        if (!x.Tracked) return z;
        var sx = x.Save();
        var zv = z.CloneRaw();
        var nx = x._node!;
        return z.Record("scalar-divide", [nx], g =>
            nx.Accumulate(BinaryRaw(BinaryOp.Divide, BinaryRaw(BinaryOp.Multiply, g, zv), sx.Get("scalar-divide")).ScaleRaw(-T.One)));
    }

    /// <summary>x + s elementwise. Gradient: ḡ.</summary>
    public static Tensor<T> operator +(Tensor<T> x, T s)
    {
        ArgumentNullException.ThrowIfNull(x);
        var z = x.PointwiseRaw(PointwiseOp.AddScalar, s);
        if (!x.Tracked) return z;
        var nx = x._node!;
        return z.Record("add-scalar", [nx], nx.Accumulate);
    }

    /// <summary>s + x elementwise.</summary>
    public static Tensor<T> operator +(T s, Tensor<T> x) => x + s;

    /// <summary>x − s elementwise.</summary>
    public static Tensor<T> operator -(Tensor<T> x, T s) => x + (-s);

    /// <summary>s − x elementwise.</summary>
    public static Tensor<T> operator -(T s, Tensor<T> x) => (-x) + s;

    /// <summary>xᵖ elementwise. Gradient: p·x^(p−1) ∘ ḡ.</summary>
    public Tensor<T> Pow(T p)
    {
        var z = PointwiseRaw(PointwiseOp.Pow, p);
        if (!Tracked) return z;
        var sx = Save();
        var nx = _node!;
        return z.Record("pow", [nx], g =>
            nx.Accumulate(BinaryRaw(BinaryOp.Multiply, g, sx.Get("pow").PointwiseRaw(PointwiseOp.Pow, p - T.One)).ScaleRaw(p)));
    }

    /// <summary>x² elementwise (see <see cref="Pow"/>).</summary>
    public Tensor<T> Square() => this * this;

    /// <summary>eˣ elementwise. Gradient: eˣ ∘ ḡ.</summary>
    public Tensor<T> Exp()
    {
        var z = PointwiseRaw(PointwiseOp.Exp, T.Zero);
        if (!Tracked) return z;
        var nx = _node!;
        var zv = z.CloneRaw();
        return z.Record("exp", [nx], g => nx.Accumulate(BinaryRaw(BinaryOp.Multiply, g, zv)));
    }

    /// <summary>ln x elementwise. Gradient: ḡ / x.</summary>
    public Tensor<T> Log()
    {
        var z = PointwiseRaw(PointwiseOp.Log, T.Zero);
        if (!Tracked) return z;
        var nx = _node!;
        var sx = Save();
        return z.Record("log", [nx], g => nx.Accumulate(BinaryRaw(BinaryOp.Divide, g, sx.Get("log"))));
    }

    /// <summary>√x elementwise. Gradient: ḡ / (2√x).</summary>
    public Tensor<T> Sqrt()
    {
        var z = PointwiseRaw(PointwiseOp.Sqrt, T.Zero);
        if (!Tracked) return z;
        var nx = _node!;
        var zv = z.CloneRaw();
        T half = T.One / (T.One + T.One);
        return z.Record("sqrt", [nx], g => nx.Accumulate(BinaryRaw(BinaryOp.Divide, g, zv).ScaleRaw(half)));
    }

    /// <summary>|x| elementwise. Gradient: sign(x) ∘ ḡ (0 at x = 0, as in PyTorch).</summary>
    public Tensor<T> Abs()
    {
        var r = Backend.Allocate<T>(Length);
        Backend.Map(UnaryOp.Abs, T.One, Storage, 0, r, 0, Length);
        var z = new Tensor<T>(r, (int[])_shape.Clone());
        if (!Tracked) return z;
        var nx = _node!;
        var sign = PointwiseRaw(PointwiseOp.Sign, T.Zero);
        return z.Record("abs", [nx], g => nx.Accumulate(BinaryRaw(BinaryOp.Multiply, g, sign)));
    }

    /// <summary>The single value of a one-element tensor (e.g. a loss).</summary>
    /// <exception cref="InvalidOperationException">The tensor has more than one element.</exception>
    public T ToScalar()
    {
        if (Length != 1) throw new InvalidOperationException($"ToScalar() needs a one-element tensor; this one has shape {Shapes.Str(_shape)}");
        return ToArray()[0];
    }
}
