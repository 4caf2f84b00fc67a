namespace TorchSla.Solvers.Direct;

/// <summary>Numeric algorithm of a sparse LU factorization (<see cref="SparseTensor{T}.Lu"/>).</summary>
public enum LuAlgorithm
{
    /// <summary>
    /// Multifrontal when the pattern is nearly symmetric (at least <see cref="LuFactorization{T}.MultifrontalSymmetryThreshold"/>
    /// of the off-diagonal entries have their transposed partner stored), left-looking Gilbert–Peierls otherwise.
    /// </summary>
    Automatic,
    /// <summary>Multifrontal LU on the assembly tree of A + Aᵀ with threshold pivoting inside fronts and delayed pivots: dense kernels, parallel subtrees.</summary>
    Multifrontal,
    /// <summary>Left-looking Gilbert–Peierls LU, one sparse column at a time: no dense kernels, but no fill from symmetrizing the pattern.</summary>
    LeftLooking,
}
