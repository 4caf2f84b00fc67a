namespace TorchSla.Solvers;

/// <summary>
/// The algorithm a solve uses. The preconditioner is a separate choice
/// (<see cref="SolveOptions.Preconditioner"/>), as in PETSc's KSP/PC split.
/// </summary>
public enum SolveMethod
{
    /// <summary>
    /// Chosen from the matrix: conjugate gradients for a square symmetric matrix. Nonsymmetric
    /// matrices have no method yet and are refused with a <see cref="NotSupportedException"/>.
    /// </summary>
    Auto,

    /// <summary>Conjugate gradients (Hestenes–Stiefel) for symmetric positive definite matrices.</summary>
    CG,

    /// <summary>Smoothed-aggregation algebraic multigrid cycles used as a stationary solver (see <see cref="Preconditioners.AmgPreconditioner{T}.Solve"/>).</summary>
    Amg,
}

/// <summary>Names of <see cref="SolveMethod"/> values as the command line and reports spell them.</summary>
public static class SolveMethods
{
    /// <summary>Every method this build offers (besides <see cref="SolveMethod.Auto"/>).</summary>
    public static IReadOnlyList<SolveMethod> Concrete { get; } = [SolveMethod.CG];

    /// <summary>The lower-case name: <c>auto</c>, <c>cg</c>.</summary>
    public static string Name(this SolveMethod method) => method switch
    {
        SolveMethod.Auto => "auto",
        SolveMethod.CG => "cg",
        SolveMethod.Amg => "amg",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown solve method"),
    };

    /// <summary>Parses a method name (case-insensitive): <c>auto</c>, <c>cg</c>.</summary>
    /// <exception cref="FormatException">The text names no method of this build.</exception>
    public static SolveMethod Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var m in (SolveMethod[])[SolveMethod.Auto, .. Concrete])
            if (string.Equals(text.Trim(), m.Name(), StringComparison.OrdinalIgnoreCase)) return m;
        throw new FormatException($"unknown method '{text}': this build offers auto, {string.Join(", ", Concrete.Select(m => m.Name()))}");
    }
}
