using System.Numerics;
using TorchSla.Kernels;

namespace TorchSla.Solvers.Krylov;

/// <summary>
/// Restarted GMRES(m) (Saad &amp; Schultz, SIAM J. Sci. Stat. Comput. 7 (1986) 856–869; Saad,
/// "Iterative Methods for Sparse Linear Systems", 2nd ed., §6.5, Algorithm 6.9 with Givens
/// rotations, §9.3.2 for right preconditioning) for a general square A. Right preconditioning
/// (A·M⁻¹·u = b) keeps the minimised residual the true one. Arnoldi by classical Gram–Schmidt
/// with reorthogonalisation (CGS2), the least-squares problem updated on the device
/// (<see cref="Arnoldi{T}"/>). Written once against <see cref="ILinearOperator{T}"/> and
/// <see cref="IVectorSpace{T}"/>.
/// </summary>
/// <remarks>
/// <para>Every cycle starts from the true residual b − A·x, which is the convergence check: a cycle
/// whose estimate |g_{j+1}| meets the bound ends early, x is formed, and the next cycle's
/// true residual decides. A cycle that fails to reduce the true residual at all means GMRES(m)
/// stagnates (the next cycle would repeat it): the solve stops with
/// <see cref="ConvergenceReason.Stagnation"/>.</para>
/// <para>The host reads the cycle's scalars back every <see cref="SolveOptions.CheckEvery"/> steps (default 1 on the
/// CPU, 8 on a GPU) and at the end of the cycle, plus ‖b − A·x‖ once per cycle: ⌈m/CheckEvery⌉ + 1 waits per cycle
/// instead of about 2 per basis vector. The device freezes the cycle at the step whose estimate meets the bound,
/// whose h_{j+1,j} vanishes (happy breakdown) or that produced NaN/∞; steps launched after it only write zero basis
/// vectors, so x is the one an every-step check gives. The residual history (one estimate per step) and the
/// <see cref="SolveOptions.Progress"/> reports are filled at those read-backs, in bulk.</para>
/// <para>Memory: a block of m + 1 basis vectors + 4 vectors (+2 with M).</para>
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
                // w = A·M⁻¹·v_j: the operator's traffic (A, and M), then Arnoldi.Step's (4j + 13)·n values.
                if (m is null) a.Apply(arnoldi.Current, arnoldi.W);
                else { m.Apply(arnoldi.Current, z!); a.Apply(z!, arnoldi.W); }
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
    /// (the convergence and stagnation checks), launches Arnoldi steps until the device reports that the
    /// estimate met the bound (or a breakdown), the basis is full or the iteration limit is reached, reading
    /// the scalars back every CheckEvery steps, then updates x from the steps that count.
    /// <paramref name="step"/>(j) writes w ← A·M⁻¹·v_j into <see cref="Arnoldi{T}.W"/> (v_j is <see cref="Arnoldi{T}.Current"/>);
    /// <paramref name="update"/>(j) adds the correction of the j-step cycle to x.
    /// </summary>
    internal static SolveResult<T> RestartCycles<T>(KrylovRun<T> run, Arnoldi<T> arnoldi, int restart, Action<int> step, Action<int> update)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = run.Space.Create();
        double rNorm = run.InitialResidual(r);
        run.Record(0, rNorm);
        var reason = ConvergenceReason.MaxIterations;
        int k = 0, check = Math.Max(1, run.CheckEvery);
        double previous = double.PositiveInfinity;
        while (true)
        {
            // r holds the true residual b − A·x here.
            if (rNorm <= run.Bound) return run.Converged(k, rNorm);
            if (!double.IsFinite(rNorm)) { reason = ConvergenceReason.NonFiniteValues; break; }
            if (rNorm >= previous * (1 - 1e-12)) { reason = ConvergenceReason.Stagnation; break; }
            if (k >= run.MaxIterations) break;
            previous = rNorm;
            arnoldi.Start(r, rNorm, run.Bound);
            int launched = 0, counted = 0, status = GmresScalars.Active;
            bool stop = false;
            while (true)
            {
                bool cancelled = run.CancellationRequested;
                bool more = !cancelled && launched < restart && k + launched < run.MaxIterations;
                if (more)
                {
                    step(launched);
                    arnoldi.Step(launched);
                    launched++;
                    if (launched % check != 0 && launched < restart && k + launched < run.MaxIterations) continue;
                }
                // Read-back: the status, and the estimates of the steps since the last one.
                arnoldi.Read();
                status = arnoldi.Status;
                int upTo = status == GmresScalars.Active ? launched : arnoldi.StopStep;
                for (int i = counted; i < upTo; i++) run.Record(k + i + 1, arnoldi.Estimate(i));
                counted = upTo;
                if (status != GmresScalars.Active) break;
                if (cancelled) { reason = ConvergenceReason.Cancelled; stop = true; break; }
                if (!more || launched == restart || k + launched >= run.MaxIterations) break;
            }
            k += counted;
            if (status == GmresScalars.NonFinite) { reason = ConvergenceReason.NonFiniteValues; break; } // x stays the last finite iterate
            if (arnoldi.Singular(counted)) { if (!stop) reason = ConvergenceReason.Breakdown; break; }
            update(counted);
            if (stop) break;
            rNorm = run.TrueResidual(r);
        }
        return run.Finish(k, reason, r);
    }
}
