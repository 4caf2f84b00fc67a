using System.Numerics;

namespace TorchSla.Solvers.Krylov;

/// <summary>
/// Restarted GMRES(m) (Saad &amp; Schultz, SIAM J. Sci. Stat. Comput. 7 (1986) 856–869; Saad,
/// "Iterative Methods for Sparse Linear Systems", 2nd ed., §6.5, Algorithm 6.9 with Givens
/// rotations, §9.3.2 for right preconditioning) for a general square A. Right preconditioning
/// (A·M⁻¹·u = b) keeps the minimised residual the true one. Arnoldi by modified Gram–Schmidt
/// with selective reorthogonalisation (<see cref="Arnoldi{T}"/>). Written once against
/// <see cref="ILinearOperator{T}"/> and <see cref="IVectorSpace{T}"/>.
/// </summary>
/// <remarks>
/// Every cycle starts from the true residual b − A·x, which is the convergence check: a cycle
/// whose estimate |g_{j+1}| meets the bound ends early, x is formed, and the next cycle's
/// true residual decides. A cycle that fails to reduce the true residual at all means GMRES(m)
/// stagnates (the next cycle would repeat it): the solve stops with
/// <see cref="ConvergenceReason.Stagnation"/>.
/// Memory: m + 1 basis vectors + 2 (+1 with M).
/// </remarks>
public static class Gmres
{
    /// <summary>The restart length when none is given (PETSc's default).</summary>
    public const int DefaultRestart = 30;

    /// <summary>Solves A·x = b by GMRES(m), m = <see cref="SolveOptions.Restart"/> (default 30).</summary>
    /// <param name="a">A square operator.</param>
    /// <param name="b">The right-hand side.</param>
    /// <param name="space">Where the vectors live; defaults to A's device.</param>
    /// <param name="options">Tolerances, limit, restart, progress, cancellation.</param>
    /// <param name="initialGuess">x₀ (default 0); not modified.</param>
    /// <param name="preconditioner">z = M⁻¹·r (default none), applied on the right; must be a fixed operator (else use <see cref="Fgmres"/>).</param>
    /// <returns>The solution and how the solve went; never throws for non-convergence.</returns>
    /// <exception cref="ShapeMismatchException">A is not square, or b, x₀ or M does not fit it.</exception>
    /// <exception cref="NonFiniteValueException">b or x₀ holds NaN or ±∞.</exception>
    public static SolveResult<T> Solve<T>(ILinearOperator<T> a, Tensor<T> b, IVectorSpace<T>? space = null,
        SolveOptions? options = null, Tensor<T>? initialGuess = null, ILinearOperator<T>? preconditioner = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var run = new KrylovRun<T>(SolveMethod.Gmres, a, b, space, options, initialGuess, preconditioner);
        if (run.BNorm == 0) return run.ZeroRightHandSide();
        var s = run.Space;
        var m = run.M;
        int restart = RestartLength(run, options);
        var arnoldi = new Arnoldi<T>(s, restart);
        var z = m is null ? null : s.Create();
        var u = m is null ? null : s.Create();
        return RestartCycles(run, arnoldi, restart,
            j =>
            {
                // Memory traffic of step j (n = vector length, "A" = one SpMV's matrix traffic):
                //   w = A·M⁻¹·v_j          A (+ M) + 2n
                //   MGS against v_0..v_j   (j+1)·(2n dot + 3n axpby) + 1n norm, doubled on reorthogonalisation
                //   normalise w            2n
                // ≈ (5j + 10)·n values + one SpMV: O(m²·n) per cycle, the price of the minimal residual.
                if (m is null) a.Apply(arnoldi.V[j], arnoldi.V[j + 1]);
                else { m.Apply(arnoldi.V[j], z!); a.Apply(z!, arnoldi.V[j + 1]); }
            },
            j =>
            {
                // x += M⁻¹·(V·y)
                if (m is null) arnoldi.Update(j, arnoldi.V, run.X);
                else
                {
                    s.Fill(u!, T.Zero);
                    arnoldi.Update(j, arnoldi.V, u!);
                    m.Apply(u!, z!);
                    s.Axpby(T.One, z!, T.One, run.X);
                }
            });
    }

    /// <summary>The restart length m: the option (default 30), at least 1 and at most n.</summary>
    internal static int RestartLength<T>(KrylovRun<T> run, SolveOptions? options) where T : unmanaged, IFloatingPointIeee754<T> =>
        Math.Max(1, Math.Min(options?.Restart ?? DefaultRestart, Math.Max(run.N, 1)));

    /// <summary>
    /// The restart loop shared by GMRES and FGMRES: each cycle starts from the true residual
    /// (the convergence and stagnation checks), runs Arnoldi steps until the least-squares estimate
    /// meets the bound, the basis is full or the iteration limit is reached, then updates x.
    /// <paramref name="step"/>(j) writes v_{j+1} ← A·M⁻¹·v_j (before orthogonalisation);
    /// <paramref name="update"/>(j) adds the correction of the j-step cycle to x.
    /// </summary>
    internal static SolveResult<T> RestartCycles<T>(KrylovRun<T> run, Arnoldi<T> arnoldi, int restart, Action<int> step, Action<int> update)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = run.Space.Create();
        double rNorm = run.InitialResidual(r);
        run.Record(0, rNorm);
        var reason = ConvergenceReason.MaxIterations;
        int k = 0;
        double previous = double.PositiveInfinity;
        while (true)
        {
            // r holds the true residual b − A·x here.
            if (rNorm <= run.Bound) return run.Converged(k, rNorm);
            if (!double.IsFinite(rNorm)) { reason = ConvergenceReason.NonFiniteValues; break; }
            if (rNorm >= previous * (1 - 1e-12)) { reason = ConvergenceReason.Stagnation; break; }
            if (k >= run.MaxIterations) break;
            previous = rNorm;
            arnoldi.Start(r, rNorm);
            int j = 0;
            bool stop = false;
            while (j < restart && k < run.MaxIterations)
            {
                if (run.CancellationRequested) { reason = ConvergenceReason.Cancelled; stop = true; break; }
                step(j);
                var (est, hNext) = arnoldi.Step(j);
                j++; k++;
                run.Record(k, est);
                if (!double.IsFinite(est)) { reason = ConvergenceReason.NonFiniteValues; stop = true; break; }
                if (est <= run.Bound || hNext == 0) break;
            }
            if (reason == ConvergenceReason.NonFiniteValues) break; // x stays the last finite iterate
            if (arnoldi.Singular(j)) { if (!stop) reason = ConvergenceReason.Breakdown; break; }
            update(j);
            if (stop) break;
            rNorm = run.TrueResidual(r);
        }
        return run.Finish(k, reason, r);
    }
}
