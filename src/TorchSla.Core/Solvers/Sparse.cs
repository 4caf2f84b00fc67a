using System.Numerics;
using TorchSla.Solvers;

namespace TorchSla;

/// <summary>
/// Free functions over COO triplets, after torch-sla's <c>spsolve(val, row, col, shape, b)</c>:
/// the matrix is assembled (duplicates summed) and solved in one call.
/// </summary>
public static class Sparse
{
    /// <summary>
    /// Solves A·x = b for A given as COO triplets of <paramref name="shape"/> <c>[N, N]</c> (or
    /// <c>[B..., N, N]</c> with values B·nnz long), and reports how it went
    /// (see <see cref="SparseTensor{T}.Solve(Tensor{T}, SolveOptions?, Tensor{T}?)"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The triplets are inconsistent (an index out of range is named) or an option is invalid.</exception>
    /// <exception cref="ShapeMismatchException">A is not square or b does not fit it.</exception>
    public static SolveResult<T> Solve<T>(ReadOnlySpan<T> values, ReadOnlySpan<int> row, ReadOnlySpan<int> col, int[] shape,
        Tensor<T> b, SolveOptions? options) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(b);
        var a = SparseTensor.FromCoo(values, row, col, shape, allowNonFinite: true, device: b.Device);
        return a.Solve(b, options);
    }

    /// <summary>x = A⁻¹b with default options for A given as COO triplets.</summary>
    /// <exception cref="NotConvergedException">The solve did not converge.</exception>
    public static Tensor<T> Solve<T>(ReadOnlySpan<T> values, ReadOnlySpan<int> row, ReadOnlySpan<int> col, int[] shape, Tensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> => Solve(values, row, col, shape, b, SolveOptions.Default).EnsureConverged();
}
