namespace TorchSla.Kernels;

/// <summary>Elementwise maps y = scale·op(x) the backends implement.</summary>
public enum UnaryOp
{
    /// <summary>op(x) = x.</summary>
    Identity,
    /// <summary>op(x) = |x|.</summary>
    Abs,
    /// <summary>op(x) = x².</summary>
    Square,
}

/// <summary>Reductions the backends implement, each in a fixed, deterministic order.</summary>
public enum ReduceOp
{
    /// <summary>Σ x_i (0 for no elements).</summary>
    Sum,
    /// <summary>Σ |x_i|.</summary>
    SumAbs,
    /// <summary>Σ x_i².</summary>
    SumSquares,
    /// <summary>max x_i (−∞ for no elements; NaN if any is NaN).</summary>
    Max,
    /// <summary>min x_i (+∞ for no elements; NaN if any is NaN).</summary>
    Min,
    /// <summary>max |x_i| (0 for no elements; NaN if any is NaN).</summary>
    MaxAbs,
    /// <summary>Π x_i (1 for no elements).</summary>
    Prod,
}
