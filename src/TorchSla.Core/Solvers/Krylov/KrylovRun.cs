using System.Numerics;
using TorchSla.Solvers.Preconditioners;

namespace TorchSla.Solvers.Krylov;

/// <summary>
/// The bookkeeping every Krylov method shares, so that each algorithm file holds only its
/// recurrence: argument checks, ‖b‖ and the bound max(rtol·‖b‖, atol), the iterate x (x₀
/// copied in), the residual history and progress reports, cancellation, the true-residual
/// check when a recurrence claims convergence (with the stagnation guard), and the result.
/// </summary>
internal sealed class KrylovRun<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ILinearOperator<T> _a;
    private readonly Tensor<T> _b;
    private readonly SolveOptions _options;
    private readonly SolveMethod _method;
    // Stagnation guard state (see Stagnating and TrueResidualMeets).
    private double _lastReplaced = double.PositiveInfinity, _mark = double.PositiveInfinity;
    private int _stalled, _replacements, _markIteration;

    public KrylovRun(SolveMethod method, ILinearOperator<T> a, Tensor<T> b, IVectorSpace<T>? space, SolveOptions? options,
        Tensor<T>? initialGuess, ILinearOperator<T>? preconditioner)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        options ??= SolveOptions.Default;
        options.Validate();
        if (a.Rows != a.Cols)
            throw new ShapeMismatchException($"{method.Name()} needs a square operator; this one is {a.Rows}×{a.Cols}", nameof(a));
        space ??= SingleDeviceVectorSpace<T>.Of(a);
        int n = a.Rows;
        if (b.Length != n || space.Length != n)
            throw new ShapeMismatchException($"A is {n}×{n} but b has {b.Length} entries (vector space length {space.Length})", nameof(b));
        if (preconditioner is not null && (preconditioner.Rows != n || preconditioner.Cols != n || preconditioner.Device != a.Device))
            throw new ShapeMismatchException(
                $"the preconditioner is {preconditioner.Rows}×{preconditioner.Cols} on {preconditioner.Device}; A is {n}×{n} on {a.Device}", nameof(preconditioner));
        if (initialGuess is not null && initialGuess.Length != n)
            throw new ShapeMismatchException($"A is {n}×{n} but the initial guess has {initialGuess.Length} entries", nameof(initialGuess));
        RejectNonFinite(space, b, "right-hand side b");
        if (initialGuess is not null) RejectNonFinite(space, initialGuess, "initial guess x0");

        _a = a; _b = b; _options = options; _method = method;
        Space = space;
        N = n;
        M = preconditioner is IdentityPreconditioner<T> ? null : preconditioner;
        PreconditionerName = M switch { null => "none", IPreconditioner<T> p => p.Name, _ => "custom" };
        MaxIterations = options.MaxIterationsFor(n);
        CheckEvery = options.CheckEvery ?? space.DefaultCheckEvery;
        History = new List<double>(Math.Min(MaxIterations, 1 << 16) + 1);
        X = space.Create();
        if (initialGuess is not null) space.Copy(initialGuess, X);
        HasInitialGuess = initialGuess is not null;
        BNorm = double.CreateTruncating(space.Norm(b));
        double rtolBound = options.RelativeToleranceFor<T>() * BNorm;
        Bound = Math.Max(rtolBound, options.AbsoluteTolerance);
        Met = rtolBound >= options.AbsoluteTolerance ? ConvergenceReason.RelativeTolerance : ConvergenceReason.AbsoluteTolerance;
    }

    public IVectorSpace<T> Space { get; }
    public int N { get; }
    /// <summary>The preconditioner, or null for none (the identity is dropped, not applied).</summary>
    public ILinearOperator<T>? M { get; }
    public string PreconditionerName { get; }
    public int MaxIterations { get; }
    /// <summary>Iterations between read-backs of a solver's device-resident scalars (<see cref="SolveOptions.CheckEvery"/>).</summary>
    public int CheckEvery { get; }
    public List<double> History { get; }
    public Tensor<T> X { get; }
    public bool HasInitialGuess { get; }
    public double BNorm { get; }
    public double Bound { get; }
    public ConvergenceReason Met { get; }
    public bool CancellationRequested => _options.CancellationToken.IsCancellationRequested;

    /// <summary>b = 0: x = 0 solves a nonsingular system whatever x₀ was.</summary>
    public SolveResult<T> ZeroRightHandSide()
    {
        Space.Fill(X, T.Zero);
        History.Add(0);
        _options.Progress?.Report(new IterationReport(0, 0, 0));
        return new SolveResult<T>(X, 0, History, ConvergenceReason.ZeroRightHandSide, _method, PreconditionerName, 0, 0);
    }

    /// <summary>Records ‖r_k‖ (the method's estimate) in the history and reports progress.</summary>
    public void Record(int k, double rNorm)
    {
        History.Add(rNorm);
        _options.Progress?.Report(new IterationReport(k, rNorm, rNorm / BNorm));
    }

    /// <summary>r ← b − A·x; returns ‖r‖.</summary>
    public double TrueResidual(Tensor<T> r)
    {
        _a.Apply(X, r);
        Space.Axpby(T.One, _b, -T.One, r);
        return double.CreateTruncating(Space.Norm(r));
    }

    /// <summary>r ← b − A·x for the initial guess (a copy of b when there is none); returns ‖r‖.</summary>
    public double InitialResidual(Tensor<T> r)
    {
        if (HasInitialGuess) return TrueResidual(r);
        Space.Copy(_b, r);
        return BNorm;
    }

    /// <summary>The converged result, with the true residual norm that met the bound.</summary>
    public SolveResult<T> Converged(int k, double trueNorm) =>
        new(X, k, History, Met, _method, PreconditionerName, trueNorm, trueNorm / BNorm);

    /// <summary>
    /// The method's recurrence claims ‖r‖ ≤ bound: recompute r_true = b − A·x into
    /// <paramref name="scratch"/>. Returns true when the true residual meets the bound. When it
    /// does not, the caller continues from r_true (residual replacement, van der Vorst &amp; Ye,
    /// SIAM J. Sci. Comput. 22 (2000) 835–852), unless <paramref name="stagnated"/> is set:
    /// ten replacements in a row that failed to halve the true residual mean the tolerance is
    /// below what the precision attains for this matrix.
    /// </summary>
    public bool TrueResidualMeets(Tensor<T> scratch, out double trueNorm, out bool stagnated)
    {
        trueNorm = TrueResidual(scratch);
        stagnated = false;
        if (trueNorm <= Bound) return true;
        _replacements++;
        _stalled = trueNorm > 0.5 * _lastReplaced ? _stalled + 1 : 0;
        _lastReplaced = Math.Min(_lastReplaced, trueNorm);
        stagnated = _stalled >= 10;
        return false;
    }

    /// <summary>
    /// Records ‖r_j‖ for the iterations j in (<paramref name="recorded"/>, <paramref name="upTo"/>] from a ring of squared
    /// norms read back from the device (slot historySlot + (j − 1) mod ring); stops at, and returns true on, stagnation.
    /// </summary>
    public bool RecordFromRing(ReadOnlySpan<T> host, int historySlot, int ring, int recorded, int upTo)
    {
        for (int j = recorded + 1; j <= upTo; j++)
        {
            double rNorm = Math.Sqrt(double.CreateTruncating(host[historySlot + (j - 1) % ring]));
            Record(j, rNorm);
            if (double.IsFinite(rNorm) && Stagnating(j, rNorm)) return true;
        }
        return false;
    }

    /// <summary>
    /// Stagnation below the attainable accuracy (about ε·‖A‖·‖x‖): once a replacement has shown
    /// that the recurrence reached the bound without the true residual following, the solve
    /// stops when the residual has not halved for max(200, k₀) iterations, k₀ being the
    /// iteration of its last halving.
    /// </summary>
    public bool Stagnating(int k, double rNorm)
    {
        if (rNorm <= 0.5 * _mark) { _mark = rNorm; _markIteration = k; return false; }
        return _replacements > 0 && k - _markIteration > Math.Max(200, _markIteration);
    }

    /// <summary>
    /// Ends the solve for <paramref name="reason"/>: the true residual of x goes in the result.
    /// Whatever stopped it (a breakdown exactly at the solution, stagnation of the recurrence
    /// after the iterate was already good enough, the last allowed iteration), the solve counts
    /// as converged when the true residual meets the bound; only cancellation stays cancellation.
    /// </summary>
    public SolveResult<T> Finish(int k, ConvergenceReason reason, Tensor<T> scratch)
    {
        double trueNorm = TrueResidual(scratch);
        if (reason is not ConvergenceReason.Cancelled && trueNorm <= Bound) reason = Met;
        return new SolveResult<T>(X, k, History, reason, _method, PreconditionerName, trueNorm, trueNorm / BNorm);
    }

    /// <summary>Throws <see cref="NonFiniteValueException"/> naming the first NaN/∞ entry of v.</summary>
    internal static void RejectNonFinite(IVectorSpace<T> space, Tensor<T> v, string what)
    {
        if (T.IsFinite(space.NormInf(v))) return; // one device reduction in the common case
        var host = v.ToArray();
        for (int i = 0; i < host.Length; i++)
            if (!T.IsFinite(host[i]))
                throw new NonFiniteValueException($"{what}[{i}] is {host[i]}: NaN and infinite values cannot be solved for", i);
    }
}
