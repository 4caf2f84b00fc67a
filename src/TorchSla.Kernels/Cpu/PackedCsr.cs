using System.Numerics;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// A CSR matrix re-encoded with fewer bytes for the CPU's bandwidth-bound SpMV (<see cref="CompressedCsr{T}"/>:
/// delta-encoded columns and indexed values; <see cref="RowTemplateCsr{T}"/>: rows that repeat up to a shift stored
/// once). Every encoding multiplies with the bits of the plain kernel (<see cref="CsrKernels.SpMVRows{T}"/>) on the
/// same matrix. <see cref="CsrCompression"/> decides which one, if any, a matrix gets.
/// </summary>
internal abstract unsafe class PackedCsr<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Bytes of the stored matrix one product reads (offsets, columns, values, tables).</summary>
    public long Bytes { get; protected init; }

    /// <summary>Bytes of the same matrix in plain CSR: 4·(rows + 1) + (4 + sizeof(T))·nnz.</summary>
    public long PlainBytes { get; protected init; }

    /// <summary>One line on the encoding chosen (for benchmarks and logs).</summary>
    public abstract string Description { get; }

    /// <summary>
    /// y[r] ← α·(A·x)[r] + β·y[r] for rows [r0, r1), with the bits <see cref="CsrKernels.SpMVRows{T}"/> gives on the plain
    /// arrays rowPtr, colInd, val (which an encoding may read where it kept them plain).
    /// </summary>
    public abstract void SpMVRows(int r0, int r1, int* rowPtr, int* colInd, T* val, T* x, T* y, T alpha, T beta, bool gather);
}
