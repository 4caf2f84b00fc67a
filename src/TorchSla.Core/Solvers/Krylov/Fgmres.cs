using System.Numerics;

namespace TorchSla.Solvers.Krylov;

/// <summary>
/// Flexible GMRES(m) (Saad, SIAM J. Sci. Comput. 14 (1993) 461–469; "Iterative Methods for
/// Sparse Linear Systems", 2nd ed., §9.4.1, Algorithm 9.6): right-preconditioned GMRES that
/// stores the preconditioned vectors z_j = M_j⁻¹·v_j and forms x from them, so the
/// preconditioner may change from step to step (an inner iterative solve, AMG with a varying
/// cycle, a Chebyshev polynomial with adapted bounds). Arnoldi and the least-squares problem
/// are those of <see cref="Gmres"/> (<see cref="Arnoldi{T}"/>); every cycle starts from the
/// true residual, and a cycle that does not reduce it ends the solve with
/// <see cref="ConvergenceReason.Stagnation"/>. Scalars stay on the device between read-backs as in GMRES.
/// Memory: blocks of m + 1 and m vectors + 5 vectors.
/// </summary>
public static class Fgmres
{
    /// <summary>Solves A·x = b by FGMRES(m), m = <see cref="SolveOptions.Restart"/> (default 30).</summary>
    /// <param name="a">A square operator.</param>
    /// <param name="b">The right-hand side.</param>
    /// <param name="space">Where the vectors live; defaults to A's device.</param>
    /// <param name="options">Tolerances, limit, restart, progress, cancellation.</param>
    /// <param name="initialGuess">x₀ (default 0); not modified.</param>
    /// <param name="preconditioner">z = M⁻¹·r (default none), applied on the right; may vary between applications.</param>
    /// <returns>The solution and how the solve went; never throws for non-convergence.</returns>
    /// <exception cref="ShapeMismatchException">A is not square, or b, x₀ or M does not fit it.</exception>
    /// <exception cref="NonFiniteValueException">b or x₀ holds NaN or ±∞.</exception>
    public static SolveResult<T> Solve<T>(ILinearOperator<T> a, Tensor<T> b, IVectorSpace<T>? space = null,
        SolveOptions? options = null, Tensor<T>? initialGuess = null, ILinearOperator<T>? preconditioner = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var run = new KrylovRun<T>(SolveMethod.Fgmres, a, b, space, options, initialGuess, preconditioner);
        if (run.BNorm == 0) return run.ZeroRightHandSide();
        var s = run.Space;
        var m = run.M;
        int restart = Gmres.RestartLength(run, options);
        var arnoldi = new Arnoldi<T>(s, restart);
        // Without M, z_j = v_j and FGMRES is GMRES: the basis serves as Z. With M, Z is a block of m vectors, so
        // that x += Z·y is one multi-axpy.
        var zs = m is null ? arnoldi.V : s.CreateBlock(restart);
        var z = m is null ? null : s.Create();
        return Gmres.RestartCycles(run, arnoldi, restart,
            j =>
            {
                // As GMRES ((4j + 13)·n values + A + M), plus 2n to store z_j in the block.
                if (m is null) { a.Apply(arnoldi.Current, arnoldi.W); return; }
                m.Apply(arnoldi.Current, z!);
                s.CopyIntoBlock(z!, zs, j);
                a.Apply(z!, arnoldi.W);
            },
            j => arnoldi.Update(j, zs, run.X)); // x += Z·y
    }
}
