namespace TorchSla.Autodiff;

/// <summary>
/// One node of the tape: the operation that produced a value, the nodes of the inputs it was
/// computed from, and (through <see cref="GradNode{TGrad}"/>) the gradient flowing into it and
/// the backward closure that pushes that gradient to the inputs. A leaf node stands for a value
/// the caller marked as requiring a gradient; its gradient is kept and summed over every use
/// and every <see cref="Tape.Backward{TGrad}"/> call.
/// The tape knows nothing of what the values are (dense tensors, sparse values): the closure
/// does the mathematics and the gradient type brings its own addition.
/// </summary>
public abstract class GradNode
{
    private readonly GradNode[] _inputs;

    private protected GradNode(string operation, GradNode[] inputs)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(inputs);
        Operation = operation;
        _inputs = (GradNode[])inputs.Clone();
    }

    /// <summary>The operation's name (<c>"leaf"</c> for a leaf), used in error messages and graph dumps.</summary>
    public string Operation { get; }

    /// <summary>The nodes of the inputs that require a gradient, in the order the backward closure uses them.</summary>
    public IReadOnlyList<GradNode> Inputs => _inputs;

    /// <summary>Whether this node stands for a value created by the caller (no backward closure).</summary>
    public abstract bool IsLeaf { get; }

    /// <summary>Whether a <see cref="Tape.Backward{TGrad}"/> without <c>retainGraph</c> has already run through this node and released its closure.</summary>
    public abstract bool IsFreed { get; }

    internal GradNode[] InputArray => _inputs;

    /// <summary>Whether a gradient is waiting to be pushed to the inputs.</summary>
    internal abstract bool HasPendingGradient { get; }

    /// <summary>Runs the backward closure on the pending gradient, then drops the pending gradient
    /// (and the closure, unless <paramref name="retainGraph"/>).</summary>
    internal abstract void Propagate(bool retainGraph);

    /// <summary>Drops a pending gradient without propagating it (used when a walk is abandoned).</summary>
    internal abstract void DiscardPending();

    /// <inheritdoc/>
    public override string ToString() => IsLeaf ? "leaf" : Operation;
}

/// <summary>
/// A tape node whose gradient has type <typeparamref name="TGrad"/> (for TorchSla, a dense
/// tensor: of the value itself, or of a sparse tensor's stored values).
/// </summary>
/// <typeparam name="TGrad">The gradient's type; the addition given to the constructor must not modify its arguments.</typeparam>
public sealed class GradNode<TGrad> : GradNode where TGrad : class
{
    private readonly Func<TGrad, TGrad, TGrad> _add;
    private readonly Func<TGrad, TGrad>? _copy;
    private Action<TGrad>? _backward;
    private TGrad? _pending;
    private bool _freed;

    /// <summary>A leaf: a value the caller wants the gradient of.</summary>
    /// <param name="add">Gradient addition a + b returning a new value (the tape never adds in place).</param>
    /// <param name="copy">Makes the private copy a leaf keeps of the first gradient it receives, so that
    /// the caller's later changes to <see cref="Gradient"/> cannot reach another node's gradient.</param>
    public GradNode(Func<TGrad, TGrad, TGrad> add, Func<TGrad, TGrad> copy) : base("leaf", [])
    {
        ArgumentNullException.ThrowIfNull(add);
        ArgumentNullException.ThrowIfNull(copy);
        _add = add; _copy = copy;
    }

    /// <summary>An interior node: the result of <paramref name="operation"/> applied to values with the given nodes.</summary>
    /// <param name="operation">Name of the operation.</param>
    /// <param name="inputs">Nodes of the inputs that require a gradient (the closure feeds exactly these).</param>
    /// <param name="backward">Given the gradient with respect to this node's value, adds the gradients with
    /// respect to the inputs through their <see cref="Accumulate"/> (the vector–Jacobian product).</param>
    /// <param name="add">Gradient addition a + b returning a new value.</param>
    public GradNode(string operation, GradNode[] inputs, Action<TGrad> backward, Func<TGrad, TGrad, TGrad> add)
        : base(operation, inputs)
    {
        ArgumentNullException.ThrowIfNull(backward);
        ArgumentNullException.ThrowIfNull(add);
        if (inputs.Length == 0)
            throw new ArgumentException($"operation '{operation}' has no input that requires a gradient: record no node for it", nameof(inputs));
        _backward = backward; _add = add;
    }

    /// <inheritdoc/>
    public override bool IsLeaf => _copy is not null;

    /// <inheritdoc/>
    public override bool IsFreed => _freed;

    /// <summary>For a leaf, the gradient summed so far (null before any backward pass reached it).
    /// Interior nodes do not keep theirs: it is released once pushed to the inputs.</summary>
    public TGrad? Gradient => IsLeaf ? _pending : null;

    internal override bool HasPendingGradient => _pending is not null;

    /// <summary>Adds <paramref name="gradient"/> to the gradient flowing into this node.</summary>
    public void Accumulate(TGrad gradient)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        if (_pending is null) _pending = _copy is null ? gradient : _copy(gradient);
        else _pending = _add(_pending, gradient);
    }

    /// <summary>Forgets the gradient of a leaf (PyTorch's <c>zero_grad</c> with <c>set_to_none</c>).</summary>
    public void ClearGradient() => _pending = null;

    internal override void Propagate(bool retainGraph)
    {
        if (IsLeaf || _pending is null) return;
        var backward = _backward ?? throw Tape.FreedError(this);
        var g = _pending;
        _pending = null;
        if (!retainGraph) { _backward = null; _freed = true; }
        backward(g);
    }

    internal override void DiscardPending()
    {
        if (!IsLeaf) _pending = null;
    }
}
