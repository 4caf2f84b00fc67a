using System.Numerics;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// The Galerkin coarse operator A_c = R·A·P with R = Pᵀ (the variational choice: the coarse
/// correction is then the A-orthogonal projection onto range(P), Trottenberg, Oosterlee &amp;
/// Schüller, "Multigrid" (2001), §A.2.4), formed as two sparse products R·(A·P). A_c stays
/// symmetric positive definite when A is and P has full column rank.
/// <para>R·(A·P) rather than (R·A)·P: on an H100 (bench/RESULTS.md, AMG (GPU), batches 3 and 4, the same finest
/// level) the first level's product took 27 ms this way and 38 ms the other, at the same peak of device memory
/// (the hash SpGEMM's tables, not the middle factor, set it). Both products go through <see cref="SetupProduct"/> (no
/// plan kept); the middle factor A·P is freed with its device indices as soon as R·(A·P) exists. On the CPU the second product
/// forms only the upper triangle of A_c and mirrors it, with A·P and the triangle in memory handed back for the next
/// products (<see cref="Kernels.Backend.GalerkinProduct{T}"/>).</para>
/// </summary>
internal static class GalerkinOperator
{
    /// <summary>R·(A·P).</summary>
    public static SparseTensor<T> Build<T>(SparseTensor<T> a, SparseTensor<T> p, SparseTensor<T> r)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Device.IsCpu)
        {
            var (pattern, values) = a.Backend.GalerkinProduct(r.Indices, r.Values, a.Indices, a.Values, p.Indices, p.Values);
            return new SparseTensor<T>(new SparsePattern(pattern), values, [], null);
        }
        using var ap = SetupProduct.Multiply(a, p);
        var c = SetupProduct.Multiply(r, ap, symmetric: true);
        ap.Pattern.ReleaseDeviceCopies();
        return c;
    }
}
