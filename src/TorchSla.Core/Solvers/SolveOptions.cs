namespace TorchSla.Solvers;

/// <summary>
/// The choices of one solve, the same for every method (after SciPy's one signature for all
/// iterative solvers): method, preconditioner, tolerances, limits, progress and cancellation.
/// The stopping test means what it says, on the true residual at exit:
/// <c>‖b − Ax‖₂ ≤ max(RelativeTolerance·‖b‖₂, AbsoluteTolerance)</c>.
/// </summary>
public sealed record SolveOptions
{
    /// <summary>Default options: automatic method and preconditioner, rtol 1e-8 (float64) or 1e-4 (float32), atol 0, at most 10·n iterations.</summary>
    public static SolveOptions Default { get; } = new();

    /// <summary>The algorithm (default <see cref="SolveMethod.Auto"/>).</summary>
    public SolveMethod Method { get; init; } = SolveMethod.Auto;

    /// <summary>
    /// The preconditioner, by its name in <see cref="Preconditioners.PreconditionerRegistry"/>:
    /// <c>none</c>, <c>jacobi</c>, <c>block-jacobi</c>, <c>ilu0</c>, <c>ic0</c>, <c>chebyshev</c>,
    /// anything registered later (<c>amg</c>), or <c>auto</c> (chosen with the method,
    /// see <see cref="AutoSolverChoice"/>). Default <c>auto</c>.
    /// </summary>
    public string Preconditioner { get; init; } = "auto";

    /// <summary>
    /// rtol in <c>‖b − Ax‖ ≤ max(rtol·‖b‖, atol)</c>; null means 1e-8 in float64 and 1e-4 in
    /// float32 (whose rounding floor, about 6e-8·‖A‖·‖x‖/‖b‖, is already 1e-4 for a 64×64 Poisson matrix).
    /// </summary>
    public double? RelativeTolerance { get; init; }

    /// <summary>atol in <c>‖b − Ax‖ ≤ max(rtol·‖b‖, atol)</c> (default 0).</summary>
    public double AbsoluteTolerance { get; init; }

    /// <summary>Iteration limit; null means 10·n (SciPy's default).</summary>
    public int? MaxIterations { get; init; }

    /// <summary>Restart length m of GMRES(m) and FGMRES(m) (default 30); the other methods ignore it.</summary>
    public int? Restart { get; init; }

    /// <summary>
    /// How often CG, BiCGStab, GMRES and FGMRES read their device-resident scalars back to the host to see whether
    /// they stopped (every k-th iteration; GMRES also at the end of each restart cycle); null means the vector space's
    /// default (1 on the CPU, 8 on a GPU). Between read-backs a system (a GMRES cycle) that converged or broke down is
    /// frozen on the device, so the result is the same as with 1, at the cost of at most k − 1 extra (no-op)
    /// iterations' launches; the residual history and progress reports of those iterations arrive together at the
    /// read-back.
    /// </summary>
    public int? CheckEvery { get; init; }

    /// <summary>Receives an <see cref="IterationReport"/> after every iteration (synchronously, on the solving thread
    /// when the implementation calls back directly).</summary>
    public IProgress<IterationReport>? Progress { get; init; }

    /// <summary>Checked once per iteration; a cancelled solve stops with <see cref="ConvergenceReason.Cancelled"/>.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Fill-reducing ordering of the direct methods (Cholesky, LDLᵀ: of A; LU: of the columns, on A + Aᵀ).</summary>
    public Direct.CholeskyOrdering Ordering { get; init; } = Direct.CholeskyOrdering.Automatic;

    /// <summary>The relative tolerance that applies to element type <typeparamref name="T"/>.</summary>
    public double RelativeToleranceFor<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        RelativeTolerance ?? (typeof(T) == typeof(float) ? 1e-4 : 1e-8);

    /// <summary>The iteration limit for a system of <paramref name="n"/> unknowns.</summary>
    public int MaxIterationsFor(int n) => MaxIterations ?? (int)Math.Min(int.MaxValue, 10L * Math.Max(n, 1));

    /// <summary>Checks that the tolerances and limits make sense.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A tolerance is negative or not finite, a limit is negative.</exception>
    /// <exception cref="ArgumentException">The preconditioner is not registered.</exception>
    public void Validate()
    {
        if (RelativeTolerance is { } rtol && (!(rtol >= 0) || double.IsInfinity(rtol)))
            throw new ArgumentOutOfRangeException(nameof(RelativeTolerance), RelativeTolerance, "relative tolerance must be a finite number ≥ 0");
        if (!(AbsoluteTolerance >= 0) || double.IsInfinity(AbsoluteTolerance))
            throw new ArgumentOutOfRangeException(nameof(AbsoluteTolerance), AbsoluteTolerance, "absolute tolerance must be a finite number ≥ 0");
        if (MaxIterations is < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "iteration limit must be ≥ 0");
        if (CheckEvery is < 1)
            throw new ArgumentOutOfRangeException(nameof(CheckEvery), CheckEvery, "check interval must be ≥ 1");
        if (Restart is < 1)
            throw new ArgumentOutOfRangeException(nameof(Restart), Restart, "restart length must be ≥ 1");
        if (!IsAutoPreconditioner(Preconditioner) && !Preconditioners.PreconditionerRegistry.Contains(Preconditioner))
            throw new ArgumentException(
                $"unknown preconditioner '{Preconditioner}': registered are auto, {string.Join(", ", Preconditioners.PreconditionerRegistry.Names)}", nameof(Preconditioner));
    }

    internal static bool IsAutoPreconditioner(string? name) =>
        name is not null && string.Equals(name.Trim(), "auto", StringComparison.OrdinalIgnoreCase);

}
