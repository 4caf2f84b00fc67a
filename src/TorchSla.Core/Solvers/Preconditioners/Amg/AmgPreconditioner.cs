using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSla.Kernels.Memory;
using TorchSla.Solvers.Direct;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Smoothed-aggregation algebraic multigrid (Vaněk, Mandel &amp; Brezina, Computing 56 (1996)
/// 179–196) for symmetric positive definite matrices: a preconditioner (one cycle from a zero
/// guess per <see cref="Apply"/>, a fixed symmetric operator as CG needs) and a standalone
/// solver (<see cref="Solve"/>).
/// <para><b>Setup</b>, level by level until a level has at most <see cref="AmgOptions.CoarseSize"/> (<see cref="AmgOptions.CoarseSizeOn"/>)
/// rows: strength of connection → aggregation (greedy on the CPU, MIS-2/MIS-1 on a GPU) → tentative
/// prolongator P̂ from the near-null space → smoothed prolongator P = (I − ω·D⁻¹A)·P̂, ω = 4/(3ρ(D⁻¹A)) →
/// R = Pᵀ → Galerkin operator A_c = R·A·P. The coarsest level is factored by the sparse Cholesky (on the
/// host: it is small). Every step runs on the matrix's device through the backend's AMG primitives
/// (Backend.AmgDiagonal, AmgStrength, AmgMisAggregate, AmgTentative, AmgScale, AmgPseudoRandom: parallel
/// passes on the CPU, kernels on a GPU), the products and the transposition through SpGEMM and Transpose;
/// on a GPU nothing of a level but counts comes to the host. Written once; what stays on the host is the
/// greedy aggregation (sequential: a GPU's strong graph is copied for it when asked for explicitly) and the
/// QR of given near-null spaces with more than one vector. The products go through <see cref="SetupProduct"/> (pattern
/// and values in one call, no plan kept). On a GPU a last cycle from b = 0 builds every
/// level's device SpMV plan, so that the first Apply does not pay for it.</para>
/// <para><b>Cycle</b>: V or W, with Chebyshev, (ℓ1-)Jacobi or symmetric Gauss–Seidel smoothing.
/// All vector work goes through the backend of the matrix's device; the coarse solve moves
/// its (small) vectors to the host.</para>
/// <para><see cref="Refresh"/> takes new values on the same pattern and redoes the numeric
/// part, keeping the aggregation, the tentative prolongators and the coarse factor's analysis.</para>
/// </summary>
/// <typeparam name="T"><see cref="double"/> or <see cref="float"/> (a float hierarchy can
/// precondition a double solve through <see cref="MixedPrecisionOperator{TOuter, TInner}"/>).</typeparam>
public sealed class AmgPreconditioner<T> : IPreconditioner<T>, IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly AmgOptions _options;
    private readonly List<AmgLevel<T>> _levels = [];
    private CholeskySymbolic? _coarseSymbolic;
    private SimplicialCholesky? _coarseFactor;
    private double[]? _coarseRhs;
    private T[]? _coarseX;
    private AmgSetupProfile? _cycleProfile;

    /// <summary>Builds the hierarchy of <paramref name="a"/>.</summary>
    /// <param name="a">A square, symmetric positive definite matrix (unbatched), on any device. It is not copied: keep it alive and unchanged while the preconditioner is used.</param>
    /// <param name="options">Settings (default <see cref="AmgOptions.Default"/>).</param>
    /// <exception cref="ShapeMismatchException">A is not square, or batched, or the near-null space has the wrong length.</exception>
    /// <exception cref="ArgumentException">A diagonal entry is not positive or not finite (the row is named).</exception>
    /// <exception cref="NotSupportedException">Gauss–Seidel smoothing was asked for a matrix that is not on the CPU.</exception>
    public AmgPreconditioner(SparseTensor<T> a, AmgOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        _options = options ?? AmgOptions.Default;
        _options.Validate();
        CheckOperand(a);
        if (_options.NearNullSpace is { } ns && ns.Length != (long)a.Rows * _options.NearNullSpaceVectors)
            throw new ShapeMismatchException($"the near-null space has {ns.Length} entries; {a.Rows} rows × {_options.NearNullSpaceVectors} vectors need {(long)a.Rows * _options.NearNullSpaceVectors}", nameof(options));
        Device = a.Device;
        Build(a, reuse: false);
    }

    /// <summary>The registry name, <c>amg</c>.</summary>
    public string Name => "amg";

    /// <inheritdoc/>
    public int Rows => _levels[0].A.Rows;

    /// <inheritdoc/>
    public int Cols => Rows;

    /// <inheritdoc/>
    public Device Device { get; }

    /// <summary>The levels, finest first (for tests and diagnostics).</summary>
    internal IReadOnlyList<AmgLevel<T>> Levels => _levels;

    /// <summary>The settings the hierarchy was built with.</summary>
    public AmgOptions Options => _options;

    /// <summary>Levels, sizes, nnz, complexities and setup time of the hierarchy.</summary>
    public AmgStatistics Statistics { get; private set; } = null!;

    /// <summary>
    /// Replaces the matrix by <paramref name="a"/>, which must have the same pattern (e.g. the next
    /// step of a time-dependent or Newton iteration): the aggregation and the tentative prolongator
    /// are kept; ρ, P, the coarse operators, the smoothers and the coarse factor are recomputed, the
    /// symbolic analysis of the factorization reused.
    /// </summary>
    /// <exception cref="ArgumentException">The pattern or device differs, or a diagonal entry is not positive.</exception>
    public void Refresh(SparseTensor<T> a)
    {
        ArgumentNullException.ThrowIfNull(a);
        CheckOperand(a);
        var a0 = _levels[0].A;
        if (a.Device != Device) throw new ArgumentException($"the hierarchy lives on {Device}, the new matrix on {a.Device}", nameof(a));
        if (!a.Pattern.SameAs(a0.Pattern))
            throw new ArgumentException($"Refresh needs the pattern the hierarchy was built for ({a0.Rows}×{a0.Cols}, nnz {a0.Nnz}); the new matrix has nnz {a.Nnz} or other positions: build a new hierarchy", nameof(a));
        // Same pattern object as before (its device copies and SpMV plans are found again).
        Build(new SparseTensor<T>(a0.Pattern, a.Values, [], null), reuse: true);
    }

    /// <summary>y ← M⁻¹x: one cycle on A·y = x from y = 0.</summary>
    /// <exception cref="ShapeMismatchException">x or y does not have <see cref="Rows"/> entries.</exception>
    /// <exception cref="ArgumentException">x or y lives on another device.</exception>
    public void Apply(Tensor<T> x, Tensor<T> y)
    {
        ArgumentNullException.ThrowIfNull(x); ArgumentNullException.ThrowIfNull(y);
        if (x.Length != Rows || y.Length != Rows)
            throw new ShapeMismatchException($"AMG: the operator is {Rows}×{Rows}, x has {x.Length} and y {y.Length} elements");
        if (x.Device != Device || y.Device != Device)
            throw new ArgumentException($"AMG: the hierarchy lives on {Device}, x on {x.Device}, y on {y.Device}");
        if (!ReferenceEquals(x.Storage, y.Storage)) { CycleOn(x, y); return; }
        // In place: the cycle reads its right-hand side after writing its solution, so it needs a copy of x.
        using var copy = Smoother<T>.Vector(Rows, Device);
        _levels[0].A.Backend.Copy(x.Storage, 0, copy.Storage, 0, Rows);
        CycleOn(copy, y);
    }

    /// <summary>One cycle from a zero guess with the finest level working directly in b (read only) and x (written): no copies.</summary>
    private void CycleOn(Tensor<T> b, Tensor<T> x)
    {
        var top = _levels[0];
        top.B = b; top.X = x;
        try { Cycle(0, zeroGuess: true); }
        finally { top.B = null!; top.X = null!; }
    }

    /// <summary>
    /// Solves A·x = b by multigrid cycles alone, x_{k+1} = x_k + M⁻¹(b − A·x_k), until
    /// ‖b − A·x_k‖₂ ≤ max(rtol·‖b‖₂, atol) (the true residual, computed every cycle).
    /// </summary>
    /// <exception cref="ShapeMismatchException">b does not have <see cref="Rows"/> entries.</exception>
    /// <exception cref="NonFiniteValueException">b holds NaN or ±∞ (the entry is named).</exception>
    /// <param name="b">The right-hand side.</param>
    /// <param name="options">Tolerances, iteration limit (default 500 cycles), progress, cancellation.</param>
    /// <param name="initialGuess">x₀ (default 0); not modified.</param>
    public SolveResult<T> Solve(Tensor<T> b, SolveOptions? options = null, Tensor<T>? initialGuess = null)
    {
        ArgumentNullException.ThrowIfNull(b);
        options ??= SolveOptions.Default;
        options.Validate();
        int n = Rows;
        if (b.Length != n) throw new ShapeMismatchException($"A is {n}×{n} but b has {b.Length} entries", nameof(b));
        if (b.Device != Device) throw new ArgumentException($"AMG: the hierarchy lives on {Device}, b on {b.Device}", nameof(b));
        var space = new SingleDeviceVectorSpace<T>(n, Device);
        Krylov.Cg.RejectNonFinite(space, b, "right-hand side b");
        var a = _levels[0].A;
        var x = space.Create();
        if (initialGuess is not null)
        {
            if (initialGuess.Length != n) throw new ShapeMismatchException($"A is {n}×{n} but the initial guess has {initialGuess.Length} entries", nameof(initialGuess));
            Krylov.Cg.RejectNonFinite(space, initialGuess, "initial guess x0");
            space.Copy(initialGuess, x);
        }
        var r = space.Create();
        var e = space.Create();
        double bNorm = double.CreateTruncating(space.Norm(b));
        double rtolBound = options.RelativeToleranceFor<T>() * bNorm;
        double bound = Math.Max(rtolBound, options.AbsoluteTolerance);
        var met = rtolBound >= options.AbsoluteTolerance ? ConvergenceReason.RelativeTolerance : ConvergenceReason.AbsoluteTolerance;
        int maxIter = options.MaxIterations ?? 500;
        var history = new List<double>();
        var reason = ConvergenceReason.MaxIterations;
        int k = 0;
        double rNorm;
        while (true)
        {
            Smoother<T>.Residual(a, x, b, r);
            rNorm = double.CreateTruncating(space.Norm(r));
            history.Add(rNorm);
            options.Progress?.Report(new IterationReport(k, rNorm, bNorm == 0 ? 0 : rNorm / bNorm));
            if (bNorm == 0) { reason = ConvergenceReason.ZeroRightHandSide; break; }
            if (!double.IsFinite(rNorm)) { reason = ConvergenceReason.NonFiniteValues; break; }
            if (rNorm <= bound) { reason = met; break; }
            if (k >= maxIter) break;
            if (options.CancellationToken.IsCancellationRequested) { reason = ConvergenceReason.Cancelled; break; }
            Apply(r, e);
            space.Axpby(T.One, e, T.One, x);
            k++;
        }
        r.Dispose(); e.Dispose();
        return new SolveResult<T>(x, k, history, reason, SolveMethod.Amg, "amg", rNorm, bNorm == 0 ? 0 : rNorm / bNorm);
    }

    /// <summary>Frees the hierarchy's device memory (the finest operator belongs to the caller and stays).</summary>
    public void Dispose()
    {
        foreach (var l in _levels) l.Dispose();
        _levels.Clear();
    }

    private static void CheckOperand(SparseTensor<T> a)
    {
        if (a.IsBatched) throw new ShapeMismatchException($"AMG needs a single matrix; this one has shape {Shapes.Str(a.Shape)}", nameof(a));
        if (!a.IsSquare) throw new ShapeMismatchException($"AMG needs a square matrix; this one is {a.Rows}×{a.Cols}", nameof(a));
    }

    // ------------------------------------------------------------------ setup

    /// <summary>Builds the hierarchy, or with <paramref name="reuse"/> recomputes its numeric part keeping every level's tentative prolongator.</summary>
    private void Build(SparseTensor<T> a0, bool reuse)
    {
        var watch = Stopwatch.StartNew();
        var o = _options;
        var be = a0.Backend;
        var profile = new AmgSetupProfile(be);
        // The setup writes several times the matrix's size of fresh arrays: on Linux, let the kernel fault them in 2 MB at a
        // time; where HugePages.ReserveBursts is on (opt-in: measured to slow later, larger setups of the same process), with
        // the GC's memory for them committed in one range first (HugePages.ReserveForBurst). The size is what the setups
        // allocated per stored entry of A (TORCHSLA_AMG_PROFILE=1: 81 B at 3D Poisson 50³, 77 B at 100³) with a margin.
        using var reservation = Device.IsCpu && Kernels.Cpu.HugePages.ReserveBursts ? Kernels.Cpu.HugePages.ReserveForBurst(SetupBytes(a0)) : null;
        if (Device.IsCpu && reservation is null) Kernels.Cpu.HugePages.Advise();
        profile.Mark(0, "reserve");
        int k = o.NearNullSpace is null ? 1 : o.NearNullSpaceVectors;
        // One near-null vector lives on the matrix's device and is coarsened there (Backend.AmgTentative);
        // k > 1 vectors (or one that vanishes on an aggregate) go through the host's QR per aggregate.
        Storage<T>? nullSpace = null;
        double[]? hostNullSpace = null;
        if (!reuse)
        {
            if (k == 1)
            {
                // The constant vector is scratch: once level 0's tentative prolongator is made it goes back for ρ's vectors.
                nullSpace = o.NearNullSpace is { } given ? be.Upload<T>(ToT(given)) : be.AllocateScratch<T>(a0.Rows);
                if (o.NearNullSpace is null) be.Fill(nullSpace, 0, a0.Rows, T.One);
            }
            else hostNullSpace = (double[])o.NearNullSpace!.Clone();
            _levels.Add(new AmgLevel<T>(a0, ownsA: false, ownVectors: false));
        }
        else
        {
            _levels[0].A = a0;
        }
        var stats = new List<AmgLevelStatistics>();
        string coarseSolver = "cholesky";
        profile.Mark(0, "start");
        try
        {
            for (int l = 0; ; l++)
            {
                var level = _levels[l];
                var a = level.A;
                int n = a.Rows;
                using var diag = be.AllocateScratch<T>(n);
                int bad = be.AmgDiagonal(a.Indices, a.Values, diag);
                if (bad >= 0)
                {
                    string where = l == 0 ? $"row {bad}" : $"row {bad} of the level-{l} Galerkin operator";
                    throw new ArgumentException($"AMG needs a symmetric positive definite matrix, but the diagonal entry of {where} is {diag.ToArray()[bad]}", "a");
                }
                profile.Mark(l, "diagonal");
                bool coarsest = reuse ? l == _levels.Count - 1 : n <= o.CoarseSizeOn(Device) || l == o.MaxLevels - 1;
                if (!coarsest && !reuse)
                {
                    var tentative = BuildTentative(a, diag, l, k, ref nullSpace, ref hostNullSpace, profile);
                    if (tentative is null) coarsest = true; // nothing to aggregate, or coarsening stalled
                    else level.Tentative = tentative;
                }
                if (coarsest)
                {
                    coarseSolver = SetupCoarse(level, diag);
                    profile.Mark(l, "coarse");
                    stats.Add(new AmgLevelStatistics(n, a.Nnz, level.SpectralRadius));
                    break;
                }

                level.DisposeNumeric();
                double rho = SpectralRadius.OfDiagonallyScaled(a, diag, o.SpectralRadiusStepsFor(SmootherKind));
                level.SpectralRadius = rho;
                profile.Mark(l, "rho");
                // P = (I − ω·D⁻¹A)·P̂ with ω = 4/(3ρ), one product on A's device.
                level.P = o.SmoothProlongator ? ProlongatorSmoothing.Smooth(a, diag, 4.0 / (3.0 * rho), level.Tentative!) : level.Tentative!;
                profile.Mark(l, "smooth P");
                level.R = Restriction(level.P);
                profile.Mark(l, "transpose");
                var coarse = GalerkinOperator.Build(a, level.P, level.R);
                profile.Mark(l, "galerkin");
                level.Smoother = MakeSmoother(level, diag, rho);
                profile.Mark(l, "smoother");
                if (reuse)
                {
                    var next = _levels[l + 1];
                    if (next.OwnsA) next.A.Dispose();
                    next.A = coarse;
                    next.OwnsA = true;
                }
                else _levels.Add(new AmgLevel<T>(coarse, ownsA: true, ownVectors: true));
                stats.Add(new AmgLevelStatistics(n, a.Nnz, rho));
            }
        }
        finally
        {
            nullSpace?.Dispose();
        }
        if (!Device.IsCpu)
        {
            // One cycle on B = 0: every SpMV of the cycle (A, P, R on each level) builds its device plan now,
            // as part of the setup.
            using var zero = Smoother<T>.Vector(a0.Rows, Device);
            using var x = Smoother<T>.Vector(a0.Rows, Device);
            CycleOn(zero, x);
            (be as Kernels.Cuda.IlgpuBackend)?.Synchronize();
            profile.Mark(0, "plan cycle");
            if (profile.Enabled)
            {
                // One more cycle, timed level by level (each mark waits for the device).
                _cycleProfile = profile;
                CycleOn(zero, x);
                _cycleProfile = null;
            }
        }
        profile.Report(a0.Rows);
        Statistics = new AmgStatistics(stats, coarseSolver, watch.Elapsed.TotalSeconds);
    }

    /// <summary>Managed bytes a CPU setup of <paramref name="a"/> allocates, from above: measured 77–81 B per stored entry on
    /// 3D Poisson in float64, about half of it indices (int) and half values, so 48 B + 6 values per entry (96 B in float64).</summary>
    private static long SetupBytes(SparseTensor<T> a) => (long)a.Nnz * (48L + 6L * Unsafe.SizeOf<T>()) + (long)a.Rows * 64;

    /// <summary>
    /// R = Pᵀ. On the CPU one counting sort moves the values with the indices (<see cref="Kernels.Backend.TransposeWithValues{T}"/>:
    /// no slot map, no gather pass); on a GPU the tensor transpose, whose slot map (nnz(P) indices on the device) is
    /// released once R exists (a refresh transposes again).
    /// </summary>
    private static SparseTensor<T> Restriction(SparseTensor<T> p)
    {
        if (p.Device.IsCpu)
        {
            var (pattern, values) = p.Backend.TransposeWithValues(p.Indices, p.Values);
            return new SparseTensor<T>(new SparsePattern(pattern), values, [], null);
        }
        var r = p.Transpose();
        p.Pattern.ReleaseTranspose();
        return r;
    }

    /// <summary>
    /// Strength of connection → aggregation → tentative prolongator P̂ of level <paramref name="l"/> on A's device;
    /// null when coarsening stalls (no aggregate, or as many coarse unknowns as rows). Moves the near-null space to
    /// the coarse level. Greedy aggregation is sequential: on a GPU its strong graph comes to the host and the
    /// aggregates go back (MIS-2, the GPU default, stays there).
    /// </summary>
    private SparseTensor<T>? BuildTentative(SparseTensor<T> a, Storage<T> diag, int l, int k,
        ref Storage<T>? nullSpace, ref double[]? hostNullSpace, AmgSetupProfile profile)
    {
        var o = _options;
        var be = a.Backend;
        int n = a.Rows;
        double theta = o.StrengthThreshold * Math.Pow(o.StrengthThresholdDecay, l);
        bool mis2 = o.Aggregation == AmgAggregation.Mis2 || (o.Aggregation == AmgAggregation.Auto && !Device.IsCpu);
        using var agg = be.AllocateScratch<int>(n);
        int count;
        if (!mis2 && Device.IsCpu)
        {
            // Host greedy on the host's matrix: the strong graph as a mask over A's entries, not as a matrix of its own.
            var mask = Kernels.Cpu.AmgGraph.StrengthMask(n, a.Pattern.RowPtr, a.Pattern.ColInd, ((CpuStorage<T>)a.Values).Array, ((CpuStorage<T>)diag).Array, T.CreateTruncating(theta));
            profile.Mark(l, "strength");
            var (g, c) = Aggregation.Greedy(n, a.Pattern.RowPtr, a.Pattern.ColInd, mask);
            agg.CopyFrom(g);
            count = c;
        }
        else
        {
            using var strong = be.AmgStrength(a.Indices, a.Values, diag, T.CreateTruncating(theta));
            profile.Mark(l, "strength");
            if (mis2) count = be.AmgMisAggregate(strong, agg, MisDistance(strong));
            else
            {
                var (g, c) = Aggregation.Greedy(n, HostArray(strong.RowPtr), HostArray(strong.ColInd));
                agg.CopyFrom(g);
                count = c;
            }
        }
        profile.Mark(l, "aggregation");
        if (count == 0 || count >= n) return null;
        if (nullSpace is not null)
        {
            var coarseNull = be.AllocateScratch<T>(count);
            var (pattern, values, zero) = be.AmgTentative(agg, count, nullSpace, coarseNull);
            if (zero == 0)
            {
                nullSpace.Dispose();
                nullSpace = coarseNull;
                profile.Mark(l, "tentative");
                return new SparseTensor<T>(new SparsePattern(pattern), values, [], null);
            }
            // The vector vanishes on some aggregate: the host's QR drops those columns instead (from here on).
            pattern.Dispose(); values.Dispose(); coarseNull.Dispose();
            hostNullSpace = ToDouble(nullSpace.ToArray());
            nullSpace.Dispose();
            nullSpace = null;
        }
        var (tp, tc, tv, nc, coarseHost) = TentativeProlongator.Build(n, HostArray(agg), count, hostNullSpace!, k);
        profile.Mark(l, "tentative");
        if (nc == 0 || nc >= n) return null;
        hostNullSpace = coarseHost;
        return Tensor(new SparsePattern(n, nc, tp, tc), tv);
    }

    /// <summary>
    /// Distance of the MIS behind the aggregates: 1 where the strong graph's mean degree is in (6.5, 16] (the 9- to
    /// 13-point Galerkin operators of 2D problems), 2 elsewhere (aggregates of about a distance-2 ball, Bell, Dalton
    /// &amp; Olson 2012: the 5- and 7-point fine levels, and the 27-point and denser Galerkin levels of 3D problems).
    /// Measured with Chebyshev smoothing (bench amg-compare --mis2 --levels, CG iterations exact): MIS-2 on every level
    /// made 2D Poisson's iterations grow, 21/25/26 at 1M/4M/16M rows (operator complexity 1.335), because a distance-2
    /// ball of a 2D Galerkin level holds ~25 nodes; this rule gives 20/21 at 1M/4M (1.44); MIS-1 on every level
    /// above the finest gave 19/20 (1.46) in 2D but 3D 60³ complexity 1.68 against 1.44 (16 against 17 iterations),
    /// and on an H100 the 3D 200³ solve 0.47 s against 0.25 s.
    /// </summary>
    private static int MisDistance(CsrIndices strong)
    {
        double degree = strong.Rows == 0 ? 0 : (double)strong.Nnz / strong.Rows;
        return degree > 6.5 && degree <= 16 ? 1 : 2;
    }

    /// <summary>The smoother this hierarchy uses (Auto: symmetric Gauss–Seidel on the CPU, Chebyshev on a GPU).</summary>
    private AmgSmoother SmootherKind =>
        _options.Smoother == AmgSmoother.Auto ? (Device.IsCpu ? AmgSmoother.SymmetricGaussSeidel : AmgSmoother.Chebyshev) : _options.Smoother;

    private Smoother<T> MakeSmoother(AmgLevel<T> level, Storage<T> diag, double rho)
    {
        var a = level.A;
        var o = _options;
        int n = a.Rows;
        switch (SmootherKind)
        {
            case AmgSmoother.Jacobi:
                return new JacobiSmoother<T>(Smoother<T>.Inverse(diag, n, Device), level.Residual, 4.0 / (3.0 * rho), rho);
            case AmgSmoother.L1Jacobi:
                {
                    using var l1 = a.Backend.Allocate<T>(n);
                    a.Backend.RowReduce(Kernels.ReduceOp.SumAbs, a.Indices, a.Values, 0, l1, 0);
                    return new JacobiSmoother<T>(Smoother<T>.Inverse(l1, n, Device), level.Residual, 1.0, rho);
                }
            case AmgSmoother.SymmetricGaussSeidel:
                return new GaussSeidelSmoother<T>(a);
            default:
                return new ChebyshevSmoother<T>(Smoother<T>.Inverse(diag, n, Device), level.Residual, n, Device, rho, o.ChebyshevDegree, o.ChebyshevRatio);
        }
    }

    /// <summary>Factors the coarsest level, or (too large / not positive definite) gives it a smoother to relax with instead.</summary>
    private string SetupCoarse(AmgLevel<T> level, Storage<T> diag)
    {
        var a = level.A;
        level.DisposeNumeric();
        _coarseFactor = null;
        if (a.Rows <= _options.MaxDirectSize)
        {
            try
            {
                _coarseSymbolic ??= SimplicialCholesky.Analyze(a);
                _coarseFactor = SimplicialCholesky.Factor(_coarseSymbolic, a);
                _coarseRhs = new double[a.Rows];
                _coarseX = new T[a.Rows];
                level.SpectralRadius = 0;
                return "cholesky";
            }
            catch (NotPositiveDefiniteException)
            {
                // Rounding can leave a nearly singular coarse operator indefinite: relax instead.
                _coarseFactor = null;
            }
        }
        double rho = SpectralRadius.OfDiagonallyScaled(a, diag, _options.SpectralRadiusStepsFor(SmootherKind));
        level.SpectralRadius = rho;
        level.Smoother = MakeSmoother(level, diag, rho);
        return "smoother";
    }

    /// <summary>The elements of a storage on the host: a CPU storage's own array (read only), else a copy.</summary>
    private static int[] HostArray(Storage<int> s) => s is CpuStorage<int> c ? c.Array : s.ToArray();

    private SparseTensor<T> Tensor(SparsePattern pattern, double[] values) =>
        new(pattern, Device.IsCpu ? new CpuStorage<T>(ToT(values)) : Kernels.BackendRegistry.Get(Device).Upload<T>(ToT(values)), [], null);

    private static double[] ToDouble(T[] v)
    {
        if (v is double[] d) return d;
        var r = new double[v.Length];
        for (int i = 0; i < v.Length; i++) r[i] = double.CreateTruncating(v[i]);
        return r;
    }

    private static T[] ToT(double[] v)
    {
        if (v is T[] t) return t;
        var r = new T[v.Length];
        for (int i = 0; i < v.Length; i++) r[i] = T.CreateTruncating(v[i]);
        return r;
    }

    // ------------------------------------------------------------------ cycle

    /// <summary>
    /// One cycle on level l for A_l·X_l = B_l (Trottenberg, Oosterlee &amp; Schüller, "Multigrid",
    /// §2.4.2): pre-smooth, restrict the residual, γ coarse cycles (V: γ = 1, W: γ = 2), prolongate
    /// and add the correction, post-smooth in the adjoint order.
    /// </summary>
    private void Cycle(int l, bool zeroGuess)
    {
        var level = _levels[l];
        var a = level.A;
        var profile = _cycleProfile;
        if (l == _levels.Count - 1) { profile?.Mark(l, "cycle start"); CoarseSolve(level, zeroGuess); profile?.Mark(l, "cycle coarse"); return; }
        var o = _options;
        var smoother = level.Smoother!;
        profile?.Mark(l, "cycle start");
        if (o.PreSmoothingSteps > 0) smoother.Smooth(a, level.X, level.B, o.PreSmoothingSteps, zeroGuess, backward: false);
        else if (zeroGuess) level.X.FillInPlace(T.Zero);
        profile?.Mark(l, "cycle presmooth");
        var next = _levels[l + 1];
        // Memory traffic per level visit (n rows, nnz(A), nnz(P) = nnz(R)): residual nnz(A) + 3n,
        // restriction nnz(R) + n + n_c, prolongation nnz(P) + 2n + n_c, plus the smoother's SpMVs.
        Smoother<T>.Residual(a, level.X, level.B, level.Residual);
        Smoother<T>.SpMV(level.R!, level.Residual, next.B, T.One, T.Zero);
        profile?.Mark(l, "cycle restrict");
        int gamma = o.Cycle == AmgCycle.W ? 2 : 1;
        for (int g = 0; g < gamma; g++) Cycle(l + 1, zeroGuess: g == 0);
        profile?.Mark(l, "cycle start");
        Smoother<T>.SpMV(level.P!, next.X, level.X, T.One, T.One);
        profile?.Mark(l, "cycle prolong");
        if (o.PostSmoothingSteps > 0) smoother.Smooth(a, level.X, level.B, o.PostSmoothingSteps, zeroGuess: false, backward: true);
        profile?.Mark(l, "cycle postsmth");
    }

    private void CoarseSolve(AmgLevel<T> level, bool zeroGuess)
    {
        if (_coarseFactor is { } f)
        {
            // Exact solve: the initial guess does not matter.
            var b = level.B.ToArray();
            var rhs = _coarseRhs!;
            for (int i = 0; i < b.Length; i++) rhs[i] = double.CreateTruncating(b[i]);
            var x = f.Solve(rhs);
            var xt = _coarseX!;
            for (int i = 0; i < x.Length; i++) xt[i] = T.CreateTruncating(x[i]);
            level.X.Storage.CopyFrom(xt);
            return;
        }
        var s = level.Smoother!;
        s.Smooth(level.A, level.X, level.B, _options.CoarseSweeps, zeroGuess, backward: false);
        if (s is GaussSeidelSmoother<T>) s.Smooth(level.A, level.X, level.B, _options.CoarseSweeps, zeroGuess: false, backward: true);
    }
}
