using System.Numerics;
using TorchSla.Kernels;
using TorchSla.Solvers.Preconditioners;

namespace TorchSla.Solvers.Krylov;

/// <summary>
/// Preconditioned conjugate gradients (Hestenes &amp; Stiefel 1952) for a symmetric positive
/// definite A and SPD preconditioner M, as in Saad, "Iterative Methods for Sparse Linear
/// Systems", 2nd ed., §9.2.1, Algorithm 9.1 (§6.7.1, Algorithm 6.18 when M = I). Written once
/// against <see cref="ILinearOperator{T}"/> and <see cref="IVectorSpace{T}"/>, so the same loop
/// serves every device and, later, MPI.
/// </summary>
/// <remarks>
/// <para>The scalars stay where the vectors are. Each iteration is three fused steps of the vector
/// space: q = A·p with pᵀq (<see cref="IVectorSpace{T}.ApplyDot"/>), x += α·p, r −= α·q with ‖r‖² and
/// ρ = rᵀM⁻¹r (<see cref="IVectorSpace{T}.CgUpdate"/>, α = ρ/pᵀq taken on the device), and p = z + β·p
/// (<see cref="IVectorSpace{T}.CgDirection"/>); a Jacobi M (<see cref="IDiagonalPreconditioner{T}"/>) is
/// fused into the last two as an elementwise multiply. The host reads the scalar block back every
/// <see cref="SolveOptions.CheckEvery"/> iterations only (default 1 on the CPU, 8 on a GPU): the device
/// freezes a system when its recurrence meets the bound or breaks down, so the iterate is the one an
/// every-iteration check returns, and the per-iteration residual norms (kept in a ring on the device) are
/// recorded, and reported to <see cref="SolveOptions.Progress"/>, in bulk at each read-back.</para>
/// <para>Memory traffic per iteration, n = vector length, float64: the SpMV (matrix + 2n) with pᵀq for free;
/// the update reads x, p, r, q (and D) and writes x, r (6n, 7n with Jacobi); the direction reads z (or r and D)
/// and p and writes p (3n, 4n): 11n values + the matrix with Jacobi, against 19n + a diagonal SpMV for the
/// textbook sequence of BLAS-1 calls.</para>
/// <para>The stopping test is <c>‖b − Ax‖₂ ≤ max(rtol·‖b‖₂, atol)</c> on the TRUE, unpreconditioned
/// residual: the recurrence r_{k+1} = r_k − α·A·p_k drifts from b − A·x_k by rounding, so when
/// it claims convergence the true residual is recomputed; if that misses the bound, r is
/// replaced by it and CG restarts from it (p = M⁻¹r; residual replacement). A non-positive curvature
/// pᵀAp ≤ 0 stops the solve (A is not positive definite), as does rᵀM⁻¹r ≤ 0 (M is not);
/// NaN/∞ in b or x₀ are refused before iterating, NaN arising later stops the solve.</para>
/// </remarks>
public static class Cg
{
    /// <summary>Solves A·x = b by (preconditioned) conjugate gradients.</summary>
    /// <param name="a">A square symmetric positive definite operator.</param>
    /// <param name="b">The right-hand side (a vector of <paramref name="space"/>).</param>
    /// <param name="space">Where the vectors live; defaults to A's device.</param>
    /// <param name="options">Tolerances, limit, check interval, progress, cancellation (method and preconditioner name are not consulted).</param>
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
        var d = (m as IDiagonalPreconditioner<T>)?.InverseDiagonal;
        var general = d is null ? m : null; // an M applied as an operator

        // Work vectors and the scalar block, allocated once: nothing below allocates per iteration.
        var r = s.Create();
        var p = s.Create();
        var q = s.Create();
        var z = general is null ? r : s.Create(); // with D, CgDirection forms D·r itself
        int ring = run.CheckEvery, stride = CgScalars.Stride(ring);
        var scalars = s.CreateScalars(stride);
        var host = new T[stride];
        double rNorm = run.InitialResidual(r);
        run.Record(0, rNorm);
        // r is the true residual here (computed, not recurred), so meeting the bound is final.
        if (rNorm <= run.Bound) return run.Converged(0, rNorm);
        if (!double.IsFinite(rNorm)) return run.Finish(0, ConvergenceReason.NonFiniteValues, q);

        host[CgScalars.BoundSquared] = T.CreateTruncating(run.Bound * run.Bound);
        s.WriteScalars(host, scalars);
        int k = Start(s, m, d, general, r, z, p, scalars, stride, 0);
        int recorded = 0;
        var reason = ConvergenceReason.MaxIterations;
        while (true)
        {
            bool cancelled = run.CancellationRequested;
            if (!cancelled && k < run.MaxIterations)
            {
                k++;
                // ρ of iteration k−1 sits in Rho(k − 1); iteration k writes ρ_new to Rho(k).
                int rho = Rho(k - 1), rhoNew = Rho(k);
                s.ApplyDot(a, p, q, scalars, stride, CgScalars.Curvature);
                s.CgUpdate(x, p, r, q, d, scalars, stride, rho, rhoNew, k);
                if (general is not null)
                {
                    general.Apply(r, z);
                    s.DotInto(r, z, scalars, stride, rhoNew);
                }
                s.CgDirection(d is null ? z : r, d, p, scalars, stride, rhoNew, rho, k);
                if (k % ring != 0 && k < run.MaxIterations) continue;
            }

            // Read-back: the status word, the stop iteration and ‖r‖² of the iterations since the last one.
            s.ReadScalars(scalars, host);
            int status = int.CreateTruncating(host[CgScalars.Status]);
            int upTo = status == CgScalars.Active ? k : int.CreateTruncating(host[CgScalars.StopIteration]);
            bool stagnated = false;
            for (int j = recorded + 1; j <= upTo && !stagnated; j++)
            {
                rNorm = Math.Sqrt(double.CreateTruncating(host[CgScalars.History + (j - 1) % ring]));
                run.Record(j, rNorm);
                stagnated = double.IsFinite(rNorm) && run.Stagnating(j, rNorm);
            }
            recorded = upTo;
            if (stagnated) { reason = ConvergenceReason.Stagnation; k = upTo; break; }
            if (status == CgScalars.Converged)
            {
                k = upTo;
                // The recurrence claims convergence: check the true residual b − A·x (into q, free now).
                if (run.TrueResidualMeets(q, out double trueNorm, out bool stalled)) return run.Converged(k, trueNorm);
                if (stalled) { reason = ConvergenceReason.Stagnation; break; }
                s.Copy(q, r); // residual replacement, then a restart from it
                host.AsSpan().Clear();
                host[CgScalars.BoundSquared] = T.CreateTruncating(run.Bound * run.Bound);
                s.WriteScalars(host, scalars);
                s.Fill(p, T.Zero);
                k = Start(s, m, d, general, r, z, p, scalars, stride, k);
                continue;
            }
            if (status != CgScalars.Active)
            {
                k = upTo;
                reason = status switch
                {
                    CgScalars.NegativeCurvature or CgScalars.IndefinitePreconditioner => ConvergenceReason.IndefiniteMatrix,
                    CgScalars.ZeroCurvature => ConvergenceReason.Breakdown,
                    _ => ConvergenceReason.NonFiniteValues,
                };
                break;
            }
            if (cancelled) { reason = ConvergenceReason.Cancelled; break; }
            if (k >= run.MaxIterations) break;
        }
        return run.Finish(k, reason, q);
    }

    /// <summary>The slot holding ρ after <paramref name="completed"/> iterations (the two alternate, so no copy is needed).</summary>
    private static int Rho(int completed) => completed % 2 == 0 ? CgScalars.RhoA : CgScalars.RhoB;

    /// <summary>
    /// (Re)starts the recurrence after <paramref name="completed"/> iterations from r: ρ = rᵀM⁻¹r into
    /// <see cref="Rho"/>(completed) and p = M⁻¹r (p must be zero: CgDirection with β = ρ/ρ adds it once).
    /// </summary>
    private static int Start<T>(IVectorSpace<T> s, ILinearOperator<T>? m, Tensor<T>? d, ILinearOperator<T>? general,
        Tensor<T> r, Tensor<T> z, Tensor<T> p, Tensor<T> scalars, int stride, int completed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rho = Rho(completed);
        if (m is null) s.DotInto(r, r, scalars, stride, rho);
        else
        {
            // z = M⁻¹r through the operator once, also for a diagonal M (p is still free, so it holds D·r).
            var zz = general is null ? p : z;
            m.Apply(r, zz);
            s.DotInto(r, zz, scalars, stride, rho);
            if (general is null) s.Fill(p, T.Zero);
        }
        s.CgDirection(d is null ? z : r, d, p, scalars, stride, rho, rho, completed);
        return completed;
    }

    /// <summary>Throws <see cref="NonFiniteValueException"/> naming the first NaN/∞ entry of v.</summary>
    internal static void RejectNonFinite<T>(IVectorSpace<T> space, Tensor<T> v, string what)
        where T : unmanaged, IFloatingPointIeee754<T> => KrylovRun<T>.RejectNonFinite(space, v, what);
}
