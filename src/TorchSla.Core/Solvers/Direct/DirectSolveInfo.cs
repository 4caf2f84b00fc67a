namespace TorchSla.Solvers.Direct;

/// <summary>What a direct solve through <see cref="SparseTensor{T}.Solve(Tensor{T}, SolveOptions?, Tensor{T}?)"/> cost.</summary>
/// <param name="NnzFactor">Stored entries of the factor(s) of one matrix: nnz(L) or nnz(L) + nnz(U).</param>
/// <param name="Flops">Floating-point operations of one numeric factorization.</param>
/// <param name="Ordering">The fill-reducing ordering requested.</param>
/// <param name="AnalyzeSeconds">Symbolic analysis (ordering included).</param>
/// <param name="FactorSeconds">Numeric factorization (all matrices of a batch).</param>
/// <param name="SolveSeconds">Triangular solves (and refinement).</param>
public sealed record DirectSolveInfo(long NnzFactor, double Flops, CholeskyOrdering Ordering, double AnalyzeSeconds, double FactorSeconds, double SolveSeconds);
