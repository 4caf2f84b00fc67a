using System.Numerics;
using TorchSla.Kernels;
using TorchSla.Kernels.Memory;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// A relaxation of one AMG level: a few sweeps on A·x = b that damp the error components the
/// coarse grid cannot represent (the oscillatory ones). Each level owns its smoother and the
/// smoother its work vectors, allocated once.
/// </summary>
internal abstract class Smoother<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// <paramref name="sweeps"/> sweeps on x; with <paramref name="zeroGuess"/> x is taken as 0 whatever
    /// it holds (saving the first residual). <paramref name="backward"/> asks for the adjoint sweep
    /// order, which keeps a V-cycle symmetric when the smoother is not (Gauss–Seidel).
    /// </summary>
    public abstract void Smooth(SparseTensor<T> a, Tensor<T> x, Tensor<T> b, int sweeps, bool zeroGuess, bool backward);

    /// <summary>The eigenvalue estimate the smoother uses (0 when it needs none).</summary>
    public virtual double SpectralRadius => 0;

    /// <summary>Frees the smoother's device memory.</summary>
    public abstract void Dispose();

    /// <summary>y ← α·M·x + β·y on M's device.</summary>
    internal static void SpMV(SparseTensor<T> m, Tensor<T> x, Tensor<T> y, T alpha, T beta) =>
        m.Backend.SpMV(m.Indices, m.Values, 0, x.Storage, 0, y.Storage, 0, alpha, beta);

    /// <summary>r ← b − A·x.</summary>
    internal static void Residual(SparseTensor<T> a, Tensor<T> x, Tensor<T> b, Tensor<T> r)
    {
        a.Backend.Copy(b.Storage, 0, r.Storage, 0, b.Length);
        SpMV(a, x, r, -T.One, T.One);
    }

    /// <summary>1/d elementwise, a new vector on d's device (the smoothers' D⁻¹; d is checked positive by the setup).</summary>
    internal static Storage<T> Inverse(Storage<T> d, int n, Device device)
    {
        var be = BackendRegistry.Get(device);
        var w = be.Allocate<T>(n);
        be.Pointwise(PointwiseOp.DivideScalarBy, T.One, d, 0, w, 0, n);
        return w;
    }

    /// <summary>A work vector of length n on <paramref name="device"/>.</summary>
    internal static Tensor<T> Vector(int n, Device device) => new(BackendRegistry.Get(device).Allocate<T>(n), [n]);
}
