using System.Numerics;

namespace TorchSla.Solvers.Krylov;

/// <summary>
/// BiCGStab (van der Vorst, SIAM J. Sci. Stat. Comput. 13 (1992) 631–644) for a general
/// square A, right-preconditioned (A·M⁻¹·u = b, x = M⁻¹·u), so its residual is the true,
/// unpreconditioned one (Saad, "Iterative Methods for Sparse Linear Systems", 2nd ed., §7.4.2,
/// Algorithm 7.7; Barrett et al., "Templates", §2.3.8). Written once against
/// <see cref="ILinearOperator{T}"/> and <see cref="IVectorSpace{T}"/>.
/// </summary>
/// <remarks>
/// Breakdowns are reported, not looped on: ρ = r̂ᵀr = 0 or r̂ᵀv = 0 (the Lanczos part),
/// ω = 0 or tᵀt = 0 (the stabilising part); a breakdown at the solution counts as convergence.
/// When the recurrence claims convergence, the true residual is checked; if it misses the
/// bound the method restarts from it (r̂ = r, the shadow residual renewed).
/// </remarks>
public static class BiCgStab
{
    /// <summary>Solves A·x = b by BiCGStab.</summary>
    /// <param name="a">A square operator.</param>
    /// <param name="b">The right-hand side.</param>
    /// <param name="space">Where the vectors live; defaults to A's device.</param>
    /// <param name="options">Tolerances, limit, progress, cancellation.</param>
    /// <param name="initialGuess">x₀ (default 0); not modified.</param>
    /// <param name="preconditioner">z = M⁻¹·r (default none), applied on the right.</param>
    /// <returns>The solution and how the solve went; never throws for non-convergence.</returns>
    /// <exception cref="ShapeMismatchException">A is not square, or b, x₀ or M does not fit it.</exception>
    /// <exception cref="NonFiniteValueException">b or x₀ holds NaN or ±∞.</exception>
    public static SolveResult<T> Solve<T>(ILinearOperator<T> a, Tensor<T> b, IVectorSpace<T>? space = null,
        SolveOptions? options = null, Tensor<T>? initialGuess = null, ILinearOperator<T>? preconditioner = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var run = new KrylovRun<T>(SolveMethod.BiCgStab, a, b, space, options, initialGuess, preconditioner);
        if (run.BNorm == 0) return run.ZeroRightHandSide();
        var s = run.Space;
        var x = run.X;
        var m = run.M;

        // Work vectors, allocated once. s_k shares r's storage; without M, p̂ is p and ŝ is r.
        var r = s.Create();
        var rHat = s.Create();
        var p = s.Create();
        var v = s.Create();
        var t = s.Create();
        var pHat = m is null ? p : s.Create();
        var sHat = m is null ? r : s.Create();
        double rNorm = run.InitialResidual(r);
        run.Record(0, rNorm);
        if (rNorm <= run.Bound) return run.Converged(0, rNorm);
        if (!double.IsFinite(rNorm)) return run.Finish(0, ConvergenceReason.NonFiniteValues, t);

        s.Copy(r, rHat);
        T rhoOld = T.One, alpha = T.One, omega = T.One;
        bool restart = true;
        var reason = ConvergenceReason.MaxIterations;
        int k = 0;
        while (k < run.MaxIterations)
        {
            if (run.CancellationRequested) { reason = ConvergenceReason.Cancelled; break; }

            // Memory traffic per iteration (n = vector length, "A" = one SpMV's matrix traffic):
            //   ρ = r̂ᵀr                  2n
            //   p = r + β(p − ω·v)        3n + 3n
            //   p̂ = M⁻¹p, v = A·p̂         M + A + 2n
            //   α = ρ / r̂ᵀv               2n
            //   s = r − α·v  (in r)       3n,  ‖s‖ 1n
            //   ŝ = M⁻¹s, t = A·ŝ          M + A + 2n
            //   ω = tᵀs / tᵀt             3n (two dots over t, s)
            //   x += α·p̂ + ω·ŝ            6n
            //   r = s − ω·t               3n,  ‖r‖ 1n
            // = 31n values + 2 SpMVs (+ 2 preconditioner applications).
            T rho = s.Dot(rHat, r);
            if (!T.IsFinite(rho)) { reason = ConvergenceReason.NonFiniteValues; break; }
            if (rho == T.Zero) { reason = ConvergenceReason.Breakdown; break; }
            if (restart) { s.Copy(r, p); restart = false; }
            else
            {
                T beta = rho / rhoOld * (alpha / omega);
                s.Axpby(-omega, v, T.One, p);
                s.Axpby(T.One, r, beta, p);
            }
            m?.Apply(p, pHat);
            a.Apply(pHat, v);
            T rv = s.Dot(rHat, v);
            if (!T.IsFinite(rv)) { reason = ConvergenceReason.NonFiniteValues; break; }
            if (rv == T.Zero) { reason = ConvergenceReason.Breakdown; break; }
            alpha = rho / rv;
            s.Axpby(-alpha, v, T.One, r); // r now holds s
            k++;
            double sNorm = double.CreateTruncating(s.Norm(r));
            if (!double.IsFinite(sNorm)) { run.Record(k, sNorm); reason = ConvergenceReason.NonFiniteValues; break; }
            if (sNorm <= run.Bound)
            {
                // Half-step convergence: x += α·p̂ suffices.
                s.Axpby(alpha, pHat, T.One, x);
                run.Record(k, sNorm);
                if (run.TrueResidualMeets(t, out double tn, out bool stag)) return run.Converged(k, tn);
                if (stag) { reason = ConvergenceReason.Stagnation; break; }
                s.Copy(t, r); s.Copy(r, rHat); restart = true; rhoOld = T.One;
                continue;
            }
            m?.Apply(r, sHat);
            a.Apply(sHat, t);
            T tt = s.Dot(t, t);
            T ts = s.Dot(t, r);
            if (!T.IsFinite(tt) || !T.IsFinite(ts)) { run.Record(k, double.NaN); reason = ConvergenceReason.NonFiniteValues; break; }
            if (tt == T.Zero) { s.Axpby(alpha, pHat, T.One, x); run.Record(k, sNorm); reason = ConvergenceReason.Breakdown; break; }
            omega = ts / tt;
            s.Axpby(alpha, pHat, T.One, x);
            s.Axpby(omega, sHat, T.One, x);
            s.Axpby(-omega, t, T.One, r);
            rNorm = double.CreateTruncating(s.Norm(r));
            run.Record(k, rNorm);
            if (!double.IsFinite(rNorm)) { reason = ConvergenceReason.NonFiniteValues; break; }
            if (run.Stagnating(k, rNorm)) { reason = ConvergenceReason.Stagnation; break; }
            if (rNorm <= run.Bound)
            {
                if (run.TrueResidualMeets(t, out double tn, out bool stag)) return run.Converged(k, tn);
                if (stag) { reason = ConvergenceReason.Stagnation; break; }
                s.Copy(t, r); s.Copy(r, rHat); restart = true; rhoOld = T.One;
                continue;
            }
            if (omega == T.Zero) { reason = ConvergenceReason.Breakdown; break; }
            rhoOld = rho;
        }
        return run.Finish(k, reason, t);
    }
}
