namespace TorchSla.Solvers.Direct;

/// <summary>The symmetric permutation P applied before a Cholesky factorization of P·A·Pᵀ.</summary>
public enum CholeskyOrdering
{
    /// <summary>No permutation (P = I).</summary>
    Natural,
    /// <summary>Reverse Cuthill–McKee: a narrow profile, good for banded and mesh matrices.</summary>
    ReverseCuthillMcKee,
    /// <summary>Approximate minimum degree (Amestoy, Davis &amp; Duff 1996): little fill on general sparse and mesh matrices.</summary>
    ApproximateMinimumDegree,
    /// <summary>
    /// Nested dissection on multilevel vertex separators (METIS-like: heavy-edge coarsening, Fiduccia–Mattheyses
    /// refinement, <c>TorchSla.Graphs</c>), minimum degree on small pieces: little fill on 2-D and 3-D meshes.
    /// </summary>
    NestedDissection,
    /// <summary>
    /// Chosen by the supernodal analysis: up to 30 000 rows both minimum degree and nested dissection are analysed and
    /// the one with fewer factorization flops is kept (as CHOLMOD tries AMD and METIS); above that, nested dissection
    /// (on meshes of that size it needs fewer flops than minimum degree, in about the same ordering time: 2-D 500²
    /// 1.6e9 against 2.1e9, 3-D 50³ 4.7e10 against 1.8e11), by level structures where their top separator is as small
    /// as the multilevel one (regular meshes: same fill, a fraction of the time), else multilevel. Elsewhere it means
    /// <see cref="ApproximateMinimumDegree"/>.
    /// </summary>
    Automatic,
}
