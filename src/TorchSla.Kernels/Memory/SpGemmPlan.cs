namespace TorchSla.Kernels.Memory;

/// <summary>
/// The symbolic half of a sparse product C = A·B on one device, made by
/// <see cref="Backend.SpGemmSymbolic"/> and consumed by <see cref="Backend.SpGemmNumeric{T}"/>:
/// the canonical pattern of C (<see cref="Product"/>, owned by the plan) and whatever the backend
/// precomputed to fill C's values from A's and B's. The plan refers to the index arrays of A and B
/// (not owned): they must outlive it. New values of A and B reuse the plan without a symbolic phase.
/// </summary>
public abstract class SpGemmPlan : IDisposable
{
    /// <summary>Records the operands and the product's pattern.</summary>
    protected SpGemmPlan(CsrIndices left, CsrIndices right, CsrIndices product, long flops)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        ArgumentNullException.ThrowIfNull(product);
        Left = left; Right = right; Product = product; Flops = flops;
    }

    /// <summary>The indices of A (M×K).</summary>
    public CsrIndices Left { get; }

    /// <summary>The indices of B (K×N).</summary>
    public CsrIndices Right { get; }

    /// <summary>The pattern of C = A·B (M×N, columns sorted in each row): every (i, j) with some a_ik·b_kj.</summary>
    public CsrIndices Product { get; }

    /// <summary>Number of scalar products a_ik·b_kj (the multiplications of the numeric phase).</summary>
    public long Flops { get; }

    /// <summary>The device of the plan.</summary>
    public Device Device => Product.Device;

    /// <summary>Checks that value sets of A, B and C at these offsets fit their storages (every backend's numeric phase).</summary>
    internal void CheckValues<T>(Storage<T> aValues, int aOffset, Storage<T> bValues, int bOffset, Storage<T> cValues, int cOffset)
        where T : unmanaged
    {
        Check(aValues, aOffset, Left.Nnz, nameof(aValues));
        Check(bValues, bOffset, Right.Nnz, nameof(bValues));
        Check(cValues, cOffset, Product.Nnz, nameof(cValues));

        static void Check(Storage<T> s, int offset, int length, string name)
        {
            ArgumentNullException.ThrowIfNull(s, name);
            if (offset < 0 || (long)offset + length > s.Length)
                throw new ArgumentOutOfRangeException(name, $"{name}: a value set of {length} at offset {offset} overruns a storage of {s.Length}");
        }
    }

    /// <summary>Frees the product's indices and the backend's analysis.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the product's indices (and, in subclasses, their own buffers) when <paramref name="disposing"/>.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing) Product.Dispose();
    }
}
