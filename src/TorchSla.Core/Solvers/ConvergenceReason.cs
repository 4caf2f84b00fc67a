namespace TorchSla.Solvers;

/// <summary>
/// Why a solve stopped, after PETSc's <c>KSPConvergedReason</c>: the converged reasons say
/// which test was met, the others say what went wrong.
/// </summary>
public enum ConvergenceReason
{
    /// <summary>Converged: the true residual met ‖b − Ax‖ ≤ rtol·‖b‖ (the larger of the two bounds).</summary>
    RelativeTolerance,
    /// <summary>Converged: the true residual met ‖b − Ax‖ ≤ atol (the larger of the two bounds).</summary>
    AbsoluteTolerance,
    /// <summary>Converged: b = 0, so x = 0 without iterating.</summary>
    ZeroRightHandSide,
    /// <summary>Not converged: the iteration limit was reached first.</summary>
    MaxIterations,
    /// <summary>Not converged: a quantity the method divides by became zero (e.g. pᵀAp = 0 in CG).</summary>
    Breakdown,
    /// <summary>Not converged: the method needs a positive definite matrix and found pᵀAp &lt; 0.</summary>
    IndefiniteMatrix,
    /// <summary>Not converged: NaN or ±∞ appeared in the iteration (overflow, or an operator that produces them).</summary>
    NonFiniteValues,
    /// <summary>Not converged: the true residual stopped decreasing while the method's recurrence claimed
    /// convergence (the tolerance is below what the precision attains for this matrix).</summary>
    Stagnation,
    /// <summary>Not converged: the caller's <see cref="CancellationToken"/> was cancelled.</summary>
    Cancelled,
    /// <summary>Converged: a direct method (factorization and triangular solves) produced x.</summary>
    Factorized,
}

/// <summary>Helpers for <see cref="ConvergenceReason"/>.</summary>
public static class ConvergenceReasons
{
    /// <summary>Whether the reason is one of the converged ones.</summary>
    public static bool IsConverged(this ConvergenceReason reason) =>
        reason is ConvergenceReason.RelativeTolerance or ConvergenceReason.AbsoluteTolerance or ConvergenceReason.ZeroRightHandSide or ConvergenceReason.Factorized;

    /// <summary>A short lower-case name for reports (<c>rtol</c>, <c>atol</c>, <c>maxiter</c>, ...).</summary>
    public static string Name(this ConvergenceReason reason) => reason switch
    {
        ConvergenceReason.RelativeTolerance => "rtol",
        ConvergenceReason.AbsoluteTolerance => "atol",
        ConvergenceReason.ZeroRightHandSide => "zero-rhs",
        ConvergenceReason.MaxIterations => "maxiter",
        ConvergenceReason.Breakdown => "breakdown",
        ConvergenceReason.IndefiniteMatrix => "indefinite",
        ConvergenceReason.NonFiniteValues => "nan-or-inf",
        ConvergenceReason.Stagnation => "stagnation",
        ConvergenceReason.Cancelled => "cancelled",
        ConvergenceReason.Factorized => "factorized",
        _ => reason.ToString(),
    };
}
