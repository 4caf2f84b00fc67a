using System.Numerics;
using TorchSla.Kernels;
using TorchSla.Kernels.Memory;

namespace TorchSla;

/// <summary>
/// A sparse matrix, or a batch of sparse matrices sharing one pattern, of shape
/// <c>[..., M, N]</c>. Stored canonically as CSR (rows sorted, duplicates summed) with the
/// map from each entry the caller gave (COO) to its stored slot, so that gradients with
/// respect to the stored values can be mapped back entry by entry.
/// The pattern is immutable and shared; analyses of it (transposition map, diagonal) are
/// cached on first use. Values live on <see cref="Device"/>.
/// </summary>
/// <typeparam name="T"><see cref="double"/> or <see cref="float"/>.</typeparam>
public sealed partial class SparseTensor<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] _batchShape;

    internal SparseTensor(SparsePattern pattern, Storage<T> values, int[] batchShape, int[]? entryToSlot)
    {
        _ = DTypes.Of<T>();
        Pattern = pattern;
        Values = values;
        _batchShape = batchShape;
        BatchSize = Shapes.Numel(batchShape);
        EntryToSlot = entryToSlot;
        if (values.Length != (long)BatchSize * pattern.Nnz)
            throw new ShapeMismatchException($"{BatchSize} value sets of {pattern.Nnz} entries need {(long)BatchSize * pattern.Nnz} values, got {values.Length}");
    }

    /// <summary>
    /// Builds a sparse tensor from coordinate triplets in any order; duplicates are summed.
    /// </summary>
    /// <param name="values">One value per entry, or for a batch <c>[..., M, N]</c> one set of
    /// <c>row.Length</c> values per matrix, set after set (row-major <c>[B, nnz]</c>).</param>
    /// <param name="row">Row index of each entry, in [0, M).</param>
    /// <param name="col">Column index of each entry, in [0, N).</param>
    /// <param name="shape"><c>[M, N]</c> or <c>[B..., M, N]</c>.</param>
    /// <param name="allowNonFinite">Accept NaN and ±∞ values (rejected by default with
    /// <see cref="NonFiniteValueException"/>, since no solver can use them). Solvers still check.</param>
    /// <param name="device">Where the values go (default CPU).</param>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range (the entry is named).</exception>
    /// <exception cref="ShapeMismatchException">Lengths or shape do not fit together.</exception>
    /// <exception cref="NonFiniteValueException">A value is NaN or infinite and <paramref name="allowNonFinite"/> is false.</exception>
    public SparseTensor(ReadOnlySpan<T> values, ReadOnlySpan<int> row, ReadOnlySpan<int> col, int[] shape, bool allowNonFinite = false, Device? device = null)
        : this(FromCoo(values, row, col, shape, allowNonFinite, device ?? Device.Cpu)) { }

    private SparseTensor(SparseTensor<T> built) : this(built.Pattern, built.Values, built._batchShape, built.EntryToSlot) { }

    private static SparseTensor<T> FromCoo(ReadOnlySpan<T> values, ReadOnlySpan<int> row, ReadOnlySpan<int> col, int[] shape, bool allowNonFinite, Device device)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var (batch, rows, cols) = SplitShape(shape);
        int batchSize = Shapes.Numel(batch);
        int m = row.Length;
        if (col.Length != m)
            throw new ShapeMismatchException($"row has {m} indices but col has {col.Length}", nameof(col));
        if ((long)values.Length != (long)batchSize * m)
            throw new ShapeMismatchException(
                batch.Length == 0
                    ? $"values has {values.Length} entries but row/col have {m}"
                    : $"values has {values.Length} entries but a batch {Shapes.Str(batch)} of {m} entries needs {(long)batchSize * m}",
                nameof(values));
        if (!allowNonFinite) CheckFinite(values);
        var (pattern, map) = CooToCsr.Build(row, col, rows, cols, device);
        var csr = new T[(long)batchSize * pattern.Nnz];
        for (int b = 0; b < batchSize; b++)
        {
            var src = values.Slice(b * m, m);
            var dst = csr.AsSpan(b * pattern.Nnz, pattern.Nnz);
            for (int k = 0; k < m; k++) dst[map[k]] += src[k];
        }
        var storage = BackendRegistry.Get(device).Upload<T>(csr);
        return new SparseTensor<T>(pattern, storage, batch, map);
    }

    internal static void CheckFinite(ReadOnlySpan<T> values)
    {
        for (int k = 0; k < values.Length; k++)
            if (!T.IsFinite(values[k]))
                throw new NonFiniteValueException($"value {k} is {values[k]}: NaN and infinite values are rejected (pass allowNonFinite: true to keep them)", k);
    }

    internal static (int[] Batch, int Rows, int Cols) SplitShape(int[] shape)
    {
        if (shape.Length < 2)
            throw new ShapeMismatchException($"a sparse tensor needs shape [M, N] or [..., M, N], got {Shapes.Str(shape)}", nameof(shape));
        _ = Shapes.Numel(shape.AsSpan(0, shape.Length - 2)); // rejects negative batch dims
        int rows = shape[^2], cols = shape[^1];
        if (rows < 0 || cols < 0)
            throw new ArgumentOutOfRangeException(nameof(shape), $"shape {Shapes.Str(shape)} has a negative dimension");
        return (shape[..^2], rows, cols);
    }

    // ---------------------------------------------------------------- state

    internal SparsePattern Pattern { get; }

    /// <summary>Values in CSR order, B sets of <see cref="Nnz"/>, on <see cref="Device"/>.</summary>
    internal Storage<T> Values { get; }

    /// <summary>For each entry the caller gave, the stored slot it was summed into (null when built from CSR).</summary>
    internal int[]? EntryToSlot { get; }

    internal Backend Backend => BackendRegistry.Get(Device);

    internal CsrIndices Indices => Pattern.On(Device);

    /// <summary>Rows of each matrix (M).</summary>
    public int Rows => Pattern.Rows;

    /// <summary>Columns of each matrix (N).</summary>
    public int Cols => Pattern.Cols;

    /// <summary>Stored entries per matrix (after merging duplicates).</summary>
    public int Nnz => Pattern.Nnz;

    /// <summary>The leading batch dimensions (empty for a single matrix).</summary>
    public int[] BatchShape => (int[])_batchShape.Clone();

    /// <summary>Number of matrices (product of the batch dimensions; 1 for a single matrix).</summary>
    public int BatchSize { get; }

    /// <summary>Whether the tensor has batch dimensions.</summary>
    public bool IsBatched => _batchShape.Length > 0;

    /// <summary>Full shape <c>[..., M, N]</c>.</summary>
    public int[] Shape => [.. _batchShape, Rows, Cols];

    /// <summary>Whether M = N.</summary>
    public bool IsSquare => Rows == Cols;

    /// <summary>Where the values live.</summary>
    public Device Device => Values.Device;

    /// <summary>Element type.</summary>
    public DType DType => DTypes.Of<T>();

    /// <summary>Number of (row, col, value) entries the tensor was built from (before merging duplicates).</summary>
    public int InputEntries => EntryToSlot?.Length ?? Nnz;

    /// <summary>CSR row offsets (a copy, length M+1).</summary>
    public int[] RowPointers => (int[])Pattern.RowPtr.Clone();

    /// <summary>CSR column indices (a copy, length nnz).</summary>
    public int[] ColumnIndices => (int[])Pattern.ColInd.Clone();

    /// <summary>Stored values in CSR order for every matrix of the batch (a host copy, length B·nnz).</summary>
    public T[] GetValues() => Values.ToArray();

    /// <summary>Stored values of matrix <paramref name="batchIndex"/> in CSR order (a host copy).</summary>
    public T[] GetValues(int batchIndex)
    {
        if ((uint)batchIndex >= (uint)BatchSize) throw new ArgumentOutOfRangeException(nameof(batchIndex), $"batch index {batchIndex} is out of range [0, {BatchSize})");
        return GetValues().AsSpan(batchIndex * Nnz, Nnz).ToArray();
    }

    /// <summary>
    /// Maps per-slot quantities (e.g. a gradient with respect to the stored values, length B·nnz)
    /// back to the entries the caller gave (length B·InputEntries): entry k receives the
    /// quantity of the slot it was summed into.
    /// </summary>
    public T[] SlotsToEntries(ReadOnlySpan<T> perSlot)
    {
        if (perSlot.Length != BatchSize * Nnz)
            throw new ShapeMismatchException($"expected {BatchSize * Nnz} per-slot values, got {perSlot.Length}");
        if (EntryToSlot is null) return perSlot.ToArray();
        int m = EntryToSlot.Length;
        var r = new T[BatchSize * m];
        for (int b = 0; b < BatchSize; b++)
            for (int k = 0; k < m; k++) r[b * m + k] = perSlot[b * Nnz + EntryToSlot[k]];
        return r;
    }

    /// <summary>The same pattern with new values (B·nnz in CSR order) on the same device.</summary>
    internal SparseTensor<T> WithValues(Storage<T> values, int[]? batchShape = null) =>
        new(Pattern, values, batchShape ?? _batchShape, EntryToSlot);

    /// <summary>The same pattern with new host values (B·nnz in CSR order), uploaded to the tensor's device.</summary>
    internal SparseTensor<T> WithValues(T[] values, int[]? batchShape = null) =>
        WithValues(Backend.Upload<T>(values), batchShape);

    // ---------------------------------------------------------------- devices

    /// <summary>A copy on <paramref name="device"/> (this tensor if already there). The pattern is shared.</summary>
    public SparseTensor<T> To(Device device) =>
        device == Device ? this : RecordTo(new SparseTensor<T>(Pattern, BackendRegistry.Get(device).Upload<T>(Values.ToArray()), _batchShape, EntryToSlot));

    /// <summary>The tensor on the host.</summary>
    public SparseTensor<T> Cpu() => To(Device.Cpu);

    /// <summary>The tensor on CUDA GPU <paramref name="index"/>.</summary>
    public SparseTensor<T> Cuda(int index = 0) => To(Device.Cuda(index));

    // ---------------------------------------------------------------- dense

    /// <summary>The dense tensor <c>[..., M, N]</c> (zeros where nothing is stored).</summary>
    public Tensor<T> ToDense()
    {
        var vals = Values.ToArray();
        var dense = new T[checked((long)BatchSize * Rows * Cols)];
        var rp = Pattern.RowPtr; var ci = Pattern.ColInd;
        for (int b = 0; b < BatchSize; b++)
        {
            long off = (long)b * Rows * Cols;
            for (int i = 0; i < Rows; i++)
                for (int k = rp[i]; k < rp[i + 1]; k++)
                    dense[off + (long)i * Cols + ci[k]] = vals[b * Nnz + k];
        }
        return RecordToDense(Tensor<T>.FromSpan(dense, Shape, Device));
    }

    // ---------------------------------------------------------------- products

    /// <summary>
    /// A·x. Shapes, with A of shape <c>[B..., M, N]</c>:
    /// x <c>[N]</c> → <c>[B..., M]</c> (the same x for every matrix);
    /// x <c>[N, K]</c> (A unbatched) → <c>[M, K]</c>;
    /// x <c>[B..., N]</c> → <c>[B..., M]</c>; x <c>[B..., N, K]</c> → <c>[B..., M, K]</c>.
    /// </summary>
    /// <exception cref="ShapeMismatchException">x's shape fits none of the above.</exception>
    public Tensor<T> Matmul(Tensor<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Device != Device) throw new ArgumentException($"matmul: A lives on {Device}, x on {x.Device}", nameof(x));
        var xs = x.ShapeSpan;
        int nb = _batchShape.Length;
        bool batchedX = nb > 0 && xs.Length >= nb + 1 && xs[..nb].SequenceEqual(_batchShape);
        int[] outShape;
        int k; // right-hand sides per matrix; 0 means a vector
        bool broadcast;
        if (xs.Length == 1 && xs[0] == Cols) { k = 0; broadcast = true; outShape = [.. _batchShape, Rows]; }
        else if (nb == 0 && xs.Length == 2 && xs[0] == Cols) { k = xs[1]; broadcast = true; outShape = [Rows, k]; }
        else if (batchedX && xs.Length == nb + 1 && xs[nb] == Cols) { k = 0; broadcast = false; outShape = [.. _batchShape, Rows]; }
        else if (batchedX && xs.Length == nb + 2 && xs[nb] == Cols) { k = xs[nb + 1]; broadcast = false; outShape = [.. _batchShape, Rows, k]; }
        else
            throw new ShapeMismatchException($"matmul: A has shape {Shapes.Str(Shape)}, x has shape {Shapes.Str(xs)}; x must be [{Cols}], [{Cols}, K] or carry A's batch dims {Shapes.Str(_batchShape)} before them", nameof(x));

        var y = Tensor<T>.Zeros(outShape, Device);
        if (k == 0)
        {
            // Every matrix of the batch in one call (one kernel launch on a GPU).
            Backend.SpMVBatched(Indices, Values, 0, BatchSize, x.Storage, 0, broadcast ? 0 : Cols, y.Storage, 0, T.One, T.Zero);
            return RecordMatmul(x, y, k, broadcast);
        }
        for (int b = 0; b < BatchSize; b++)
        {
            int xOff = broadcast ? 0 : b * Cols * k, yOff = b * Rows * k;
            Backend.SpMM(Indices, Values, b * Nnz, x.Storage, xOff, y.Storage, yOff, k, T.One, T.Zero);
        }
        return RecordMatmul(x, y, k, broadcast);
    }

    /// <summary>A·x (see <see cref="Matmul(Tensor{T})"/>).</summary>
    public static Tensor<T> operator *(SparseTensor<T> a, Tensor<T> x)
    {
        ArgumentNullException.ThrowIfNull(a);
        return a.Matmul(x);
    }

    /// <summary>Shape, nnz, dtype and device.</summary>
    public override string ToString() => $"SparseTensor{Shapes.Str(Shape)} nnz={Nnz} {DType.Name()} {Device}";

    /// <summary>Frees the values' device memory (the shared pattern stays with its other users).</summary>
    public void Dispose() => Values.Dispose();
}

public sealed partial class SparseTensor<T> : Solvers.ILinearOperator<T>
{
    /// <summary>y ← A·x for a single (unbatched) matrix, writing into an existing vector.</summary>
    /// <exception cref="ShapeMismatchException">A is batched, or x/y have the wrong length or device.</exception>
    public void Apply(Tensor<T> x, Tensor<T> y)
    {
        ArgumentNullException.ThrowIfNull(x); ArgumentNullException.ThrowIfNull(y);
        if (IsBatched) throw new ShapeMismatchException($"Apply needs a single matrix; this one has batch shape {Shapes.Str(_batchShape)}");
        if (x.Length != Cols || y.Length != Rows)
            throw new ShapeMismatchException($"Apply: A is {Rows}×{Cols}, x has {x.Length} and y {y.Length} elements");
        if (x.Device != Device || y.Device != Device)
            throw new ArgumentException($"Apply: A lives on {Device}, x on {x.Device}, y on {y.Device}");
        Backend.SpMV(Indices, Values, 0, x.Storage, 0, y.Storage, 0, T.One, T.Zero);
    }
}
