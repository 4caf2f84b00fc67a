using System.Numerics;

namespace TorchSla.Solvers.Krylov;

/// <summary>
/// Conjugate gradients (Hestenes &amp; Stiefel 1952) for a symmetric positive definite A,
/// unpreconditioned, as in Saad, "Iterative Methods for Sparse Linear Systems", 2nd ed.,
/// §6.7.1, Algorithm 6.18. Written once against <see cref="ILinearOperator{T}"/> and
/// <see cref="IVectorSpace{T}"/>, so the same loop serves every device and, later, MPI.
/// </summary>
/// <remarks>
/// The stopping test is <c>‖b − Ax‖₂ ≤ max(rtol·‖b‖₂, atol)</c> on the TRUE residual: the
/// recurrence r_{k+1} = r_k − α·A·p_k drifts from b − A·x_k by rounding, so when it claims
/// convergence the true residual is recomputed; if that misses the bound, r is replaced by
/// it and the iteration goes on (residual replacement, van der Vorst &amp; Ye, SIAM J. Sci.
/// Comput. 22 (2000) 835–852). A non-positive curvature pᵀAp ≤ 0 stops the solve
/// (A is not positive definite); NaN/∞ in b or x₀ are refused before iterating.
/// </remarks>
public static class Cg
{
    /// <summary>
    /// Solves A·x = b by conjugate gradients.
    /// </summary>
    /// <param name="a">A square symmetric positive definite operator.</param>
    /// <param name="b">The right-hand side (a vector of <paramref name="space"/>).</param>
    /// <param name="space">Where the vectors live; defaults to A's device.</param>
    /// <param name="options">Tolerances, limit, progress, cancellation (method and preconditioner are not consulted).</param>
    /// <param name="initialGuess">x₀ (default 0); not modified.</param>
    /// <returns>The solution and how the solve went; never throws for non-convergence.</returns>
    /// <exception cref="ShapeMismatchException">A is not square or b does not fit it.</exception>
    /// <exception cref="NonFiniteValueException">b or x₀ holds NaN or ±∞ (the first such entry is named).</exception>
    public static SolveResult<T> Solve<T>(ILinearOperator<T> a, Tensor<T> b, IVectorSpace<T>? space = null,
        SolveOptions? options = null, Tensor<T>? initialGuess = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        options ??= SolveOptions.Default;
        options.Validate();
        if (a.Rows != a.Cols)
            throw new ShapeMismatchException($"CG needs a square operator; this one is {a.Rows}×{a.Cols}", nameof(a));
        space ??= SingleDeviceVectorSpace<T>.Of(a);
        int n = a.Rows;
        if (b.Length != n || space.Length != n)
            throw new ShapeMismatchException($"A is {n}×{n} but b has {b.Length} entries (vector space length {space.Length})", nameof(b));
        RejectNonFinite(space, b, "right-hand side b");
        if (initialGuess is not null) RejectNonFinite(space, initialGuess, "initial guess x0");

        int maxIter = options.MaxIterationsFor(n);
        var history = new List<double>(Math.Min(maxIter, 1 << 16) + 1);
        var x = space.Create();
        double bNorm = double.CreateTruncating(space.Norm(b));
        if (bNorm == 0)
        {
            // A·x = 0 has x = 0 for a nonsingular A, whatever x₀ was.
            history.Add(0);
            options.Progress?.Report(new IterationReport(0, 0, 0));
            return new SolveResult<T>(x, 0, history, ConvergenceReason.ZeroRightHandSide, SolveMethod.CG, "none", 0, 0);
        }
        double rtolBound = options.RelativeToleranceFor<T>() * bNorm;
        double bound = Math.Max(rtolBound, options.AbsoluteTolerance);
        var met = rtolBound >= options.AbsoluteTolerance ? ConvergenceReason.RelativeTolerance : ConvergenceReason.AbsoluteTolerance;

        // Work vectors, allocated once: nothing below allocates per iteration.
        var r = space.Create();
        var p = space.Create();
        var q = space.Create();
        space.Copy(b, r);
        if (initialGuess is not null)
        {
            space.Copy(initialGuess, x);
            a.Apply(x, q);
            space.Axpby(-T.One, q, T.One, r); // r = b − A·x₀
        }
        T rho = space.Dot(r, r);
        double rNorm = Math.Sqrt(double.CreateTruncating(rho));
        history.Add(rNorm);
        options.Progress?.Report(new IterationReport(0, rNorm, rNorm / bNorm));
        // r is the true residual here (computed, not recurred), so meeting the bound is final.
        if (rNorm <= bound)
            return new SolveResult<T>(x, 0, history, met, SolveMethod.CG, "none", rNorm, rNorm / bNorm);
        if (!double.IsFinite(rNorm))
            return Finish(a, space, b, x, q, 0, history, ConvergenceReason.NonFiniteValues, bNorm);

        space.Copy(r, p);
        var reason = ConvergenceReason.MaxIterations;
        int k = 0;
        // Stagnation guard. Below the attainable accuracy (about ε·‖A‖·‖x‖) the recurrence may
        // keep falling while the true residual does not, or both wander at the rounding floor.
        // Once a replacement has shown that the recurrence reached the bound without the true
        // residual following, the solve stops when ten replacements in a row fail to halve the
        // true residual, or when the residual has not halved for max(200, k₀) iterations,
        // k₀ being the iteration of its last halving.
        double lastReplaced = double.PositiveInfinity;
        int stalled = 0, replacements = 0;
        double mark = rNorm;
        int markIteration = 0;
        while (k < maxIter)
        {
            if (options.CancellationToken.IsCancellationRequested) { reason = ConvergenceReason.Cancelled; break; }

            // Memory traffic per iteration (the performance contract; n = vector length):
            //   q = A·p            matrix (nnz values + nnz column indices + n+1 row offsets) + 2n
            //   pᵀq                2n
            //   x += α·p           3n
            //   r −= α·q           3n
            //   ρ = rᵀr            1n
            //   p = r + β·p        3n
            // = 14n values + the matrix storage. A fused backend step (x and r updated in one
            // pass, ρ accumulated while r is written) would bring this to 11n.
            a.Apply(p, q);
            T pq = space.Dot(p, q);
            if (!T.IsFinite(pq)) { reason = ConvergenceReason.NonFiniteValues; break; }
            if (pq < T.Zero) { reason = ConvergenceReason.IndefiniteMatrix; break; }
            if (pq == T.Zero) { reason = ConvergenceReason.Breakdown; break; }
            T alpha = rho / pq;
            space.Axpby(alpha, p, T.One, x);
            space.Axpby(-alpha, q, T.One, r);
            T rhoNew = space.Dot(r, r);
            k++;
            rNorm = Math.Sqrt(double.CreateTruncating(rhoNew));
            if (!double.IsFinite(rNorm)) { history.Add(rNorm); reason = ConvergenceReason.NonFiniteValues; break; }
            if (rNorm <= 0.5 * mark) { mark = rNorm; markIteration = k; }
            else if (replacements > 0 && k - markIteration > Math.Max(200, markIteration))
            {
                history.Add(rNorm);
                reason = ConvergenceReason.Stagnation;
                break;
            }

            if (rNorm <= bound)
            {
                // The recurrence claims convergence: check the true residual b − A·x (into q, free now).
                a.Apply(x, q);
                space.Axpby(T.One, b, -T.One, q);
                T trueRho = space.Dot(q, q);
                double trueNorm = Math.Sqrt(double.CreateTruncating(trueRho));
                history.Add(rNorm);
                options.Progress?.Report(new IterationReport(k, rNorm, rNorm / bNorm));
                if (trueNorm <= bound)
                    return new SolveResult<T>(x, k, history, met, SolveMethod.CG, "none", trueNorm, trueNorm / bNorm);
                replacements++;
                stalled = trueNorm > 0.5 * lastReplaced ? stalled + 1 : 0;
                lastReplaced = Math.Min(lastReplaced, trueNorm);
                if (stalled >= 10) { reason = ConvergenceReason.Stagnation; break; }
                // Residual replacement: continue from the true residual.
                space.Copy(q, r);
                rhoNew = trueRho;
            }
            else
            {
                history.Add(rNorm);
                options.Progress?.Report(new IterationReport(k, rNorm, rNorm / bNorm));
            }
            T beta = rhoNew / rho;
            space.Axpby(T.One, r, beta, p); // p = r + β·p
            rho = rhoNew;
        }
        return Finish(a, space, b, x, q, k, history, reason, bNorm);
    }

    /// <summary>Ends an unconverged solve: the true residual of the returned x goes in the result.</summary>
    private static SolveResult<T> Finish<T>(ILinearOperator<T> a, IVectorSpace<T> space, Tensor<T> b, Tensor<T> x, Tensor<T> scratch,
        int iterations, List<double> history, ConvergenceReason reason, double bNorm)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        a.Apply(x, scratch);
        space.Axpby(T.One, b, -T.One, scratch);
        double trueNorm = double.CreateTruncating(space.Norm(scratch));
        return new SolveResult<T>(x, iterations, history, reason, SolveMethod.CG, "none", trueNorm, trueNorm / bNorm);
    }

    /// <summary>Throws <see cref="NonFiniteValueException"/> naming the first NaN/∞ entry of v.</summary>
    internal static void RejectNonFinite<T>(IVectorSpace<T> space, Tensor<T> v, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (T.IsFinite(space.NormInf(v))) return; // one device reduction in the common case
        var host = v.ToArray();
        for (int i = 0; i < host.Length; i++)
            if (!T.IsFinite(host[i]))
                throw new NonFiniteValueException($"{what}[{i}] is {host[i]}: NaN and infinite values cannot be solved for", i);
    }
}
