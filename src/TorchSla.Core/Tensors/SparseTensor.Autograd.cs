using TorchSla.Autodiff;
using TorchSla.Kernels;

namespace TorchSla;

/// <summary>
/// The sparse tensor's place on the tape. Gradients are taken with respect to the stored values
/// (on the pattern only: an implicit zero has no gradient), held per CSR slot as a dense tensor
/// <c>[B..., nnz]</c>, and mapped back to the entries the caller gave (duplicates included: every
/// entry summed into a slot receives that slot's gradient) by <see cref="Grad"/>.
/// </summary>
public sealed partial class SparseTensor<T>
{
    private GradNode<Tensor<T>>? _node;

    internal GradNode<Tensor<T>>? Node => _node;

    /// <summary>Whether gradients flow to the stored values. Set it on a tensor you built to make its values a leaf.</summary>
    /// <exception cref="InvalidOperationException">Set to false on a tensor computed from others (use <see cref="Detach"/>).</exception>
    public bool RequiresGrad
    {
        get => _node is not null;
        set
        {
            if (value == (_node is not null)) return;
            if (!value && !_node!.IsLeaf)
                throw new InvalidOperationException($"RequiresGrad cannot be turned off on the result of '{_node.Operation}': call Detach() for a tensor outside the graph");
            _node = value ? Tensor<T>.NewLeaf() : null;
        }
    }

    /// <summary>Marks the values as a leaf requiring a gradient and returns this tensor (for fluent code).</summary>
    public SparseTensor<T> RequireGrad()
    {
        RequiresGrad = true;
        return this;
    }

    /// <summary>Whether this tensor was built by the caller rather than computed by a recorded operation.</summary>
    public bool IsLeaf => _node is null || _node.IsLeaf;

    /// <summary>The node of the operation that produced this tensor (null for leaves and tensors outside the graph).</summary>
    public GradNode? GradFn => _node is { IsLeaf: false } n ? n : null;

    /// <summary>∂L/∂(stored values), one per CSR slot, shape <c>[B..., nnz]</c>; null until a backward pass reached this leaf.</summary>
    public Tensor<T>? ValuesGrad => _node?.Gradient;

    /// <summary>
    /// ∂L/∂(values the caller gave), one per input entry, shape <c>[B..., InputEntries]</c> in the
    /// caller's order (PyTorch's <c>values.grad</c>); an entry summed into a slot with others gets
    /// that slot's gradient. Null until a backward pass reached this leaf.
    /// </summary>
    public Tensor<T>? Grad
    {
        get
        {
            var g = ValuesGrad;
            if (g is null || EntryToSlot is null) return g;
            int m = EntryToSlot.Length;
            var r = Tensor<T>.Zeros([.. _batchShape, m], Device);
            var map = EntryMap.On(Device);
            for (int b = 0; b < BatchSize; b++)
                Backend.Gather(g.Storage, b * Nnz, map, 0, r.Storage, b * m, m, T.One, accumulate: false);
            return r;
        }
    }

    private IndexMap? _entryMap;
    private IndexMap EntryMap => _entryMap ??= new IndexMap(EntryToSlot!);

    /// <summary>Forgets the gradient accumulated in this leaf.</summary>
    public void ZeroGrad() => _node?.ClearGradient();

    /// <summary>The same pattern (shared) and a copy of the values, outside the graph.</summary>
    public SparseTensor<T> Detach()
    {
        var v = Backend.Allocate<T>(Values.Length);
        Backend.Copy(Values, 0, v, 0, Values.Length);
        return WithValues(v);
    }

    /// <summary>
    /// Backward pass from this sparse tensor: L = Σ_s gradient[s]·values[s] over the stored slots.
    /// </summary>
    /// <param name="valuesGradient">∂L/∂(stored values), shape <c>[B..., nnz]</c> (or B·nnz elements) on this tensor's device.</param>
    /// <param name="retainGraph">Keep the graph for another backward pass.</param>
    /// <exception cref="InvalidOperationException">The tensor does not require a gradient, or the graph was freed.</exception>
    /// <exception cref="ShapeMismatchException">The gradient does not hold B·nnz values.</exception>
    public void Backward(Tensor<T> valuesGradient, bool retainGraph = false)
    {
        ArgumentNullException.ThrowIfNull(valuesGradient);
        var node = _node ?? throw new InvalidOperationException($"Backward() on a sparse tensor {Shapes.Str(Shape)} that does not require a gradient");
        if (valuesGradient.Length != Values.Length)
            throw new ShapeMismatchException($"Backward: the values gradient has {valuesGradient.Length} elements, the tensor stores {Values.Length}", nameof(valuesGradient));
        if (valuesGradient.Device != Device)
            throw new ArgumentException($"Backward: the gradient lives on {valuesGradient.Device}, the tensor on {Device}", nameof(valuesGradient));
        Tape.Backward(node, valuesGradient.Reshape(ValuesShape), retainGraph);
    }

    /// <summary>Shape of a gradient with respect to the stored values: <c>[B..., nnz]</c>.</summary>
    internal int[] ValuesShape => [.. _batchShape, Nnz];

    internal bool Tracked => _node is not null && GradMode.IsEnabled;

    internal SparseTensor<T> Record(string op, GradNode[] inputs, Action<Tensor<T>> backward)
    {
        _node = new GradNode<Tensor<T>>(op, inputs, backward, Tensor<T>.AddGradients);
        return this;
    }

    /// <summary>A dense tensor viewing this tensor's values as <c>[B..., nnz]</c> (no copy, outside the graph).</summary>
    internal Tensor<T> ValuesView() => new(Values, ValuesShape, ownsStorage: false);

    /// <summary>A per-slot gradient of a unbatched operand summed over a batch of <paramref name="batch"/> value sets.</summary>
    internal static Tensor<T> SumOverBatch(Tensor<T> g, int batch, int nnz)
    {
        if (batch == 1) return g.Reshape(nnz);
        var r = Tensor<T>.Zeros([nnz], g.Device);
        for (int b = 0; b < batch; b++) g.Backend.Axpby(T.One, g.Storage, b * nnz, T.One, r.Storage, 0, nnz);
        return r;
    }
}
