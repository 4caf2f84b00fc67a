using System.Numerics;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Prolongator smoothing (Vaněk, Mandel &amp; Brezina 1996, §3, eq. (3.5)): one damped Jacobi
/// step applied to the columns of the tentative prolongator,
/// P = (I − ω·D⁻¹A)·P̂ with ω = 4/(3·ρ(D⁻¹A)),
/// the choice that minimises the energy bound of their convergence proof. It widens each
/// aggregate's basis function by one ring and lowers its energy, which is what makes the
/// two-grid rate independent of h. Computed with the tensor algebra of the library
/// (SpGEMM A·P̂, the diagonal D⁻¹ as a sparse matrix, the sum on the union of patterns), so it
/// runs on the matrix's device; its symbolic parts are cached per pattern, which makes a
/// refresh with new values on the same pattern cost only the numeric products.
/// </summary>
internal static class ProlongatorSmoothing
{
    /// <summary>P = P̂ − ω·D⁻¹·(A·P̂).</summary>
    public static SparseTensor<T> Smooth<T>(SparseTensor<T> a, SparseTensor<T> tentative, SparseTensor<T> inverseDiagonal, double omega)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var ap = a * tentative;
        using var dap = inverseDiagonal * ap;
        return tentative.Add(dap, T.One, T.CreateTruncating(-omega));
    }
}
