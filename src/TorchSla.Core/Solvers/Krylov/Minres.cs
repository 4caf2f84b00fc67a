using System.Numerics;

namespace TorchSla.Solvers.Krylov;

/// <summary>
/// MINRES (Paige &amp; Saunders, SIAM J. Numer. Anal. 12 (1975) 617–629) for a symmetric,
/// possibly indefinite A, with an optional symmetric positive definite preconditioner M: the
/// Lanczos process on M⁻¹A in the M-inner product, the tridiagonal least-squares problem
/// solved by Givens rotations as it grows, x updated by a three-term recurrence of search
/// directions (the formulation of Saunders' reference implementation, as in Choi, Paige &amp;
/// Saunders, SIAM J. Sci. Comput. 33 (2011), Table 2.1). Written once against
/// <see cref="ILinearOperator{T}"/> and <see cref="IVectorSpace{T}"/>.
/// </summary>
/// <remarks>
/// Without M the rotated quantity φ̄_k is ‖b − A·x_k‖₂. With M it is the M⁻¹-norm of the
/// residual, so the 2-norm residual is carried by its own recurrence r_k = r_{k−1} − φ_k·A·w_k
/// (A·w_k formed from A·v_k, which the Lanczos step computes anyway; no extra SpMV).
/// When the estimate meets the bound the true residual is checked; if it misses, MINRES
/// restarts from it. rᵀM⁻¹r &lt; 0 means M is not positive definite
/// (<see cref="ConvergenceReason.IndefiniteMatrix"/>); β = 0 means the Krylov space is invariant.
/// </remarks>
public static class Minres
{
    /// <summary>Solves A·x = b by MINRES.</summary>
    /// <param name="a">A square symmetric operator (indefinite allowed).</param>
    /// <param name="b">The right-hand side.</param>
    /// <param name="space">Where the vectors live; defaults to A's device.</param>
    /// <param name="options">Tolerances, limit, progress, cancellation.</param>
    /// <param name="initialGuess">x₀ (default 0); not modified.</param>
    /// <param name="preconditioner">z = M⁻¹·r for a symmetric positive definite M (default none).</param>
    /// <returns>The solution and how the solve went; never throws for non-convergence.</returns>
    /// <exception cref="ShapeMismatchException">A is not square, or b, x₀ or M does not fit it.</exception>
    /// <exception cref="NonFiniteValueException">b or x₀ holds NaN or ±∞.</exception>
    public static SolveResult<T> Solve<T>(ILinearOperator<T> a, Tensor<T> b, IVectorSpace<T>? space = null,
        SolveOptions? options = null, Tensor<T>? initialGuess = null, ILinearOperator<T>? preconditioner = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var run = new KrylovRun<T>(SolveMethod.Minres, a, b, space, options, initialGuess, preconditioner);
        if (run.BNorm == 0) return run.ZeroRightHandSide();
        var s = run.Space;
        var x = run.X;
        var m = run.M;

        // Work vectors, allocated once and rotated by reference.
        Tensor<T> r1 = s.Create(), r2 = s.Create(), y = s.Create(), v = s.Create();
        Tensor<T> w = s.Create(), w1 = s.Create(), w2 = s.Create();
        var scratch = s.Create();
        // The 2-norm residual recurrence, needed only with M.
        Tensor<T>? res = null, av = null, aw = null, aw1 = null, aw2 = null;
        if (m is not null) { res = s.Create(); av = s.Create(); aw = s.Create(); aw1 = s.Create(); aw2 = s.Create(); }

        double rNorm = run.InitialResidual(r1);
        run.Record(0, rNorm);
        if (rNorm <= run.Bound) return run.Converged(0, rNorm);
        if (!double.IsFinite(rNorm)) return run.Finish(0, ConvergenceReason.NonFiniteValues, scratch);

        var reason = ConvergenceReason.MaxIterations;
        int k = 0;
        bool start = true;
        T beta = T.Zero, oldb = T.Zero, dbar = T.Zero, epsln = T.Zero, phibar = T.Zero, cs = -T.One, sn = T.Zero;
        int lanczosStep = 0;
        while (k < run.MaxIterations)
        {
            if (start)
            {
                // (Re)start from r1 = b − A·x (true): y = M⁻¹r1, β₁ = √(r1ᵀy).
                if (m is null) s.Copy(r1, y);
                else { m.Apply(r1, y); s.Copy(r1, res!); s.Fill(aw!, T.Zero); s.Fill(aw2!, T.Zero); }
                T b1 = s.Dot(r1, y);
                if (!T.IsFinite(b1)) { reason = ConvergenceReason.NonFiniteValues; break; }
                if (b1 < T.Zero) { reason = ConvergenceReason.IndefiniteMatrix; break; }
                if (b1 == T.Zero) { reason = ConvergenceReason.Breakdown; break; }
                beta = T.Sqrt(b1);
                oldb = T.Zero; dbar = T.Zero; epsln = T.Zero; phibar = beta; cs = -T.One; sn = T.Zero;
                s.Fill(w, T.Zero); s.Fill(w2, T.Zero);
                s.Copy(r1, r2);
                lanczosStep = 0;
                start = false;
            }
            if (run.CancellationRequested) { reason = ConvergenceReason.Cancelled; break; }

            // Memory traffic per iteration (n = vector length, "A" = one SpMV's matrix traffic):
            //   v = y/β, y = A·v                     2n + A + 2n
            //   y −= (β/β_old)·r1, α = vᵀy, y −= (α/β)·r2   3n + 2n + 3n
            //   y = M⁻¹r2 (copy without M), β = √(r2ᵀy)     M or 2n, + 2n
            //   w = (v − ε·w1 − δ·w2)/γ              2n + 3n + 3n
            //   x += φ·w                             3n
            // = 29n values + one SpMV (+ M and 12n for the residual recurrence with M).
            T sInv = T.One / beta;
            s.Axpby(sInv, y, T.Zero, v);
            a.Apply(v, y);
            if (av is not null) s.Copy(y, av);
            if (lanczosStep > 0) s.Axpby(-(beta / oldb), r1, T.One, y);
            T alfa = s.Dot(v, y);
            s.Axpby(-(alfa / beta), r2, T.One, y);
            (r1, r2, y) = (r2, y, r1); // r1 ← r2, r2 ← y; the old r1 becomes the next y
            if (m is null) s.Copy(r2, y); else m.Apply(r2, y);
            oldb = beta;
            T bb = s.Dot(r2, y);
            if (!T.IsFinite(bb) || !T.IsFinite(alfa)) { reason = ConvergenceReason.NonFiniteValues; break; }
            if (bb < T.Zero) { reason = ConvergenceReason.IndefiniteMatrix; break; }
            beta = T.Sqrt(bb);
            lanczosStep++;

            // Apply the previous rotation, then the new one that annihilates β.
            T oldeps = epsln;
            T delta = cs * dbar + sn * alfa;
            T gbar = sn * dbar - cs * alfa;
            epsln = sn * beta;
            dbar = -cs * beta;
            T gamma = T.Hypot(gbar, beta);
            if (gamma == T.Zero) { reason = ConvergenceReason.Breakdown; break; } // singular tridiagonal: A is singular on the Krylov space
            cs = gbar / gamma;
            sn = beta / gamma;
            T phi = cs * phibar;
            phibar = sn * phibar;

            T gInv = T.One / gamma;
            (w1, w2, w) = (w2, w, w1);
            s.Axpby(gInv, v, T.Zero, w);
            s.Axpby(-oldeps * gInv, w1, T.One, w);
            s.Axpby(-delta * gInv, w2, T.One, w);
            s.Axpby(phi, w, T.One, x);
            k++;
            if (m is null) rNorm = Math.Abs(double.CreateTruncating(phibar));
            else
            {
                (aw1, aw2, aw) = (aw2, aw, aw1);
                s.Axpby(gInv, av!, T.Zero, aw!);
                s.Axpby(-oldeps * gInv, aw1!, T.One, aw!);
                s.Axpby(-delta * gInv, aw2!, T.One, aw!);
                s.Axpby(-phi, aw!, T.One, res!);
                rNorm = double.CreateTruncating(s.Norm(res!));
            }
            run.Record(k, rNorm);
            if (!double.IsFinite(rNorm)) { reason = ConvergenceReason.NonFiniteValues; break; }
            if (run.Stagnating(k, rNorm)) { reason = ConvergenceReason.Stagnation; break; }
            if (rNorm <= run.Bound || beta == T.Zero)
            {
                if (run.TrueResidualMeets(scratch, out double tn, out bool stag)) return run.Converged(k, tn);
                if (stag) { reason = ConvergenceReason.Stagnation; break; }
                s.Copy(scratch, r1); // restart from the true residual
                start = true;
            }
        }
        return run.Finish(k, reason, scratch);
    }
}
