namespace TorchSla.Kernels;

/// <summary>Elementwise maps y = f(x; p) behind the dense algebra with gradients (see <see cref="Backend.Pointwise{T}"/>).</summary>
public enum PointwiseOp
{
    /// <summary>f(x) = eˣ.</summary>
    Exp,
    /// <summary>f(x) = ln x (NaN for x &lt; 0, −∞ at 0).</summary>
    Log,
    /// <summary>f(x) = √x.</summary>
    Sqrt,
    /// <summary>f(x; p) = xᵖ.</summary>
    Pow,
    /// <summary>f(x) = sign(x) ∈ {−1, 0, 1} (the subgradient of |x| taken as 0 at 0, as in PyTorch).</summary>
    Sign,
    /// <summary>f(x; p) = x + p.</summary>
    AddScalar,
    /// <summary>f(x; p) = p / x.</summary>
    DivideScalarBy,
}

/// <summary>Elementwise maps z = f(x, y) of two operands (see <see cref="Backend.Binary{T}"/>).</summary>
public enum BinaryOp
{
    /// <summary>z = x·y (Hadamard product).</summary>
    Multiply,
    /// <summary>z = x / y.</summary>
    Divide,
}
