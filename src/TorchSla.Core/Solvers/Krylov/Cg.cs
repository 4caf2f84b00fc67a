using System.Numerics;

namespace TorchSla.Solvers.Krylov;

/// <summary>
/// Preconditioned conjugate gradients (Hestenes &amp; Stiefel 1952) for a symmetric positive
/// definite A and SPD preconditioner M, as in Saad, "Iterative Methods for Sparse Linear
/// Systems", 2nd ed., §9.2.1, Algorithm 9.1 (§6.7.1, Algorithm 6.18 when M = I). Written once
/// against <see cref="ILinearOperator{T}"/> and <see cref="IVectorSpace{T}"/>, so the same loop
/// serves every device and, later, MPI.
/// </summary>
/// <remarks>
/// The stopping test is <c>‖b − Ax‖₂ ≤ max(rtol·‖b‖₂, atol)</c> on the TRUE, unpreconditioned
/// residual: the recurrence r_{k+1} = r_k − α·A·p_k drifts from b − A·x_k by rounding, so when
/// it claims convergence the true residual is recomputed; if that misses the bound, r is
/// replaced by it and the iteration goes on (residual replacement). A non-positive curvature
/// pᵀAp ≤ 0 stops the solve (A is not positive definite), as does rᵀM⁻¹r ≤ 0 (M is not);
/// NaN/∞ in b or x₀ are refused before iterating, NaN arising later stops the solve.
/// </remarks>
public static class Cg
{
    /// <summary>Solves A·x = b by (preconditioned) conjugate gradients.</summary>
    /// <param name="a">A square symmetric positive definite operator.</param>
    /// <param name="b">The right-hand side (a vector of <paramref name="space"/>).</param>
    /// <param name="space">Where the vectors live; defaults to A's device.</param>
    /// <param name="options">Tolerances, limit, progress, cancellation (method and preconditioner name are not consulted).</param>
    /// <param name="initialGuess">x₀ (default 0); not modified.</param>
    /// <param name="preconditioner">z = M⁻¹·r for an SPD M (default none).</param>
    /// <returns>The solution and how the solve went; never throws for non-convergence.</returns>
    /// <exception cref="ShapeMismatchException">A is not square, or b, x₀ or M does not fit it.</exception>
    /// <exception cref="NonFiniteValueException">b or x₀ holds NaN or ±∞ (the first such entry is named).</exception>
    public static SolveResult<T> Solve<T>(ILinearOperator<T> a, Tensor<T> b, IVectorSpace<T>? space = null,
        SolveOptions? options = null, Tensor<T>? initialGuess = null, ILinearOperator<T>? preconditioner = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var run = new KrylovRun<T>(SolveMethod.CG, a, b, space, options, initialGuess, preconditioner);
        if (run.BNorm == 0) return run.ZeroRightHandSide();
        var s = run.Space;
        var x = run.X;
        var m = run.M;

        // Work vectors, allocated once: nothing below allocates per iteration. Without M, z is r.
        var r = s.Create();
        var p = s.Create();
        var q = s.Create();
        var z = m is null ? r : s.Create();
        double rNorm = run.InitialResidual(r);
        run.Record(0, rNorm);
        // r is the true residual here (computed, not recurred), so meeting the bound is final.
        if (rNorm <= run.Bound) return run.Converged(0, rNorm);
        if (!double.IsFinite(rNorm)) return run.Finish(0, ConvergenceReason.NonFiniteValues, q);

        m?.Apply(r, z);
        T rho = s.Dot(r, z);
        if (!(rho > T.Zero)) return run.Finish(0, T.IsFinite(rho) ? ConvergenceReason.IndefiniteMatrix : ConvergenceReason.NonFiniteValues, q);
        s.Copy(z, p);
        var reason = ConvergenceReason.MaxIterations;
        int k = 0;
        while (k < run.MaxIterations)
        {
            if (run.CancellationRequested) { reason = ConvergenceReason.Cancelled; break; }

            // Memory traffic per iteration (the performance contract; n = vector length):
            //   q = A·p            matrix (nnz values + nnz column indices + n+1 row offsets) + 2n
            //   pᵀq                2n
            //   x += α·p           3n
            //   r −= α·q           3n
            //   ‖r‖² = rᵀr         1n
            //   z = M⁻¹r, ρ = rᵀz  M's traffic (Jacobi: 3n) + 2n        (skipped when M = I: ρ = rᵀr)
            //   p = z + β·p        3n
            // = 14n values + the matrix (+ 5n + M with a preconditioner). A fused backend step
            // (x and r updated in one pass, the dots accumulated while r is written; Ginkgo's
            // cg step_1/step_2) would bring the unpreconditioned loop to 11n.
            a.Apply(p, q);
            T pq = s.Dot(p, q);
            if (!T.IsFinite(pq)) { reason = ConvergenceReason.NonFiniteValues; break; }
            if (pq < T.Zero) { reason = ConvergenceReason.IndefiniteMatrix; break; }
            if (pq == T.Zero) { reason = ConvergenceReason.Breakdown; break; }
            T alpha = rho / pq;
            s.Axpby(alpha, p, T.One, x);
            s.Axpby(-alpha, q, T.One, r);
            T rr = s.Dot(r, r);
            k++;
            rNorm = Math.Sqrt(double.CreateTruncating(rr));
            run.Record(k, rNorm);
            if (!double.IsFinite(rNorm)) { reason = ConvergenceReason.NonFiniteValues; break; }
            if (run.Stagnating(k, rNorm)) { reason = ConvergenceReason.Stagnation; break; }
            bool replaced = false;
            if (rNorm <= run.Bound)
            {
                // The recurrence claims convergence: check the true residual b − A·x (into q, free now).
                if (run.TrueResidualMeets(q, out double trueNorm, out bool stagnated)) return run.Converged(k, trueNorm);
                if (stagnated) { reason = ConvergenceReason.Stagnation; break; }
                s.Copy(q, r); // residual replacement
                replaced = true;
            }
            T rhoNew;
            if (m is null) rhoNew = replaced ? s.Dot(r, r) : rr;
            else
            {
                m.Apply(r, z);
                rhoNew = s.Dot(r, z);
            }
            if (!T.IsFinite(rhoNew)) { reason = ConvergenceReason.NonFiniteValues; break; }
            if (!(rhoNew > T.Zero)) { reason = ConvergenceReason.IndefiniteMatrix; break; } // M is not positive definite
            T beta = rhoNew / rho;
            s.Axpby(T.One, z, beta, p); // p = z + β·p
            rho = rhoNew;
        }
        return run.Finish(k, reason, q);
    }

    /// <summary>Throws <see cref="NonFiniteValueException"/> naming the first NaN/∞ entry of v.</summary>
    internal static void RejectNonFinite<T>(IVectorSpace<T> space, Tensor<T> v, string what)
        where T : unmanaged, IFloatingPointIeee754<T> => KrylovRun<T>.RejectNonFinite(space, v, what);
}
