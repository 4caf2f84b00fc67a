using System.Numerics;

namespace TorchSla.Solvers;

/// <summary>
/// The outcome of a solve: the solution, how many iterations it took, the residual history,
/// why it stopped and the true relative residual ‖b − Ax‖₂/‖b‖₂ recomputed at exit.
/// A solve that did not converge still returns its last iterate; call
/// <see cref="EnsureConverged"/> to turn that into a <see cref="NotConvergedException"/>.
/// </summary>
/// <typeparam name="T"><see cref="double"/> or <see cref="float"/>.</typeparam>
public sealed class SolveResult<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a result (solvers build these; callers read them).</summary>
    public SolveResult(Tensor<T> solution, int iterations, IReadOnlyList<double> residualHistory, ConvergenceReason reason,
        SolveMethod methodUsed, string preconditioner, double finalResidualNorm, double finalRelativeResidual,
        IReadOnlyList<SolveResult<T>>? batchResults = null)
    {
        ArgumentNullException.ThrowIfNull(solution);
        ArgumentNullException.ThrowIfNull(residualHistory);
        Solution = solution;
        Iterations = iterations;
        ResidualHistory = residualHistory;
        Reason = reason;
        MethodUsed = methodUsed;
        Preconditioner = preconditioner;
        FinalResidualNorm = finalResidualNorm;
        FinalRelativeResidual = finalRelativeResidual;
        BatchResults = batchResults ?? [];
    }

    /// <summary>For a direct method: the factor's size and the split analyse/factor/solve seconds; null for iterative methods.</summary>
    public Direct.DirectSolveInfo? Direct { get; init; }

    /// <summary>
    /// When algebraic multigrid was the solver or the preconditioner: its hierarchy (levels, sizes, operator
    /// complexity) and setup seconds, which are part of the solve's time; null otherwise.
    /// </summary>
    public Preconditioners.AmgStatistics? Amg { get; internal set; }

    /// <summary>The solution x (the last iterate when not converged). Shape of b.</summary>
    public Tensor<T> Solution { get; }

    /// <summary>Iterations done (for a batch, the largest over its matrices).</summary>
    public int Iterations { get; }

    /// <summary>
    /// ‖r_k‖₂ for k = 0 … Iterations as the method tracked it (its recurrence, which may drift
    /// from the true residual by rounding). Empty for a batch: see <see cref="BatchResults"/>.
    /// </summary>
    public IReadOnlyList<double> ResidualHistory { get; }

    /// <summary>Whether the stopping test was met on the true residual.</summary>
    public bool Converged => Reason.IsConverged();

    /// <summary>Why the solve stopped (for a batch: the first matrix that did not converge, else the first's).</summary>
    public ConvergenceReason Reason { get; }

    /// <summary>The method that ran (never <see cref="SolveMethod.Auto"/>).</summary>
    public SolveMethod MethodUsed { get; }

    /// <summary>The preconditioner that ran, by registry name (<c>none</c>, <c>jacobi</c>, ...; <c>custom</c> for an unnamed operator).</summary>
    public string Preconditioner { get; }

    /// <summary>‖b − Ax‖₂ recomputed from the returned x (for a batch, the largest).</summary>
    public double FinalResidualNorm { get; }

    /// <summary>‖b − Ax‖₂ / ‖b‖₂ recomputed from the returned x (0 when b = 0; for a batch, the largest).</summary>
    public double FinalRelativeResidual { get; }

    /// <summary>One result per matrix of a batched solve, in batch order; empty for a single matrix.</summary>
    public IReadOnlyList<SolveResult<T>> BatchResults { get; }

    /// <summary>The solution if the solve converged.</summary>
    /// <exception cref="NotConvergedException">It did not (the iterations and true residual are named).</exception>
    /// <exception cref="OperationCanceledException">The solve was cancelled.</exception>
    public Tensor<T> EnsureConverged()
    {
        if (Converged) return Solution;
        if (Reason == ConvergenceReason.Cancelled) throw new OperationCanceledException($"{MethodUsed.Name()} solve cancelled after {Iterations} iterations");
        throw new NotConvergedException(
            $"{MethodUsed.Name()} did not converge ({Reason.Name()}) after {Iterations} iterations: ‖b − Ax‖/‖b‖ = {FinalRelativeResidual:G3}",
            Iterations, FinalRelativeResidual);
    }

    /// <summary>A one-line summary: method, reason, iterations, relative residual.</summary>
    public override string ToString() =>
        $"{MethodUsed.Name()}: {(Converged ? "converged" : "not converged")} ({Reason.Name()}) in {Iterations} iterations, ‖b − Ax‖/‖b‖ = {FinalRelativeResidual:G3}";
}
