namespace TorchSla.Solvers;

/// <summary>
/// The algorithm a solve uses. The preconditioner is a separate choice
/// (<see cref="SolveOptions.Preconditioner"/>), as in PETSc's KSP/PC split.
/// </summary>
public enum SolveMethod
{
    /// <summary>Chosen from the matrix by <see cref="AutoSolverChoice"/> (the table in the README).</summary>
    Auto,

    /// <summary>(Preconditioned) conjugate gradients (Hestenes–Stiefel) for symmetric positive definite matrices.</summary>
    CG,

    /// <summary>BiCGStab (van der Vorst 1992) for general square matrices; short recurrences, 2 SpMVs per iteration.</summary>
    BiCgStab,

    /// <summary>Restarted GMRES(m) (Saad &amp; Schultz 1986) for general square matrices; minimal residual within each cycle.</summary>
    Gmres,

    /// <summary>Flexible GMRES(m) (Saad 1993): GMRES that tolerates a preconditioner varying between iterations.</summary>
    Fgmres,

    /// <summary>MINRES (Paige &amp; Saunders 1975) for symmetric indefinite matrices (SPD preconditioner).</summary>
    Minres,

    /// <summary>Sparse direct: supernodal Cholesky for symmetric positive definite matrices (<see cref="SparseTensor{T}.Cholesky"/>).</summary>
    Cholesky,

    /// <summary>Sparse direct: multifrontal LDLᵀ with 1×1/2×2 and delayed pivoting for symmetric indefinite matrices (<see cref="SparseTensor{T}.Ldlt"/>).</summary>
    Ldlt,

    /// <summary>Sparse direct: LU with threshold partial pivoting for square matrices (<see cref="SparseTensor{T}.Lu"/>).</summary>
    Lu,

    /// <summary>Smoothed-aggregation algebraic multigrid cycles used as a stationary solver (see <see cref="Preconditioners.AmgPreconditioner{T}.Solve"/>).</summary>
    Amg,
}

/// <summary>Names of <see cref="SolveMethod"/> values as the command line and reports spell them.</summary>
public static class SolveMethods
{
    /// <summary>Every method this build offers (besides <see cref="SolveMethod.Auto"/>).</summary>
    public static IReadOnlyList<SolveMethod> Concrete { get; } =
        [SolveMethod.CG, SolveMethod.BiCgStab, SolveMethod.Gmres, SolveMethod.Fgmres, SolveMethod.Minres, SolveMethod.Cholesky, SolveMethod.Ldlt, SolveMethod.Lu, SolveMethod.Amg];

    /// <summary>The lower-case name: <c>auto</c>, <c>cg</c>, <c>bicgstab</c>, <c>gmres</c>, <c>fgmres</c>, <c>minres</c>, <c>cholesky</c>, <c>ldlt</c>, <c>lu</c>, <c>amg</c>.</summary>
    public static string Name(this SolveMethod method) => method switch
    {
        SolveMethod.Auto => "auto",
        SolveMethod.CG => "cg",
        SolveMethod.BiCgStab => "bicgstab",
        SolveMethod.Gmres => "gmres",
        SolveMethod.Fgmres => "fgmres",
        SolveMethod.Minres => "minres",
        SolveMethod.Cholesky => "cholesky",
        SolveMethod.Ldlt => "ldlt",
        SolveMethod.Lu => "lu",
        SolveMethod.Amg => "amg",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown solve method"),
    };

    /// <summary>Parses a method name (case-insensitive): <c>auto</c>, <c>cg</c>, <c>bicgstab</c>, <c>gmres</c>, <c>fgmres</c>, <c>minres</c>, <c>cholesky</c>, <c>ldlt</c>, <c>lu</c>.</summary>
    /// <exception cref="FormatException">The text names no method of this build.</exception>
    public static SolveMethod Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var m in (SolveMethod[])[SolveMethod.Auto, .. Concrete])
            if (string.Equals(text.Trim(), m.Name(), StringComparison.OrdinalIgnoreCase)) return m;
        throw new FormatException($"unknown method '{text}': this build offers auto, {string.Join(", ", Concrete.Select(m => m.Name()))}");
    }
}
