using TorchSla.Autodiff;
using TorchSla.Kernels;

namespace TorchSla;

/// <summary>
/// The tensor's place on the tape: whether it requires a gradient, its gradient after
/// <see cref="Backward"/>, the node of the operation that produced it, and the version counter
/// that keeps a backward pass from reading a tensor changed in place after it was used.
/// </summary>
public sealed partial class Tensor<T>
{
    private GradNode<Tensor<T>>? _node;
    private int _version;

    /// <summary>The tape node of this tensor (a leaf, an operation's result), or null when it does not require a gradient.</summary>
    internal GradNode<Tensor<T>>? Node => _node;

    /// <summary>
    /// Whether gradients flow to this tensor. Set it on a tensor you created to make it a leaf
    /// whose <see cref="Grad"/> a <see cref="Backward"/> pass fills; results of operations on such
    /// tensors require a gradient by themselves (unless computed under <see cref="GradMode.NoGrad"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">Set to false on a tensor computed from others (use <see cref="Detach"/>).</exception>
    public bool RequiresGrad
    {
        get => _node is not null;
        set
        {
            if (value == (_node is not null)) return;
            if (!value && !_node!.IsLeaf)
                throw new InvalidOperationException($"RequiresGrad cannot be turned off on the result of '{_node.Operation}': call Detach() for a tensor outside the graph");
            _node = value ? NewLeaf() : null;
        }
    }

    /// <summary>Marks this tensor as a leaf requiring a gradient and returns it (for fluent code).</summary>
    public Tensor<T> RequireGrad()
    {
        RequiresGrad = true;
        return this;
    }

    /// <summary>Whether this tensor was created by the caller rather than computed by a recorded operation.</summary>
    public bool IsLeaf => _node is null || _node.IsLeaf;

    /// <summary>∂L/∂this summed over every backward pass so far (same shape); null until one reached this leaf.
    /// Only leaves keep their gradient.</summary>
    public Tensor<T>? Grad => _node?.Gradient;

    /// <summary>The node of the operation that produced this tensor (null for leaves and tensors outside the graph).</summary>
    public GradNode? GradFn => _node is { IsLeaf: false } n ? n : null;

    /// <summary>Forgets the gradient accumulated in this leaf.</summary>
    public void ZeroGrad() => _node?.ClearGradient();

    /// <summary>
    /// Reverse-mode differentiation: adds ∂L/∂leaf to the <see cref="Grad"/> of every leaf this
    /// tensor was computed from, where L = Σ gradient ∘ this (L = this for a one-element tensor
    /// when <paramref name="gradient"/> is omitted).
    /// </summary>
    /// <param name="gradient">∂L/∂this, same shape and device; may be omitted only for a one-element tensor.</param>
    /// <param name="retainGraph">Keep the graph for another backward pass.</param>
    /// <exception cref="InvalidOperationException">This tensor does not require a gradient; it has more than one element
    /// and no gradient was given; or the graph was already freed by an earlier pass.</exception>
    /// <exception cref="ShapeMismatchException">The gradient's shape differs from this tensor's.</exception>
    public void Backward(Tensor<T>? gradient = null, bool retainGraph = false)
    {
        var node = _node ?? throw new InvalidOperationException(
            $"Backward() on a tensor {Shapes.Str(_shape)} that does not require a gradient: set RequiresGrad on the inputs before computing it");
        if (gradient is null)
        {
            if (Length != 1)
                throw new InvalidOperationException(
                    $"Backward() without a gradient needs a scalar (one-element) tensor; this one has shape {Shapes.Str(_shape)}: pass ∂L/∂this as the gradient");
            gradient = Tensor<T>.Ones(_shape, Device);
        }
        else CheckGradient(gradient, "Backward");
        Tape.Backward(node, gradient, retainGraph);
    }

    /// <summary>The same values outside the graph (no copy: the storage is shared and no gradient flows through).</summary>
    public Tensor<T> Detach() => new(Storage, (int[])_shape.Clone(), ownsStorage: false);

    /// <summary>How many times the tensor was changed in place (a backward pass refuses tensors changed after they were recorded).</summary>
    internal int Version => _version;

    /// <summary>Counts an in-place change; refused on a leaf that requires a gradient while recording (its gradient would not mean anything).</summary>
    internal void MarkModified(string op)
    {
        if (_node is not null && GradMode.IsEnabled)
            throw new InvalidOperationException(
                $"{op}: in-place change of a tensor {Shapes.Str(_shape)} that requires a gradient; do it under GradMode.NoGrad() (e.g. a parameter update) or on a Detach()ed copy");
        _version++;
    }

    /// <summary>Checks that a gradient fits this tensor (shape and device).</summary>
    internal void CheckGradient(Tensor<T> g, string op)
    {
        ArgumentNullException.ThrowIfNull(g);
        if (!Shapes.Equal(_shape, g._shape))
            throw new ShapeMismatchException($"{op}: the gradient has shape {Shapes.Str(g._shape)}, the tensor {Shapes.Str(_shape)}", "gradient");
        if (g.Device != Device)
            throw new ArgumentException($"{op}: the gradient lives on {g.Device}, the tensor on {Device}", "gradient");
    }

    // ---------------------------------------------------------------- recording

    internal static GradNode<Tensor<T>> NewLeaf() => new(AddGradients, g => g.CloneRaw());

    /// <summary>a + b as a new tensor, never recorded (the tape's gradient addition).</summary>
    internal static Tensor<T> AddGradients(Tensor<T> a, Tensor<T> b)
    {
        var r = b.CloneRaw();
        r.Backend.Axpby(T.One, a.Storage, 0, T.One, r.Storage, 0, r.Length);
        return r;
    }

    /// <summary>A copy on the same device that is never recorded.</summary>
    internal Tensor<T> CloneRaw()
    {
        var s = Backend.Allocate<T>(Length);
        Backend.Copy(Storage, 0, s, 0, Length);
        return new Tensor<T>(s, (int[])_shape.Clone());
    }

    /// <summary>Whether an operation on this tensor is to be recorded.</summary>
    internal bool Tracked => _node is not null && GradMode.IsEnabled;

    /// <summary>Makes this tensor the result of <paramref name="op"/>, whose backward closure feeds <paramref name="inputs"/>; returns this.</summary>
    internal Tensor<T> Record(string op, GradNode[] inputs, Action<Tensor<T>> backward)
    {
        _node = new GradNode<Tensor<T>>(op, inputs, backward, AddGradients);
        return this;
    }

    /// <summary>The nodes among <paramref name="nodes"/> that exist, for a node's input list.</summary>
    internal static GradNode[] Present(params GradNode?[] nodes)
    {
        int c = 0;
        foreach (var n in nodes) if (n is not null) c++;
        var r = new GradNode[c];
        c = 0;
        foreach (var n in nodes) if (n is not null) r[c++] = n;
        return r;
    }

    /// <summary>
    /// A reference to a tensor the backward closure will read, with the version it had when
    /// recorded: reading it after an in-place change fails loudly instead of giving a wrong gradient.
    /// </summary>
    internal Saved Save() => new(this, _version);

    internal readonly struct Saved(Tensor<T> tensor, int version)
    {
        public Tensor<T> Get(string op) => tensor._version == version ? tensor : throw new InvalidOperationException(
            $"backward of '{op}': a tensor {Shapes.Str(tensor._shape)} it saved was changed in place after the operation (version {version} → {tensor._version}); recompute instead of changing it in place");
    }

    // ---------------------------------------------------------------- rules of the operations defined in Tensor.cs

    internal Tensor<T> RecordAxpby(T alpha, T beta, Tensor<T> other, Tensor<T> result)
    {
        if (!Tracked && !other.Tracked) return result;
        GradNode<Tensor<T>>? na = _node, nb = other._node;
        // r = α·a + β·b: ∂L/∂a = α·ḡ, ∂L/∂b = β·ḡ.
        return result.Record("axpby", Present(na, nb), g =>
        {
            na?.Accumulate(g.ScaleRaw(alpha));
            nb?.Accumulate(g.ScaleRaw(beta));
        });
    }

    internal Tensor<T> RecordScale(T s, Tensor<T> result)
    {
        if (!Tracked) return result;
        var na = _node!;
        return result.Record("scale", [na], g => na.Accumulate(g.ScaleRaw(s)));
    }

    /// <summary>A result with the same values in another shape (clone, reshape): the gradient is reshaped back.</summary>
    internal Tensor<T> RecordSameValues(string op, Tensor<T> result)
    {
        if (!Tracked) return result;
        var na = _node!;
        var shape = (int[])_shape.Clone();
        var device = Device;
        return result.Record(op, [na], g => na.Accumulate(g.Device == device && Shapes.Equal(g._shape, shape)
            ? g : new Tensor<T>(g.To(device).CloneRaw().Storage, (int[])shape.Clone())));
    }

    /// <summary>s·this as a new tensor, never recorded.</summary>
    internal Tensor<T> ScaleRaw(T s)
    {
        if (s == T.One) return this;
        var r = Backend.Allocate<T>(Length);
        Backend.Axpby(s, Storage, 0, T.Zero, r, 0, Length);
        return new Tensor<T>(r, (int[])_shape.Clone());
    }

    /// <summary>The result of a cast recorded on the tape (the gradient is cast back).</summary>
    internal Tensor<TOut> RecordCast<TOut>(Tensor<TOut> result) where TOut : unmanaged, System.Numerics.IFloatingPointIeee754<TOut>
    {
        if (!Tracked) return result;
        var na = _node!;
        return result.Record("cast", [na], g => na.Accumulate(g.Cast<T>()));
    }

    /// <summary>Elementwise z = x ∘ y on the device, never recorded.</summary>
    internal static Tensor<T> BinaryRaw(BinaryOp op, Tensor<T> x, Tensor<T> y)
    {
        var r = x.Backend.Allocate<T>(x.Length);
        x.Backend.Binary(op, x.Storage, 0, y.Storage, 0, r, 0, x.Length);
        return new Tensor<T>(r, (int[])x._shape.Clone());
    }

    /// <summary>Elementwise y = f(x; p) on the device, never recorded.</summary>
    internal Tensor<T> PointwiseRaw(PointwiseOp op, T p)
    {
        var r = Backend.Allocate<T>(Length);
        Backend.Pointwise(op, p, Storage, 0, r, 0, Length);
        return new Tensor<T>(r, (int[])_shape.Clone());
    }
}
