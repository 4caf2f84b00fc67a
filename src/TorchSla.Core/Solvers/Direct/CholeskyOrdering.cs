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
}
