using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace TorchSla.IO;

/// <summary>
/// Saves and loads <see cref="SparseTensor{T}"/> in torch-sla's safetensors layout
/// (<c>torch_sla.io.save_sparse</c> / <c>load_sparse</c>), so that files cross between the two:
/// <list type="bullet">
/// <item><c>values</c>: F64 or F32, shape <c>[nnz]</c>, or <c>[B..., nnz]</c> for a batch sharing one pattern;</item>
/// <item><c>row_indices</c>, <c>col_indices</c>: I64 <c>[nnz]</c>, 0-based COO coordinates;</item>
/// <item><c>shape</c>: I64 <c>[2]</c> = (M, N), the matrix shape without batch dimensions;</item>
/// <item>metadata <c>sparse_dim_0</c>, <c>sparse_dim_1</c> (positions of the row and column
/// dimensions in the full shape, i.e. the number of batch dimensions and one more),
/// <c>dtype</c> (<c>torch.float64</c> or <c>torch.float32</c>), <c>format</c> = <c>sparse_tensor</c>,
/// <c>version</c> = <c>1.0</c>.</item>
/// </list>
/// </summary>
public static class SafeTensors
{
    /// <summary>Metadata keys this layout defines (user metadata may not reuse them).</summary>
    public static IReadOnlyList<string> ReservedMetadataKeys { get; } = ["sparse_dim_0", "sparse_dim_1", "dtype", "format", "version"];

    /// <summary>
    /// Saves <paramref name="a"/> in torch-sla's layout. Entries are written in the caller's
    /// original COO order when the tensor was built from COO triplets without duplicates (so a
    /// load→save round trip of a torch-sla file reproduces its data bytes exactly), otherwise in
    /// CSR order (rows, then columns, ascending).
    /// </summary>
    /// <param name="a">The tensor (batched or not; on any device).</param>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="metadata">Extra metadata strings, written after the layout's own keys.</param>
    /// <exception cref="ArgumentException">A metadata key is one of <see cref="ReservedMetadataKeys"/>.</exception>
    public static void SaveSparse<T>(SparseTensor<T> a, string path, IReadOnlyDictionary<string, string>? metadata = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        ToWriter(a, metadata).Save(path);
    }

    /// <summary>The bytes of the file <see cref="SaveSparse{T}(SparseTensor{T}, string, IReadOnlyDictionary{string, string}?)"/> would write.</summary>
    public static byte[] SerializeSparse<T>(SparseTensor<T> a, IReadOnlyDictionary<string, string>? metadata = null)
        where T : unmanaged, IFloatingPointIeee754<T> => ToWriter(a, metadata).ToArray();

    /// <summary>A writer holding <paramref name="a"/> in torch-sla's layout, to which further tensors or metadata may be added.</summary>
    /// <exception cref="ArgumentException">A metadata key is one of <see cref="ReservedMetadataKeys"/>.</exception>
    public static SafeTensorsWriter ToWriter<T>(SparseTensor<T> a, IReadOnlyDictionary<string, string>? metadata = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        var p = a.Pattern;
        int nnz = p.Nnz, batch = a.BatchSize;
        var map = a.EntryToSlot;
        // A COO input without duplicates maps entries one-to-one onto slots (every slot receives
        // at least one entry, so equal counts mean a bijection): keep the caller's order.
        int[]? slotOf = map is not null && map.Length == nnz ? map : null;
        var slotRow = new int[nnz];
        for (int i = 0; i < p.Rows; i++) slotRow.AsSpan(p.RowPtr[i], p.RowPtr[i + 1] - p.RowPtr[i]).Fill(i);
        var row = new long[nnz];
        var col = new long[nnz];
        for (int k = 0; k < nnz; k++)
        {
            int s = slotOf is null ? k : slotOf[k];
            row[k] = slotRow[s];
            col[k] = p.ColInd[s];
        }
        var csrValues = a.GetValues();
        var values = new T[csrValues.Length];
        for (int b = 0; b < batch; b++)
            for (int k = 0; k < nnz; k++)
                values[b * nnz + k] = csrValues[b * nnz + (slotOf is null ? k : slotOf[k])];

        int nb = a.BatchShape.Length;
        var w = new SafeTensorsWriter();
        w.Metadata["sparse_dim_0"] = nb.ToString(CultureInfo.InvariantCulture);
        w.Metadata["sparse_dim_1"] = (nb + 1).ToString(CultureInfo.InvariantCulture);
        w.Metadata["dtype"] = "torch." + a.DType.Name();
        w.Metadata["format"] = "sparse_tensor";
        w.Metadata["version"] = "1.0";
        if (metadata is not null)
            foreach (var (k, v) in metadata)
            {
                if (ReservedMetadataKeys.Contains(k))
                    throw new ArgumentException($"metadata key '{k}' is reserved by the sparse tensor layout", nameof(metadata));
                w.Metadata[k] = v;
            }
        long[] valueShape = [.. a.BatchShape.Select(d => (long)d), nnz];
        if (typeof(T) == typeof(double)) w.Add("values", MemoryMarshal.Cast<T, double>(values.AsSpan()), valueShape);
        else w.Add("values", MemoryMarshal.Cast<T, float>(values.AsSpan()), valueShape);
        w.Add("row_indices", row);
        w.Add("col_indices", col);
        w.Add("shape", [(long)a.Rows, a.Cols]);
        return w;
    }

    /// <summary>
    /// Loads a sparse tensor saved by torch-sla (or by <see cref="SaveSparse{T}(SparseTensor{T}, string, IReadOnlyDictionary{string, string}?)"/>).
    /// Values of another floating dtype than <typeparamref name="T"/> are converted: F32, F16 and
    /// BF16 into double exactly; F64 into float rounded to nearest. The tensor remembers the
    /// file's entry order. NaN and infinite values are kept.
    /// </summary>
    /// <exception cref="SafeTensorsFormatException">The file is not valid, or not a sparse tensor in this layout (the message names the tensor and the problem).</exception>
    public static SparseTensor<T> LoadSparse<T>(string path, Device? device = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        return LoadSparse<T>(SafeTensorsFile.Read(path), device);
    }

    /// <summary>Loads a sparse tensor from an already read file (see <see cref="LoadSparse{T}(string, Device?)"/>).</summary>
    /// <exception cref="SafeTensorsFormatException">The file is not a sparse tensor in torch-sla's layout.</exception>
    public static SparseTensor<T> LoadSparse<T>(SafeTensorsFile file, Device? device = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(file);
        string? src = file.SourceName;
        foreach (var required in (string[])["values", "row_indices", "col_indices", "shape"])
            if (!file.Contains(required))
                throw new SafeTensorsFormatException(
                    $"missing: a sparse tensor file holds values, row_indices, col_indices and shape; this one holds {string.Join(", ", file.Tensors.Select(t => t.Name))}",
                    required, src);
        if (file.Metadata.TryGetValue("format", out var format) && format != "sparse_tensor")
            throw new SafeTensorsFormatException($"metadata format is '{format}', expected 'sparse_tensor'", null, src);

        var rowInfo = file.GetInfo("row_indices");
        var colInfo = file.GetInfo("col_indices");
        var valInfo = file.GetInfo("values");
        var shapeInfo = file.GetInfo("shape");
        if (rowInfo.Rank != 1)
            throw new SafeTensorsFormatException($"shape {rowInfo.ShapeText} should be [nnz]", "row_indices", src);
        long nnz = rowInfo.Dim(0);
        if (colInfo.Rank != 1 || colInfo.Dim(0) != nnz)
            throw new SafeTensorsFormatException($"shape {colInfo.ShapeText} should be [{nnz}] like row_indices", "col_indices", src);
        if (valInfo.Rank < 1 || valInfo.Dim(valInfo.Rank - 1) != nnz)
            throw new SafeTensorsFormatException($"shape {valInfo.ShapeText} should end with nnz = {nnz} (the length of row_indices)", "values", src);
        string? torchDType = valInfo.DType switch
        {
            SafeTensorsDType.F64 => "torch.float64",
            SafeTensorsDType.F32 => "torch.float32",
            SafeTensorsDType.F16 => "torch.float16",
            SafeTensorsDType.BF16 => "torch.bfloat16",
            _ => null,
        };
        if (torchDType is null)
            throw new SafeTensorsFormatException($"dtype {valInfo.DType.Name()} is not a floating type", "values", src);
        if (file.Metadata.TryGetValue("dtype", out var metaDType) && metaDType != torchDType)
            throw new SafeTensorsFormatException($"metadata dtype '{metaDType}' disagrees with the values' {valInfo.DType.Name()} ({torchDType})", "values", src);

        if (shapeInfo.Rank != 1 || shapeInfo.Dim(0) != 2)
            throw new SafeTensorsFormatException($"shape {shapeInfo.ShapeText} should be [2]: the matrix's (rows, columns)", "shape", src);
        var mn = Integers(file, "shape");
        for (int d = 0; d < 2; d++)
            if (mn[d] < 0 || mn[d] >= Array.MaxLength)
                throw new SafeTensorsFormatException($"matrix dimension {d} is {mn[d]}, outside [0, {Array.MaxLength - 1}]", "shape", src);
        int rows = (int)mn[0], cols = (int)mn[1];

        int nb = valInfo.Rank - 1;
        CheckSparseDim(file, "sparse_dim_0", nb, valInfo, src);
        CheckSparseDim(file, "sparse_dim_1", nb + 1, valInfo, src);
        var shape = new int[nb + 2];
        for (int d = 0; d < nb; d++)
        {
            if (valInfo.Dim(d) > int.MaxValue)
                throw new SafeTensorsFormatException($"batch dimension {d} of {valInfo.ShapeText} exceeds {int.MaxValue}", "values", src);
            shape[d] = (int)valInfo.Dim(d);
        }
        shape[nb] = rows; shape[nb + 1] = cols;

        var row = Indices(file, "row_indices", rows, "row", src);
        var col = Indices(file, "col_indices", cols, "column", src);
        T[] values;
        if (typeof(T) == typeof(float) && valInfo.DType != SafeTensorsDType.F64)
            values = (T[])(object)file.GetSingle("values");
        else
        {
            var d = file.GetDouble("values");
            values = typeof(T) == typeof(double) ? (T[])(object)d : Array.ConvertAll(d, T.CreateTruncating);
        }
        return new SparseTensor<T>(values, row, col, shape, allowNonFinite: true, device: device);
    }

    private static void CheckSparseDim(SafeTensorsFile file, string key, int expected, SafeTensorInfo values, string? src)
    {
        if (!file.Metadata.TryGetValue(key, out var text)) return;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v != expected)
            throw new SafeTensorsFormatException(
                $"metadata {key} is '{text}' but values {values.ShapeText} has {values.Rank - 1} batch dimension(s), so it should be {expected}", null, src);
    }

    private static long[] Integers(SafeTensorsFile file, string name)
    {
        try { return file.GetInt64(name); }
        catch (InvalidCastException e)
        {
            throw new SafeTensorsFormatException($"dtype {file.GetInfo(name).DType.Name()} is not an integer type ({e.Message})", name, file.SourceName);
        }
    }

    private static int[] Indices(SafeTensorsFile file, string name, int bound, string what, string? src)
    {
        var v = Integers(file, name);
        var r = new int[v.Length];
        for (int k = 0; k < v.Length; k++)
        {
            if (v[k] < 0 || v[k] >= bound)
                throw new SafeTensorsFormatException($"entry {k}: {what} index {v[k]} is out of range [0, {bound})", name, src);
            r[k] = (int)v[k];
        }
        return r;
    }
}
