using System.Numerics;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// An operator of one precision used in another: y = cast(Op(cast(x))). The usual use is a
/// float32 preconditioner (half the memory and bandwidth of its hierarchy) inside a float64
/// Krylov solve: the outer method keeps its accuracy, because a preconditioner only needs to
/// be a fixed operator close to A⁻¹, and rounding to float32 changes it by a relative 6·10⁻⁸
/// (Carson &amp; Higham, SIAM J. Sci. Comput. 40 (2018) A817–A847, on mixed-precision refinement).
/// Conversions go through the host; the two work vectors are allocated once.
/// </summary>
/// <typeparam name="TOuter">The precision of the vectors passed in and out.</typeparam>
/// <typeparam name="TInner">The precision the wrapped operator computes in.</typeparam>
public sealed class MixedPrecisionOperator<TOuter, TInner> : ILinearOperator<TOuter>, IDisposable
    where TOuter : unmanaged, IFloatingPointIeee754<TOuter>
    where TInner : unmanaged, IFloatingPointIeee754<TInner>
{
    private readonly ILinearOperator<TInner> _inner;
    private readonly Tensor<TInner> _x, _y;
    private readonly TInner[] _hostIn;
    private readonly TOuter[] _hostOut;

    /// <summary>Wraps <paramref name="inner"/> (not owned).</summary>
    public MixedPrecisionOperator(ILinearOperator<TInner> inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _x = Tensor<TInner>.Zeros([inner.Cols], inner.Device);
        _y = Tensor<TInner>.Zeros([inner.Rows], inner.Device);
        _hostIn = new TInner[inner.Cols];
        _hostOut = new TOuter[inner.Rows];
    }

    /// <inheritdoc/>
    public int Rows => _inner.Rows;

    /// <inheritdoc/>
    public int Cols => _inner.Cols;

    /// <inheritdoc/>
    public Device Device => _inner.Device;

    /// <summary>y ← cast(Op(cast(x))).</summary>
    /// <exception cref="ShapeMismatchException">x or y has the wrong length.</exception>
    public void Apply(Tensor<TOuter> x, Tensor<TOuter> y)
    {
        ArgumentNullException.ThrowIfNull(x); ArgumentNullException.ThrowIfNull(y);
        if (x.Length != Cols || y.Length != Rows)
            throw new ShapeMismatchException($"the operator is {Rows}×{Cols}, x has {x.Length} and y {y.Length} elements");
        var xs = x.ToArray();
        for (int i = 0; i < xs.Length; i++) _hostIn[i] = TInner.CreateTruncating(xs[i]);
        _x.Storage.CopyFrom(_hostIn);
        _inner.Apply(_x, _y);
        var ys = _y.ToArray();
        for (int i = 0; i < ys.Length; i++) _hostOut[i] = TOuter.CreateTruncating(ys[i]);
        y.Storage.CopyFrom(_hostOut);
    }

    /// <summary>Frees the work vectors (the wrapped operator stays).</summary>
    public void Dispose() { _x.Dispose(); _y.Dispose(); }
}
