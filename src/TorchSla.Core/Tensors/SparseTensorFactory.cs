using System.Numerics;

namespace TorchSla;

/// <summary>Factories for <see cref="SparseTensor{T}"/> that infer the element type, and standard test matrices.</summary>
public static class SparseTensor
{
    /// <summary>From COO triplets in any order, duplicates summed (see the <see cref="SparseTensor{T}"/> constructor).</summary>
    public static SparseTensor<T> FromCoo<T>(ReadOnlySpan<T> values, ReadOnlySpan<int> row, ReadOnlySpan<int> col, int[] shape, bool allowNonFinite = false, Device? device = null)
        where T : unmanaged, IFloatingPointIeee754<T> => new(values, row, col, shape, allowNonFinite, device);

    /// <summary>From COO triplets with 64-bit indices (torch's <c>int64</c>), each checked to fit 32 bits.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative or beyond the shape.</exception>
    public static SparseTensor<T> FromCoo<T>(ReadOnlySpan<T> values, ReadOnlySpan<long> row, ReadOnlySpan<long> col, int[] shape, bool allowNonFinite = false, Device? device = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (_, rows, cols) = SparseTensor<T>.SplitShape(shape);
        return new SparseTensor<T>(values, Narrow(row, rows, "row"), Narrow(col, cols, "column"), shape, allowNonFinite, device);
    }

    private static int[] Narrow(ReadOnlySpan<long> idx, int bound, string what)
    {
        var r = new int[idx.Length];
        for (int k = 0; k < idx.Length; k++)
        {
            long v = idx[k];
            if (v < 0 || v >= bound)
                throw new ArgumentOutOfRangeException(what == "row" ? "row" : "col", $"entry {k}: {what} index {v} is out of range [0, {bound})");
            r[k] = (int)v;
        }
        return r;
    }

    /// <summary>
    /// From CSR arrays (copied). Columns may be unsorted or repeated within a row; they are
    /// sorted and summed like COO input.
    /// </summary>
    /// <exception cref="ArgumentException">rowPtr is not non-decreasing from 0 to nnz.</exception>
    public static SparseTensor<T> FromCsr<T>(ReadOnlySpan<int> rowPtr, ReadOnlySpan<int> colInd, ReadOnlySpan<T> values, int[] shape, bool allowNonFinite = false, Device? device = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (_, rows, _) = SparseTensor<T>.SplitShape(shape);
        if (rowPtr.Length != rows + 1)
            throw new ShapeMismatchException($"rowPtr has {rowPtr.Length} entries; a matrix of {rows} rows needs {rows + 1}", nameof(rowPtr));
        if (rowPtr[0] != 0) throw new ArgumentException($"rowPtr[0] is {rowPtr[0]}, must be 0", nameof(rowPtr));
        if (rowPtr[rows] != colInd.Length)
            throw new ArgumentException($"rowPtr[{rows}] is {rowPtr[rows]} but colInd has {colInd.Length} entries", nameof(rowPtr));
        var row = new int[colInd.Length];
        for (int i = 0; i < rows; i++)
        {
            if (rowPtr[i + 1] < rowPtr[i])
                throw new ArgumentException($"rowPtr decreases at row {i}: {rowPtr[i]} then {rowPtr[i + 1]}", nameof(rowPtr));
            row.AsSpan(rowPtr[i], rowPtr[i + 1] - rowPtr[i]).Fill(i);
        }
        return new SparseTensor<T>(values, row, colInd, shape, allowNonFinite, device);
    }

    /// <summary>From a dense tensor <c>[..., M, N]</c>, storing the entries that are non-zero in any matrix of the batch.</summary>
    public static SparseTensor<T> FromDense<T>(Tensor<T> dense) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(dense);
        var shape = dense.Shape;
        var (batch, rows, cols) = SparseTensor<T>.SplitShape(shape);
        int bs = Shapes.Numel(batch);
        var a = dense.ToArray();
        var row = new List<int>(); var col = new List<int>();
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                for (int b = 0; b < bs; b++)
                    if (a[((long)b * rows + i) * cols + j] != T.Zero) { row.Add(i); col.Add(j); break; }
        var vals = new T[bs * row.Count];
        for (int b = 0; b < bs; b++)
            for (int k = 0; k < row.Count; k++) vals[b * row.Count + k] = a[((long)b * rows + row[k]) * cols + col[k]];
        return new SparseTensor<T>(vals, row.ToArray(), col.ToArray(), shape, allowNonFinite: true, device: dense.Device).RecordFromDense(dense);
    }

    /// <summary>From a two-dimensional array, storing its non-zeros.</summary>
    public static SparseTensor<T> FromDense<T>(T[,] dense) where T : unmanaged, IFloatingPointIeee754<T> =>
        FromDense(Tensor<T>.FromArray(dense));

    /// <summary>
    /// The 5-point finite-difference Laplacian on an n×n grid with Dirichlet boundaries:
    /// 4 on the diagonal, −1 to each grid neighbour. SPD, n² rows, about 5n² entries.
    /// </summary>
    public static SparseTensor<T> Poisson2D<T>(int n, Device? device = null) where T : unmanaged, IFloatingPointIeee754<T> =>
        Stencil<T>([n, n], device);

    /// <summary>The 7-point Laplacian on an n×n×n grid (6 on the diagonal, −1 to each neighbour). SPD.</summary>
    public static SparseTensor<T> Poisson3D<T>(int n, Device? device = null) where T : unmanaged, IFloatingPointIeee754<T> =>
        Stencil<T>([n, n, n], device);

    /// <summary>Builds the (2·dims+1)-point Laplacian directly in CSR (no sort), row by row.</summary>
    private static SparseTensor<T> Stencil<T>(int[] dims, Device? device) where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (int d in dims)
            if (d < 1) throw new ArgumentOutOfRangeException(nameof(dims), $"grid size must be at least 1, got {d}");
        long nl = 1; foreach (int d in dims) nl *= d;
        if (nl * (2 * dims.Length + 1) > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(dims), $"a grid of {nl:N0} points is too large for 32-bit indices");
        int n = (int)nl;
        var strides = new int[dims.Length];
        int s = 1;
        for (int d = dims.Length - 1; d >= 0; d--) { strides[d] = s; s *= dims[d]; }
        var rowPtr = new int[n + 1];
        // Count first so that the arrays are allocated exactly once.
        for (int i = 0; i < n; i++)
        {
            int c = 1, rem = i;
            for (int d = 0; d < dims.Length; d++)
            {
                int coord = rem / strides[d]; rem -= coord * strides[d];
                if (coord > 0) c++;
                if (coord < dims[d] - 1) c++;
            }
            rowPtr[i + 1] = rowPtr[i] + c;
        }
        var colInd = new int[rowPtr[n]];
        var vals = new T[rowPtr[n]];
        T diag = T.CreateTruncating(2 * dims.Length), off = -T.One;
        Parallel.For(0, n, i =>
        {
            int p = rowPtr[i];
            Span<int> coords = stackalloc int[dims.Length];
            int rem = i;
            for (int d = 0; d < dims.Length; d++) { coords[d] = rem / strides[d]; rem -= coords[d] * strides[d]; }
            // neighbours in increasing column order: -stride for d = 0..D-1, diag, +stride for d = D-1..0
            for (int d = 0; d < dims.Length; d++)
                if (coords[d] > 0) { colInd[p] = i - strides[d]; vals[p++] = off; }
            colInd[p] = i; vals[p++] = diag;
            for (int d = dims.Length - 1; d >= 0; d--)
                if (coords[d] < dims[d] - 1) { colInd[p] = i + strides[d]; vals[p++] = off; }
        });
        var pattern = new SparsePattern(n, n, rowPtr, colInd);
        var storage = Kernels.BackendRegistry.Get(device ?? Device.Cpu).Upload<T>(vals);
        return new SparseTensor<T>(pattern, storage, [], null);
    }
}
