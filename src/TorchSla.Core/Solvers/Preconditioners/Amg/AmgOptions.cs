namespace TorchSla.Solvers.Preconditioners;

/// <summary>The multigrid cycle: how often a level visits the next coarser one per visit of its own.</summary>
public enum AmgCycle
{
    /// <summary>V-cycle (γ = 1): one coarse correction per level.</summary>
    V,
    /// <summary>W-cycle (γ = 2): two coarse corrections per level; more robust, more work on coarse levels.</summary>
    W,
}

/// <summary>The relaxation used before and after the coarse correction.</summary>
public enum AmgSmoother
{
    /// <summary>
    /// Chebyshev polynomial in D⁻¹A of degree <see cref="AmgOptions.ChebyshevDegree"/> on the
    /// interval [λ̂/<see cref="AmgOptions.ChebyshevRatio"/>, 1.1·λ̂], λ̂ ≈ λ_max(D⁻¹A) (Adams, Brezina,
    /// Hu &amp; Tuminaro, J. Comput. Phys. 188 (2003) 593–610). Only SpMVs and vector updates: device friendly.
    /// </summary>
    Chebyshev,
    /// <summary>Damped Jacobi, x ← x + ω·D⁻¹(b − Ax) with ω = 4/(3·λ̂). Device friendly.</summary>
    Jacobi,
    /// <summary>
    /// ℓ1-Jacobi, x ← x + D_ℓ1⁻¹(b − Ax) with (D_ℓ1)_ii = Σ_j |a_ij|: convergent for every SPD A
    /// without an eigenvalue estimate (Baker, Falgout, Kolev &amp; Yang, SIAM J. Sci. Comput. 33 (2011) 2864–2887). Device friendly.
    /// </summary>
    L1Jacobi,
    /// <summary>
    /// Symmetric Gauss–Seidel: forward sweeps before, backward sweeps after the coarse correction,
    /// so the cycle stays a symmetric preconditioner. CPU only; on several cores the rows are visited in a
    /// domain-decomposition order (each core's block interior at once, then the rows coupling blocks), which is still
    /// exact Gauss–Seidel, in that order.
    /// </summary>
    SymmetricGaussSeidel,
    /// <summary>
    /// The device's best: <see cref="SymmetricGaussSeidel"/> on the CPU (fewer cycles than Chebyshev at about
    /// the same cost per cycle: 2D Poisson 1M 13 against 18 PCG iterations, 3D 100³ 13 against 17),
    /// <see cref="Chebyshev"/> elsewhere.
    /// </summary>
    Auto,
}

/// <summary>How the strong graph is cut into aggregates.</summary>
public enum AmgAggregation
{
    /// <summary>Vaněk's sequential greedy passes: the most regular aggregates (best on the CPU).</summary>
    Greedy,
    /// <summary>Aggregates around a distance-2 maximal independent set found by data-parallel rounds (Bell, Dalton &amp; Olson 2012), distance 1 on dense coarse levels: the GPU-friendly scheme.</summary>
    Mis2,
    /// <summary>Greedy on the CPU, MIS-2 on a GPU (where it runs as device kernels, and greedy would need the strong graph on the host).</summary>
    Auto,
}

/// <summary>Settings of the smoothed-aggregation hierarchy and its cycle.</summary>
public sealed record AmgOptions
{
    /// <summary>The defaults.</summary>
    public static AmgOptions Default { get; } = new();

    /// <summary>
    /// θ of the strength test |a_ij| ≥ θ_l·√|a_ii·a_jj| on the finest level (default 0.08, Vaněk et al. 1996);
    /// level l uses θ_l = θ·<see cref="StrengthThresholdDecay"/>^l.
    /// </summary>
    public double StrengthThreshold { get; init; } = 0.08;

    /// <summary>
    /// Factor q of θ from one level to the next, θ_l = θ·q^l (default 0.25). Galerkin operators spread their
    /// couplings over wider stencils, so a fixed θ calls a growing share of real couplings weak on coarse
    /// levels and the cycle degrades (3D Poisson 100³: 38 CG iterations at θ = 0.08 on every level, against
    /// 19 at 50³). Vaněk, Mandel &amp; Brezina (1996, §4) halve θ per level (q = 0.5); q = 0.25 gives the same
    /// iterations (16–17 at 50³ and 100³) with a lower operator complexity (1.56 instead of 1.67 at 50³),
    /// measured with bench mode amg-compare. 1 keeps θ on every level.
    /// </summary>
    public double StrengthThresholdDecay { get; init; } = 0.25;

    /// <summary>The aggregation scheme (default <see cref="AmgAggregation.Auto"/>: greedy on the CPU, MIS-2 on a GPU).</summary>
    public AmgAggregation Aggregation { get; init; } = AmgAggregation.Auto;

    /// <summary>
    /// A level with at most this many rows is solved directly (default null: <see cref="CpuCoarseSize"/> on the CPU,
    /// <see cref="DeviceCoarseSize"/> on a GPU).
    /// </summary>
    public int? CoarseSize { get; init; }

    /// <summary>
    /// The CPU's coarse size (300). The coarsest level's sparse Cholesky is sequential and the Galerkin levels of 3D problems
    /// are dense (58 entries per row at the third level of 3D Poisson 50³), so a 613-row coarsest level cost 8–23 ms of a
    /// 100–150 ms setup in its factorization, against 4 ms for one more level of 16 rows; iterations unchanged on every problem of
    /// bench mode amg-iterations (2D 64² 9 → 10 with symmetric Gauss–Seidel, the rest equal: bench/RESULTS.md, AMG session 8).
    /// </summary>
    public const int CpuCoarseSize = 300;

    /// <summary>A GPU's coarse size (1000: the coarse solve runs on the host, and each level costs kernel launches per cycle).</summary>
    public const int DeviceCoarseSize = 1000;

    /// <summary>The coarse size in effect on <paramref name="device"/>.</summary>
    public int CoarseSizeOn(Device device) => CoarseSize ?? (device.IsCpu ? CpuCoarseSize : DeviceCoarseSize);

    /// <summary>The largest number of levels, the finest included (default 25).</summary>
    public int MaxLevels { get; init; } = 25;

    /// <summary>
    /// Largest coarsest level the sparse Cholesky factors; a coarsest level that is larger (coarsening
    /// stalled) or not positive definite is relaxed by <see cref="CoarseSweeps"/> smoother sweeps instead.
    /// </summary>
    public int MaxDirectSize { get; init; } = 20000;

    /// <summary>Smoother sweeps standing in for the coarse solve when it is not direct (default 20).</summary>
    public int CoarseSweeps { get; init; } = 20;

    /// <summary>V or W cycle (default V).</summary>
    public AmgCycle Cycle { get; init; } = AmgCycle.V;

    /// <summary>The smoother (default <see cref="AmgSmoother.Auto"/>: symmetric Gauss–Seidel on the CPU, Chebyshev elsewhere).</summary>
    public AmgSmoother Smoother { get; init; } = AmgSmoother.Auto;

    /// <summary>Smoother sweeps before the coarse correction (default 1).</summary>
    public int PreSmoothingSteps { get; init; } = 1;

    /// <summary>Smoother sweeps after the coarse correction (default 1).</summary>
    public int PostSmoothingSteps { get; init; } = 1;

    /// <summary>Degree of the Chebyshev smoother, i.e. SpMVs per sweep (default 2).</summary>
    public int ChebyshevDegree { get; init; } = 2;

    /// <summary>λ̂/λ_low of the Chebyshev interval: the smoother damps the upper part of the spectrum above λ̂/ratio (default 30).</summary>
    public double ChebyshevRatio { get; init; } = 30;

    /// <summary>Smooth the tentative prolongator (default true; false gives plain aggregation, which needs more iterations).</summary>
    public bool SmoothProlongator { get; init; } = true;

    /// <summary>
    /// Lanczos steps of the estimates of λ_max(D⁻¹A) (default null: <see cref="SmootherSpectralRadiusSteps"/> where the smoother
    /// uses the estimate — Chebyshev's interval, Jacobi's weight — and <see cref="ProlongatorSpectralRadiusSteps"/> where only
    /// the prolongator's ω = 4/(3λ̂) does: symmetric Gauss–Seidel and ℓ1-Jacobi). A Ritz value is below λ_max, so fewer
    /// steps make ω larger; P = (I − ωD⁻¹A)·P̂ stays a smoothing step as long as ωλ_max &lt; 2, i.e. λ̂ &gt; (2/3)·λ_max.
    /// </summary>
    public int? SpectralRadiusSteps { get; init; }

    /// <summary>
    /// Steps where the smoother uses λ̂ (6). The Chebyshev interval's upper end is 1.1·λ̂, whose margin covers a Ritz value 1–2 %
    /// low. Measured (bench amg-compare --rho-steps, CG iterations exact): 6 steps gave the iterations of 10 on 2D Poisson 1M
    /// (Gauss–Seidel 12, Chebyshev 18), 3D 50³ (11, 16) and 3D 100³ (13, 17), and with MIS-2 aggregation and Chebyshev (the
    /// GPU's configuration) 19 against 20 on 2D 1M and 17 on 3D 60³; 4 steps did not (3D 50³ Chebyshev 16 → 19). Each step
    /// is an SpMV and two reductions read by the host: on an H100 the 10-step estimate was 70 of the 16M setup's 208 ms.
    /// </summary>
    public const int SmootherSpectralRadiusSteps = 6;

    /// <summary>
    /// Steps where only the prolongator's ω uses λ̂ (4). With symmetric Gauss–Seidel, 4 steps (λ̂ 6 % lower than with 6 on 3D
    /// Poisson) gave the iterations of 6 (3D 50³: one fewer) on every problem of bench amg-iterations and on 3D 50³ / 100³ and 2D 1M with b = 1
    /// (11 / 13 / 12), operator complexity 1.573 against 1.568 at 50³; 3 steps (λ̂ 13 % low) kept the iterations but raised
    /// the complexity to 1.583 (bench/RESULTS.md, AMG session 8).
    /// </summary>
    public const int ProlongatorSpectralRadiusSteps = 4;

    /// <summary>The Lanczos steps in effect with <paramref name="smoother"/> (the smoother the hierarchy uses, not <see cref="AmgSmoother.Auto"/>).</summary>
    public int SpectralRadiusStepsFor(AmgSmoother smoother) => SpectralRadiusSteps ??
        (smoother is AmgSmoother.SymmetricGaussSeidel or AmgSmoother.L1Jacobi ? ProlongatorSpectralRadiusSteps : SmootherSpectralRadiusSteps);

    /// <summary>
    /// The near-null space B, n × k row-major (entry (i, j) at i·k + j) — e.g. the rigid body modes of an
    /// elasticity problem; null (default): the constant vector. Coarse grids reproduce B exactly.
    /// </summary>
    public double[]? NearNullSpace { get; init; }

    /// <summary>Number of vectors k in <see cref="NearNullSpace"/> (ignored when it is null).</summary>
    public int NearNullSpaceVectors { get; init; } = 1;

    /// <summary>Checks ranges.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (it is named).</exception>
    public void Validate()
    {
        if (!(StrengthThreshold >= 0 && StrengthThreshold < 1)) throw new ArgumentOutOfRangeException(nameof(StrengthThreshold), StrengthThreshold, "θ must be in [0, 1)");
        if (!(StrengthThresholdDecay > 0 && StrengthThresholdDecay <= 1)) throw new ArgumentOutOfRangeException(nameof(StrengthThresholdDecay), StrengthThresholdDecay, "must be in (0, 1]");
        if (CoarseSize is < 1) throw new ArgumentOutOfRangeException(nameof(CoarseSize), CoarseSize, "must be at least 1");
        if (MaxLevels < 1) throw new ArgumentOutOfRangeException(nameof(MaxLevels), MaxLevels, "must be at least 1");
        if (MaxDirectSize < 0) throw new ArgumentOutOfRangeException(nameof(MaxDirectSize), MaxDirectSize, "must not be negative");
        if (CoarseSweeps < 1) throw new ArgumentOutOfRangeException(nameof(CoarseSweeps), CoarseSweeps, "must be at least 1");
        if (PreSmoothingSteps < 0) throw new ArgumentOutOfRangeException(nameof(PreSmoothingSteps), PreSmoothingSteps, "must not be negative");
        if (PostSmoothingSteps < 0) throw new ArgumentOutOfRangeException(nameof(PostSmoothingSteps), PostSmoothingSteps, "must not be negative");
        if (PreSmoothingSteps + PostSmoothingSteps == 0) throw new ArgumentOutOfRangeException(nameof(PostSmoothingSteps), "a cycle needs at least one smoothing step");
        if (ChebyshevDegree < 1) throw new ArgumentOutOfRangeException(nameof(ChebyshevDegree), ChebyshevDegree, "must be at least 1");
        if (!(ChebyshevRatio > 1)) throw new ArgumentOutOfRangeException(nameof(ChebyshevRatio), ChebyshevRatio, "must exceed 1");
        if (SpectralRadiusSteps is < 1) throw new ArgumentOutOfRangeException(nameof(SpectralRadiusSteps), SpectralRadiusSteps, "must be at least 1");
        if (NearNullSpace is not null)
        {
            if (NearNullSpaceVectors < 1) throw new ArgumentOutOfRangeException(nameof(NearNullSpaceVectors), NearNullSpaceVectors, "must be at least 1");
            if (NearNullSpace.Length % NearNullSpaceVectors != 0)
                throw new ArgumentOutOfRangeException(nameof(NearNullSpace), NearNullSpace.Length, $"length is not a multiple of k = {NearNullSpaceVectors}");
            for (int i = 0; i < NearNullSpace.Length; i++)
                if (!double.IsFinite(NearNullSpace[i]))
                    throw new ArgumentOutOfRangeException(nameof(NearNullSpace), NearNullSpace[i], $"entry ({i / NearNullSpaceVectors}, {i % NearNullSpaceVectors}) is not finite");
        }
    }
}
