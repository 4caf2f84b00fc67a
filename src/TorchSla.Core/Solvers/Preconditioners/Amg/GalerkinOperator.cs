using System.Numerics;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// The Galerkin coarse operator A_c = R·A·P with R = Pᵀ (the variational choice: the coarse
/// correction is then the A-orthogonal projection onto range(P), Trottenberg, Oosterlee &amp;
/// Schüller, "Multigrid" (2001), §A.2.4), formed as two sparse products (R·A)·P. A_c stays
/// symmetric positive definite when A is and P has full column rank.
/// <para>(R·A)·P rather than R·(A·P): R·A has one row per aggregate, A·P one per fine row, so on meshes the
/// middle factor holds fewer entries — it is the setup's peak of device memory (bench amg-gpu reports the peak).
/// The middle factor is dropped with its pattern (otherwise kept alive by the product caches): a refresh runs the
/// two symbolic products again.</para>
/// </summary>
internal static class GalerkinOperator
{
    /// <summary>(R·A)·P.</summary>
    public static SparseTensor<T> Build<T>(SparseTensor<T> a, SparseTensor<T> p, SparseTensor<T> r)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SparseTensor<T> c;
        using (var ra = r * a)
        {
            c = ra * p;
            r.Pattern.ForgetProductWith(a.Pattern);
            ra.Pattern.ForgetProductWith(p.Pattern);
            ra.Pattern.ReleaseDeviceCopies();
        }
        return c;
    }
}
