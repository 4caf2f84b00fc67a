namespace TorchSla.Solvers;

/// <summary>
/// What an iterative solver reports after each iteration (to <see cref="SolveOptions.Progress"/>):
/// progress bars, residual histories and convergence plots attach here, outside the algorithm.
/// </summary>
/// <param name="Iteration">Iterations done so far (0 before the first).</param>
/// <param name="ResidualNorm">The solver's residual estimate ‖r_k‖₂ (the recurrence value, not recomputed).</param>
/// <param name="RelativeResidual">‖r_k‖₂ / ‖b‖₂ (0 when b = 0).</param>
/// <param name="BatchIndex">Which matrix of a batch is being solved (0 for a single matrix).</param>
public readonly record struct IterationReport(int Iteration, double ResidualNorm, double RelativeResidual, int BatchIndex = 0);
