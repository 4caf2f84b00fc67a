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
/// <para>The scalars stay where the vectors are. On a GPU, with a sparse A, a diagonal (or no) M and n ≥ 2²¹, each iteration is two
/// passes (<see cref="FusedStep{T}"/>: the direction formed inside the SpMV sweep, x's update deferred to the next
/// sweep; <see cref="TwoPass"/>). Otherwise each iteration is three fused steps of the vector
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
        // Two passes per iteration when A is a matrix the space can sweep with the direction fused in (p ping-pongs
        // between p and p2); three otherwise (a general M needs z stored, an operator needs its own Apply).
        bool fused = (TwoPass ?? (s.Device != Device.Cpu && s.Length >= TwoPassMinLength)) && general is null && s.CanFuseDirectionApply(a);
        var p2 = fused ? s.Create() : p;
        int ring = run.CheckEvery, stride = CgScalars.Stride(ring);
        var scalars = s.CreateScalars(stride);
        var host = new T[stride];
        double rNorm = run.InitialResidual(r);
        run.Record(0, rNorm);
        // r is the true residual here (computed, not recurred), so meeting the bound is final.
        if (rNorm <= run.Bound) return run.Converged(0, rNorm);
        if (!double.IsFinite(rNorm)) return run.Finish(0, ConvergenceReason.NonFiniteValues, q);

        ResetScalars(s, host, scalars, run.Bound);
        if (fused) StartFused(s, d, r, q, P(p, p2, 0), scalars, stride, 0);
        else Start(s, general, d, r, z, p, scalars, stride, 0);
        int k = 0, done = 0;
        int recorded = 0;
        bool deferred = false; // two-pass: an x update of the last pass 2 is still owed to x
        var reason = ConvergenceReason.MaxIterations;
        while (true)
        {
            bool cancelled = run.CancellationRequested;
            if (!cancelled && k < run.MaxIterations)
            {
                k++;
                if (fused)
                {
                    FusedStep(s, a, d, x, P(p, p2, k - 1), P(p, p2, k), r, q, scalars, stride, k);
                    deferred = true;
                }
                else Step(s, a, general, d, x, p, r, q, z, scalars, stride, k);
                if (k % ring != 0 && k < run.MaxIterations) continue;
            }

            // Read-back: the status word, the stop iteration and ‖r‖² of the iterations since the last one.
            s.ReadScalars(scalars, host);
            int status = int.CreateTruncating(host[CgScalars.Status]);
            int upTo = status == CgScalars.Active ? k : int.CreateTruncating(host[CgScalars.StopIteration]);
            bool stagnated = run.RecordFromRing(host, CgScalars.History, ring, recorded, upTo);
            recorded = upTo;
            done = upTo;
            if (stagnated) { reason = ConvergenceReason.Stagnation; break; }
            if (status == CgScalars.Converged)
            {
                if (deferred) { Settle(s, a, d, x, p, p2, r, q, scalars, stride, k); deferred = false; }
                // The recurrence claims convergence: check the true residual b − A·x (into q, free now).
                if (run.TrueResidualMeets(q, out double trueNorm, out bool stalled)) return run.Converged(upTo, trueNorm);
                if (stalled) { reason = ConvergenceReason.Stagnation; break; }
                k = upTo;
                s.Copy(q, r); // residual replacement, then a restart from it
                ResetScalars(s, host, scalars, run.Bound);
                if (fused) StartFused(s, d, r, q, P(p, p2, k), scalars, stride, k);
                else
                {
                    s.Fill(p, T.Zero);
                    Start(s, general, d, r, z, p, scalars, stride, k);
                }
                continue;
            }
            if (status != CgScalars.Active)
            {
                reason = ReasonOf(status);
                break;
            }
            if (cancelled) { reason = ConvergenceReason.Cancelled; break; }
            if (k >= run.MaxIterations) break;
        }
        if (deferred) Settle(s, a, d, x, p, p2, r, q, scalars, stride, k);
        return run.Finish(done, reason, q);
    }

    /// <summary>
    /// Whether CG takes the two-pass iteration where it can; null (the default) takes it on GPUs from
    /// <see cref="TwoPassMinLength"/> entries and never on the CPU. Both compute the same values with the same operations
    /// (the CPU results are bit-identical), so this is a matter of speed, measured (bench/RESULTS.md, "Krylov (GPU)" and
    /// "Krylov (CPU)"): on an H100 two passes were 3–10 % faster per iteration at 4M and 16M but 0–14 % slower at 1M
    /// (launch-bound there; its fused kernel gathers three vectors per entry); on the 2-core CPU at 250K slower (1.05
    /// against 0.61 ms per iteration, the vectors living in the L3). Per thread, so a test or benchmark flipping it
    /// affects nobody else.
    /// </summary>
    internal static bool? TwoPass { get => _twoPass; set => _twoPass = value; }

    [ThreadStatic] private static bool? _twoPass;

    /// <summary>Vector length from which a GPU takes the two-pass iteration by default (between the 1M and 4M measurements).</summary>
    internal const int TwoPassMinLength = 1 << 21;

    /// <summary>The direction buffer written by iteration <paramref name="k"/> of the two-pass loop (read by k + 1).</summary>
    private static Tensor<T> P<T>(Tensor<T> p, Tensor<T> p2, int k) where T : unmanaged, IFloatingPointIeee754<T> =>
        k % 2 == 0 ? p : p2;

    /// <summary>A fresh scalar block: every system active, bound² set, no deferred x update (α iteration −1).</summary>
    private static void ResetScalars<T>(IVectorSpace<T> s, T[] host, Tensor<T> scalars, double bound)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        host.AsSpan().Clear();
        host[CgScalars.BoundSquared] = T.CreateTruncating(bound * bound);
        host[CgScalars.AlphaIteration] = -T.One;
        s.WriteScalars(host, scalars);
    }

    /// <summary>
    /// Iteration <paramref name="k"/> of two-pass CG: pass 1 applies iteration k − 1's deferred x += α·p, forms
    /// p = z + β·p_old on the fly, q = A·p and pᵀq (one sweep over A); pass 2 is r −= α·q with ‖r‖² and ρ_new
    /// (x's share of it deferred to the next pass 1, which reads p anyway). Loop fusion of the textbook
    /// iteration: the same operations as <see cref="Step{T}"/>, about 20 fewer bytes per row moved.
    /// </summary>
    internal static void FusedStep<T>(IVectorSpace<T> s, ILinearOperator<T> a, Tensor<T>? d, Tensor<T> x,
        Tensor<T> pOld, Tensor<T> pNew, Tensor<T> r, Tensor<T> q, Tensor<T> scalars, int stride, int k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        s.CgDirectionApplyDot(a, r, d, pOld, pNew, x, q, scalars, stride, Rho(k - 1), Rho(k - 2), k);
        s.CgUpdate(null, null, r, q, d, scalars, stride, Rho(k - 1), Rho(k), k);
    }

    /// <summary>
    /// Pays the two-pass loop's owed x update after <paramref name="k"/> launched iterations: a pass 1 of iteration
    /// k + 1 applies it (the same kernel as inside the loop, so the bits do not depend on when the host looked).
    /// Its other work, if the system is still active, is discarded.
    /// </summary>
    private static void Settle<T>(IVectorSpace<T> s, ILinearOperator<T> a, Tensor<T>? d, Tensor<T> x, Tensor<T> p, Tensor<T> p2,
        Tensor<T> r, Tensor<T> q, Tensor<T> scalars, int stride, int k)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        s.CgDirectionApplyDot(a, r, d, P(p, p2, k), P(p, p2, k + 1), x, q, scalars, stride, Rho(k), Rho(k - 1), k + 1);

    /// <summary>
    /// (Re)starts two-pass CG after <paramref name="completed"/> iterations from r: ρ = rᵀD·r (or rᵀr) into both ρ
    /// slots, so that pass 1 of the next iteration takes β = 1 on a zeroed p_old and forms p = z.
    /// </summary>
    internal static void StartFused<T>(IVectorSpace<T> s, Tensor<T>? d, Tensor<T> r, Tensor<T> q, Tensor<T> pOld,
        Tensor<T> scalars, int stride, int completed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rho = Rho(completed), other = Rho(completed + 1);
        s.Fill(pOld, T.Zero);
        s.DotInto(r, r, scalars, stride, rho);
        if (d is not null)
        {
            s.Fill(q, T.Zero);
            s.CgDirection(r, d, q, scalars, stride, rho, rho, completed); // q = D·r (β·0 with β = rᵀr/rᵀr)
            s.DotInto(r, q, scalars, stride, rho);
        }
        s.DotInto(r, d is null ? r : q, scalars, stride, other);
    }

    /// <summary>
    /// Iteration <paramref name="k"/> of every system of the space, in three fused steps and no read-back:
    /// q = A·p with pᵀq; x += α·p, r −= α·q with ‖r‖² and ρ_new; p = z + β·p (z = M⁻¹r through
    /// <paramref name="general"/>, or D·r inside the steps, or r).
    /// </summary>
    internal static void Step<T>(IVectorSpace<T> s, ILinearOperator<T> a, ILinearOperator<T>? general, Tensor<T>? d,
        Tensor<T> x, Tensor<T> p, Tensor<T> r, Tensor<T> q, Tensor<T> z, Tensor<T> scalars, int stride, int k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
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
    }

    /// <summary>Why a system stopped, from its status word (any code but Active and Converged).</summary>
    internal static ConvergenceReason ReasonOf(int status) => status switch
    {
        CgScalars.NegativeCurvature or CgScalars.IndefinitePreconditioner => ConvergenceReason.IndefiniteMatrix,
        CgScalars.ZeroCurvature => ConvergenceReason.Breakdown,
        _ => ConvergenceReason.NonFiniteValues,
    };

    /// <summary>The slot holding ρ after <paramref name="completed"/> iterations (the two alternate, so no copy is needed).</summary>
    internal static int Rho(int completed) => completed % 2 == 0 ? CgScalars.RhoA : CgScalars.RhoB;

    /// <summary>
    /// (Re)starts the recurrence of every system after <paramref name="completed"/> iterations from r: ρ = rᵀM⁻¹r
    /// into <see cref="Rho"/>(completed) and p = M⁻¹r. p must be zero: the direction step adds z once (β = ρ/ρ).
    /// A diagonal M is applied by that step itself (p = D·r, with rᵀr standing in for ρ), then ρ = rᵀp.
    /// </summary>
    internal static void Start<T>(IVectorSpace<T> s, ILinearOperator<T>? general, Tensor<T>? d,
        Tensor<T> r, Tensor<T> z, Tensor<T> p, Tensor<T> scalars, int stride, int completed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rho = Rho(completed);
        if (general is not null)
        {
            general.Apply(r, z);
            s.DotInto(r, z, scalars, stride, rho);
            s.CgDirection(z, null, p, scalars, stride, rho, rho, completed);
            return;
        }
        s.DotInto(r, r, scalars, stride, rho);
        s.CgDirection(r, d, p, scalars, stride, rho, rho, completed);
        if (d is not null) s.DotInto(r, p, scalars, stride, rho);
    }

    /// <summary>Throws <see cref="NonFiniteValueException"/> naming the first NaN/∞ entry of v.</summary>
    internal static void RejectNonFinite<T>(IVectorSpace<T> space, Tensor<T> v, string what)
        where T : unmanaged, IFloatingPointIeee754<T> => KrylovRun<T>.RejectNonFinite(space, v, what);
}
