using TorchSla.Autodiff;

namespace TorchSla;

/// <summary>
/// New values on an existing pattern, from a dense tensor that may itself be computed on the tape
/// (a coefficient field, a parametrised stencil): the way to make a sparse matrix a differentiable
/// function of parameters. Values are given per input entry, as to the constructor, and summed into
/// their slots; the gradient of each entry is the gradient of its slot.
/// </summary>
public sealed partial class SparseTensor<T>
{
    private SparsePattern? _entryScatter;

    /// <summary>
    /// A tensor with this tensor's pattern and entry layout and the values <paramref name="values"/>,
    /// one per entry the caller gave (<see cref="InputEntries"/>), duplicates summed — shape
    /// <c>[InputEntries]</c> for one matrix or <c>[B..., InputEntries]</c> for a batch with B's dimensions.
    /// Recorded on the tape: ∂L/∂values[k] = ∂L/∂(stored value of entry k's slot).
    /// </summary>
    /// <exception cref="ShapeMismatchException">The values do not hold InputEntries per matrix.</exception>
    /// <exception cref="ArgumentException">The values live on another device.</exception>
    public SparseTensor<T> WithValues(Tensor<T> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Device != Device) throw new ArgumentException($"WithValues: the tensor lives on {Device}, the values on {values.Device}", nameof(values));
        int m = InputEntries;
        if (m == 0 ? values.Length != 0 : values.Length == 0 || values.Length % m != 0)
            throw new ShapeMismatchException($"WithValues: {values.Length} values for {m} entries per matrix", nameof(values));
        int sets = m == 0 ? BatchSize : values.Length / m;
        int[] batch = sets == BatchSize ? _batchShape : values.Rank >= 2 ? values.Shape[..^1] : [sets];
        if (sets == 1 && values.Rank <= 1) batch = [];
        if (Shapes.Numel(batch) != sets)
            throw new ShapeMismatchException($"WithValues: values of shape {Shapes.Str(values.ShapeSpan)} do not hold {m} entries per matrix", nameof(values));
        var r = Backend.Allocate<T>(checked(sets * Nnz));
        if (EntryToSlot is null)
            Backend.Copy(values.Storage, 0, r, 0, values.Length);
        else if (m > 0)
        {
            // Summing duplicates is a product with the 0/1 matrix whose row s lists the entries of slot s.
            var s = (_entryScatter ??= EntryScatterPattern()).On(Device);
            using var ones = Backend.Allocate<T>(m);
            Backend.Fill(ones, 0, m, T.One);
            for (int b = 0; b < sets; b++) Backend.SpMV(s, ones, 0, values.Storage, b * m, r, b * Nnz, T.One, T.Zero);
        }
        var result = new SparseTensor<T>(Pattern, r, batch, EntryToSlot);
        if (!values.Tracked) return result;
        var nv = values.Node!;
        var vShape = values.Shape;
        return result.Record("with-values", [nv], g =>
        {
            if (EntryToSlot is null) { nv.Accumulate(g.Reshape(vShape)); return; }
            var gv = Tensor<T>.Zeros(vShape, Device);
            var map = EntryMap.On(Device);
            for (int b = 0; b < sets; b++) Backend.Gather(g.Storage, b * Nnz, map, 0, gv.Storage, b * m, m, T.One, accumulate: false);
            nv.Accumulate(gv);
        });
    }

    private SparsePattern EntryScatterPattern()
    {
        var e2s = EntryToSlot!;
        var rowPtr = new int[Nnz + 1];
        foreach (int s in e2s) rowPtr[s + 1]++;
        for (int s = 0; s < Nnz; s++) rowPtr[s + 1] += rowPtr[s];
        var next = (int[])rowPtr.Clone();
        var col = new int[e2s.Length];
        for (int k = 0; k < e2s.Length; k++) col[next[e2s[k]]++] = k;
        return new SparsePattern(Nnz, e2s.Length, rowPtr, col);
    }
}
