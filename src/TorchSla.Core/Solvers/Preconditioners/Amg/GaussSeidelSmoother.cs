using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSla.Kernels.Memory;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Gauss–Seidel, x_i ← (b_i − Σ_{j≠i} a_ij·x_j)/a_ii in row order (Saad, 2nd ed., §4.1), forward
/// before the coarse correction and backward after it: the V-cycle is then the symmetric
/// preconditioner CG needs (its pre- and post-smoother are adjoint in the A inner product).
/// Each update uses the newest values, so a sweep is inherently sequential: host memory only.
/// </summary>
internal sealed class GaussSeidelSmoother<T> : Smoother<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] _diagonalSlots;
    private readonly T[] _inverseDiagonal;

    public GaussSeidelSmoother(SparseTensor<T> a)
    {
        if (!a.Device.IsCpu)
            throw new NotSupportedException($"symmetric Gauss–Seidel is a sequential host smoother; the matrix lives on {a.Device} (use Chebyshev, Jacobi or L1Jacobi there)");
        _diagonalSlots = a.Pattern.DiagonalSlots();
        var v = ((CpuStorage<T>)a.Values).Array;
        _inverseDiagonal = Inverses(v, _diagonalSlots);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T[] Inverses(T[] v, int[] slots)
    {
        var inv = GC.AllocateUninitializedArray<T>(slots.Length);
        for (int i = 0; i < inv.Length; i++) inv[i] = T.One / v[slots[i]];
        return inv;
    }

    public override void Smooth(SparseTensor<T> a, Tensor<T> x, Tensor<T> b, int sweeps, bool zeroGuess, bool backward)
    {
        var rp = a.Pattern.RowPtr; var ci = a.Pattern.ColInd;
        var v = ((CpuStorage<T>)a.Values).Array;
        var xs = ((CpuStorage<T>)x.Storage).Array;
        var bs = ((CpuStorage<T>)b.Storage).Array;
        int n = a.Rows;
        for (int s = 0; s < sweeps; s++)
        {
            if (s == 0 && zeroGuess)
            {
                // From x = 0 the entries right of the diagonal still multiply zeros: only the strictly lower
                // part is read, about half the row (columns are sorted, so it ends at the diagonal slot).
                if (!backward) ForwardFromZero(n, rp, ci, v, xs, bs, _diagonalSlots, _inverseDiagonal);
                else { Array.Clear(xs, 0, n); Sweep(n, rp, ci, v, xs, bs, _inverseDiagonal, backward); }
            }
            else Sweep(n, rp, ci, v, xs, bs, _inverseDiagonal, backward);
        }
    }

    public override void Dispose() { }

    /// <summary>x_i ← x_i + (b_i − Σ_j a_ij·x_j)/a_ii over all j (the diagonal term cancels the old x_i): no branch per entry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Sweep(int n, int[] rp, int[] ci, T[] v, T[] xs, T[] bs, T[] inv, bool backward)
    {
        if (!backward)
            for (int i = 0; i < n; i++) xs[i] += (bs[i] - RowDot(rp[i], rp[i + 1], ci, v, xs)) * inv[i];
        else
            for (int i = n - 1; i >= 0; i--) xs[i] += (bs[i] - RowDot(rp[i], rp[i + 1], ci, v, xs)) * inv[i];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardFromZero(int n, int[] rp, int[] ci, T[] v, T[] xs, T[] bs, int[] diag, T[] inv)
    {
        for (int i = 0; i < n; i++) xs[i] = (bs[i] - RowDot(rp[i], diag[i], ci, v, xs)) * inv[i];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T RowDot(int k0, int k1, int[] ci, T[] v, T[] xs)
    {
        T sum = T.Zero;
        for (int k = k0; k < k1; k++) sum += v[k] * xs[ci[k]];
        return sum;
    }
}
