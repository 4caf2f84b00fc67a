using System.Numerics;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels;

/// <summary>
/// The setup primitives of smoothed-aggregation AMG (Vaněk, Mandel &amp; Brezina, Computing 56 (1996) 179–196;
/// the data-parallel forms of Bell, Dalton &amp; Olson, SIAM J. Sci. Comput. 34 (2012) C123–C152): the AMG setup is
/// written once over these, so a hierarchy for a matrix on a GPU is built there without moving the matrix.
/// Every result depends only on the input (no floating-point atomics, no schedule-dependent order).
/// </summary>
public abstract partial class Backend
{
    /// <summary>
    /// diagonal[i] = a_ii (0 where row i stores no diagonal entry) for a square CSR matrix. Returns the first row
    /// whose diagonal entry is not positive and finite, or −1 (AMG's smoothers and scalings need D &gt; 0).
    /// </summary>
    public abstract int AmgDiagonal<T>(CsrIndices a, Storage<T> values, Storage<T> diagonal)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// result[s] = left[i]·values[s]·right[j] + (i = j ? <paramref name="shift"/> : 0) for every slot s = (i, j) of A
    /// (right = null: 1). D^{-1/2}·A·D^{-1/2} is left = right = d^{-1/2}, shift 0; the Jacobi iteration matrix
    /// I − ω·D⁻¹A is left = −ω/d, right = null, shift 1 (A must store its diagonal). result may be values.
    /// </summary>
    public abstract void AmgScale<T>(CsrIndices a, Storage<T> values, Storage<T> left, Storage<T>? right, T shift, Storage<T> result)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// The strength-of-connection graph of smoothed aggregation: j ≠ i is a strong neighbour of i when a_ij ≠ 0 and
    /// a_ij² ≥ θ²·|a_ii·a_jj| (Vaněk, Mandel &amp; Brezina 1996, §3), as a canonical pattern on this device (columns
    /// ascending, no diagonal). <paramref name="diagonal"/> is A's diagonal (<see cref="AmgDiagonal{T}"/>).
    /// </summary>
    public abstract CsrIndices AmgStrength<T>(CsrIndices a, Storage<T> values, Storage<T> diagonal, T theta)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// Aggregation by a distance-<paramref name="distance"/> maximal independent set (1 or 2) of the (symmetric) strong
    /// graph (Bell, Dalton &amp; Olson 2012, §3.2–3.3; priorities are a fixed hash of the index): roots are numbered
    /// 0, 1, … in index order, each neighbour of a root joins it, each remaining node (distance 2 only) joins the
    /// aggregate of its first (lowest-column) strong neighbour that joined in that step. Nodes with no strong
    /// neighbour stay unaggregated (−1). Writes aggregate[i] for the strong.Rows nodes and returns the number of aggregates.
    /// </summary>
    public abstract int AmgMisAggregate(CsrIndices strong, Storage<int> aggregate, int distance);

    /// <summary>
    /// The tentative prolongator P̂ for one near-null-space vector b (Vaněk, Mandel &amp; Brezina 1996, §3): row i of
    /// an aggregate a holds b_i/‖b_a‖ in column a, an unaggregated row is empty; coarseNullSpace[a] = ‖b_a‖ (so that
    /// P̂·b_c = b), the norms summed over the aggregate's nodes in increasing index. Returns the pattern (n × count) and
    /// the values on this device, and the number of aggregates where b vanishes (their column is then zero: the caller
    /// must not use such a P̂).
    /// </summary>
    public abstract (CsrIndices Pattern, Storage<T> Values, int ZeroAggregates) AmgTentative<T>(Storage<int> aggregate, int count,
        Storage<T> nullSpace, Storage<T> coarseNullSpace)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// x[i] = a pseudo-random number in [−½, ½) that depends only on i and <paramref name="seed"/> (the MurmurHash3
    /// finaliser of i + seed·2654435761): a start vector for eigenvalue estimates made where it is used.
    /// </summary>
    public abstract void AmgPseudoRandom<T>(Storage<T> x, int n, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// The update of a diagonally preconditioned smoothing step (Jacobi, Chebyshev) over n elements:
    /// d ← α·(inverseDiagonal ∘ r) + β·d (β = 0: d is not read), then x ← x + d (<paramref name="overwriteX"/> false)
    /// or x ← d (true: the first step from a zero guess). One pass instead of a diagonal product, a copy and an axpy.
    /// </summary>
    public abstract void AmgSmoothingStep<T>(Storage<T> inverseDiagonal, Storage<T> r, Storage<T> d, Storage<T> x, int n, T alpha, T beta, bool overwriteX)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// (diag(left)·A + shift·I)·B, pattern and values: the smoothed prolongator (I − ω·D⁻¹A)·P̂ with left = −ω/d, shift 1
    /// (A must store its diagonal). The default forms the left factor's values (<see cref="AmgScale{T}"/>) and multiplies
    /// (<see cref="SpGemm{T}"/>); the CPU backend scales each entry inside the product instead (no copy of A's values).
    /// </summary>
    public virtual (CsrIndices Product, Storage<T> Values) AmgScaledProduct<T>(CsrIndices a, Storage<T> values, Storage<T> left, T shift,
        CsrIndices b, Storage<T> bValues)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        using var scaled = Allocate<T>(a.Nnz);
        AmgScale(a, values, left, null, shift, scaled);
        return SpGemm(a, scaled, b, bValues);
    }

    /// <summary>
    /// A·B for a product the caller knows to be symmetric (AMG's Galerkin operator Pᵀ·(A·P) for a symmetric A), pattern and
    /// values. The default is <see cref="SpGemm{T}"/>; the CPU backend forms the upper triangle and mirrors it (about half
    /// the scalar products; the result is then exactly symmetric, where the full product is symmetric up to rounding).
    /// </summary>
    public virtual (CsrIndices Product, Storage<T> Values) SymmetricSpGemm<T>(CsrIndices a, Storage<T> aValues, CsrIndices b, Storage<T> bValues)
        where T : unmanaged, IFloatingPointIeee754<T> => SpGemm(a, aValues, b, bValues);

    /// <summary>
    /// The Galerkin operator R·A·P of a symmetric A with R = Pᵀ (AMG's coarse operator), pattern and values: A·P
    /// (<see cref="SpGemm{T}"/>), then R·(A·P) (<see cref="SymmetricSpGemm{T}"/>), A·P freed at once. The CPU backend keeps
    /// A·P in memory it hands back for the next products.
    /// </summary>
    public virtual (CsrIndices Product, Storage<T> Values) GalerkinProduct<T>(CsrIndices r, Storage<T> rValues, CsrIndices a, Storage<T> aValues,
        CsrIndices p, Storage<T> pValues) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (ap, apValues) = SpGemm(a, aValues, p, pValues);
        using (ap)
        using (apValues)
            return SymmetricSpGemm(r, rValues, ap, apValues);
    }

    /// <summary>
    /// Aᵀ with its values, for a transpose made once and kept (AMG's restriction R = Pᵀ): the default transposes the
    /// pattern (<see cref="Transpose"/>) and gathers the values through the slot map; the CPU backend moves the values
    /// in the counting sort itself (no map).
    /// </summary>
    public virtual (CsrIndices Transposed, Storage<T> Values) TransposeWithValues<T>(CsrIndices a, Storage<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        var (t, map) = Transpose(a);
        using (map)
        {
            var v = Allocate<T>(a.Nnz);
            Gather(values, 0, map, 0, v, 0, a.Nnz, T.One, accumulate: false);
            return (t, v);
        }
    }
}
