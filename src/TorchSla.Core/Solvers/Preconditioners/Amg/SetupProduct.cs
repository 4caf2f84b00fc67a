using System.Numerics;
using TorchSla.Kernels.Memory;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// The sparse products of an AMG setup (the smoothed prolongator and the Galerkin operator): each is formed once per
/// build and never differentiated, so it goes through <see cref="Kernels.Backend.SpGemm{T}"/>, pattern and values in one
/// call with no plan kept (on the CPU one sweep over the scalar products instead of the plan's three: count, fill, sum),
/// and not through <c>SparseTensor * SparseTensor</c>, which caches the symbolic plan per pair of patterns for the next
/// value set and records the product for gradients. A refresh therefore forms the products again, as a first build does.
/// On a GPU the products keep the path measured on the H100 (the tensor product, its cached plan dropped right away), which
/// runs the same kernels as the backend's default <c>SpGemm</c> (its symbolic then numeric phase), until that is measured.
/// </summary>
internal static class SetupProduct
{
    /// <summary>x·y on x's device (both unbatched, on the same device); <paramref name="symmetric"/>: the product is known to be
    /// symmetric (a Galerkin operator), which the CPU uses to form half of it (<see cref="Kernels.Backend.SymmetricSpGemm{T}"/>).</summary>
    public static SparseTensor<T> Multiply<T>(SparseTensor<T> x, SparseTensor<T> y, bool symmetric = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Cols != y.Rows)
            throw new ShapeMismatchException($"AMG setup product: [{x.Rows}, {x.Cols}] times [{y.Rows}, {y.Cols}]");
        if (!x.Device.IsCpu)
        {
            var product = x * y;
            x.Pattern.ForgetProductWith(y.Pattern);
            return product;
        }
        var (pattern, values) = symmetric ? x.Backend.SymmetricSpGemm(x.Indices, x.Values, y.Indices, y.Values)
            : x.Backend.SpGemm(x.Indices, x.Values, y.Indices, y.Values);
        return new SparseTensor<T>(new SparsePattern(pattern), values, [], null);
    }
}
