using System.Numerics;
using TorchSla.Kernels;

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

        // The scalars live where the vectors live (BiCgStabScalars): β, α, ω are taken on the device, the host reads the
        // block back every CheckEvery iterations only (the GPU is never waited on inside that window).
        int ring = run.CheckEvery, stride = BiCgStabScalars.Stride(ring);
        var scalars = s.CreateScalars(stride);
        var host = new T[stride];
        Restart(s, host, scalars, run.Bound, r, rHat, p, v);
        var reason = ConvergenceReason.MaxIterations;
        int k = 0, done = 0, recorded = 0;
        while (true)
        {
            bool cancelled = run.CancellationRequested;
            if (!cancelled && k < run.MaxIterations)
            {
                k++;
                // Memory traffic per iteration (n = vector length, "A" = one SpMV's matrix traffic):
                //   ρ = r̂ᵀr 2n; p = r + β(p − ω·v) 4n; p̂ = M⁻¹p, v = A·p̂ M + A + 2n; r̂ᵀv 2n; s = r − α·v with ‖s‖² 3n;
                //   ŝ = M⁻¹s, t = A·ŝ M + A + 2n; tᵀt, tᵀs 3n; x += α·p̂ + ω·ŝ, r = s − ω·t with ‖r‖² 7n
                // = 25n values + 2 SpMVs (+ 2 preconditioner applications), no scalar read back.
                s.DotInto(rHat, r, scalars, stride, BiCgStabScalars.Rho);
                s.BiCgStabDirection(r, v, p, scalars, stride, k);
                m?.Apply(p, pHat);
                a.Apply(pHat, v);
                s.DotInto(rHat, v, scalars, stride, BiCgStabScalars.Rv);
                s.BiCgStabHalfStep(r, v, scalars, stride, k); // r now holds s
                m?.Apply(r, sHat);
                a.Apply(sHat, t);
                s.DotInto(t, t, scalars, stride, BiCgStabScalars.Tt);
                s.DotInto(t, r, scalars, stride, BiCgStabScalars.Ts);
                s.BiCgStabFinish(x, pHat, sHat, r, t, scalars, stride, k);
                if (k % ring != 0 && k < run.MaxIterations) continue;
            }

            s.ReadScalars(scalars, host);
            int status = int.CreateTruncating(host[CgScalars.Status]);
            int upTo = status == CgScalars.Active ? k : int.CreateTruncating(host[CgScalars.StopIteration]);
            bool stagnated = run.RecordFromRing(host, BiCgStabScalars.History, ring, recorded, upTo);
            recorded = done = upTo;
            if (stagnated) { reason = ConvergenceReason.Stagnation; break; }
            if (status is CgScalars.Converged or BiCgStabScalars.HalfConverged)
            {
                // The recurrence claims convergence (‖s‖ at the half step, or ‖r‖): check the true residual.
                if (run.TrueResidualMeets(t, out double tn, out bool stag)) return run.Converged(upTo, tn);
                if (stag) { reason = ConvergenceReason.Stagnation; break; }
                k = upTo;
                s.Copy(t, r); // residual replacement, then a restart from it (r̂ = r, p = v = 0)
                Restart(s, host, scalars, run.Bound, r, rHat, p, v);
                continue;
            }
            if (status != CgScalars.Active) { reason = Cg.ReasonOf(status); break; }
            if (cancelled) { reason = ConvergenceReason.Cancelled; break; }
            if (k >= run.MaxIterations) break;
        }
        return run.Finish(done, reason, t);
    }

    /// <summary>
    /// (Re)starts the recurrence from r: r̂ = r, p = v = 0 and ρ_old = α = ω = 1, so that the next direction step forms
    /// p = r; every system active with bound² set.
    /// </summary>
    private static void Restart<T>(IVectorSpace<T> s, T[] host, Tensor<T> scalars, double bound, Tensor<T> r, Tensor<T> rHat,
        Tensor<T> p, Tensor<T> v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        s.Copy(r, rHat);
        s.Fill(p, T.Zero);
        s.Fill(v, T.Zero);
        host.AsSpan().Clear();
        host[CgScalars.BoundSquared] = T.CreateTruncating(bound * bound);
        host[BiCgStabScalars.RhoOld] = host[BiCgStabScalars.Alpha] = host[BiCgStabScalars.Omega] = T.One;
        s.WriteScalars(host, scalars);
    }
}
