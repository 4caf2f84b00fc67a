using System.Numerics;
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

    public GaussSeidelSmoother(SparseTensor<T> a)
    {
        if (!a.Device.IsCpu)
            throw new NotSupportedException($"symmetric Gauss–Seidel is a sequential host smoother; the matrix lives on {a.Device} (use Chebyshev, Jacobi or L1Jacobi there)");
        _diagonalSlots = a.Pattern.DiagonalSlots();
    }

    public override void Smooth(SparseTensor<T> a, Tensor<T> x, Tensor<T> b, int sweeps, bool zeroGuess, bool backward)
    {
        var rp = a.Pattern.RowPtr; var ci = a.Pattern.ColInd;
        var v = ((CpuStorage<T>)a.Values).Array;
        var xs = ((CpuStorage<T>)x.Storage).Array;
        var bs = ((CpuStorage<T>)b.Storage).Array;
        int n = a.Rows;
        if (zeroGuess) Array.Clear(xs, 0, n);
        for (int s = 0; s < sweeps; s++)
        {
            if (!backward)
                for (int i = 0; i < n; i++) Update(i, rp, ci, v, xs, bs);
            else
                for (int i = n - 1; i >= 0; i--) Update(i, rp, ci, v, xs, bs);
        }
    }

    public override void Dispose() { }

    private void Update(int i, int[] rp, int[] ci, T[] v, T[] xs, T[] bs)
    {
        T sum = bs[i];
        int dk = _diagonalSlots[i];
        for (int k = rp[i]; k < rp[i + 1]; k++)
            if (k != dk) sum -= v[k] * xs[ci[k]];
        xs[i] = sum / v[dk];
    }
}
