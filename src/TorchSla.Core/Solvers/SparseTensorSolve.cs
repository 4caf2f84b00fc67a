using System.Numerics;
using TorchSla.Kernels;
using TorchSla.Solvers;

namespace TorchSla;

public sealed partial class SparseTensor<T>
{
    /// <summary>
    /// Solves A·x = b and reports how it went. Method and preconditioner come from
    /// <paramref name="options"/>; <c>auto</c> resolves them by <see cref="AutoSolverChoice"/>.
    /// Shapes of b: <c>[N]</c>; <c>[N, K]</c> for K right-hand sides of an unbatched A; and for a
    /// batched A <c>[B..., N, N]</c>, <c>[N]</c> (the same b for all) or <c>[B..., N]</c>.
    /// Several right-hand sides and batch members advance together when the method is CG with Jacobi or no
    /// preconditioner (one launch per step across all systems, each with its own convergence test:
    /// <see cref="Solvers.Krylov.BatchedCg"/>); other methods solve them one after another. Either way each system
    /// gets its own result in <see cref="SolveResult{T}.BatchResults"/>.
    /// The stopping test is <c>‖b − Ax‖₂ ≤ max(rtol·‖b‖₂, atol)</c> on the true residual.
    /// </summary>
    /// <param name="b">Right-hand side(s) on A's device.</param>
    /// <param name="options">Method, preconditioner, tolerances, limits, progress, cancellation (default <see cref="SolveOptions.Default"/>).</param>
    /// <param name="initialGuess">x₀, shaped like b (default 0); not modified.</param>
    /// <returns>The result, also when the solve did not converge (see <see cref="SolveResult{T}.EnsureConverged"/>).</returns>
    /// <exception cref="ShapeMismatchException">A is not square, or b or x₀ does not fit it.</exception>
    /// <exception cref="NonFiniteValueException">A or b holds NaN or ±∞ (the entry is named).</exception>
    /// <exception cref="ArgumentException">An option is out of range, b lives on another device, or a preconditioner
    /// named explicitly cannot be formed for A (e.g. a zero pivot, with the row named).</exception>
    public SolveResult<T> Solve(Tensor<T> b, SolveOptions? options, Tensor<T>? initialGuess = null)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (Tracked || b.Tracked) return SolveRecorded(b, options, initialGuess);
        return SolveUnrecorded(b, options, initialGuess, keepFactorization: null);
    }

    /// <summary>
    /// The solve itself (see <see cref="Solve(Tensor{T}, SolveOptions?, Tensor{T}?)"/>). A direct method hands its
    /// factorization to <paramref name="keepFactorization"/> instead of releasing it (the adjoint reuses it).
    /// </summary>
    private SolveResult<T> SolveUnrecorded(Tensor<T> b, SolveOptions? options, Tensor<T>? initialGuess, Action<Solvers.Direct.SparseFactorization<T>>? keepFactorization)
    {
        options ??= SolveOptions.Default;
        options.Validate();
        if (!IsSquare)
            throw new ShapeMismatchException($"solve needs a square matrix; A has shape {Shapes.Str(Shape)}");
        if (b.Device != Device)
            throw new ArgumentException($"solve: A lives on {Device}, b on {b.Device}", nameof(b));
        var bs = b.ShapeSpan;
        bool single = bs.Length == 1 && bs[0] == Rows;
        bool multi = !IsBatched && bs.Length == 2 && bs[0] == Rows;
        bool perMatrix = IsBatched && bs.Length == _batchShape.Length + 1 && bs[..^1].SequenceEqual(_batchShape) && bs[^1] == Rows;
        if (!single && !multi && !perMatrix)
            throw new ShapeMismatchException(
                $"solve: A has shape {Shapes.Str(Shape)}, b has shape {Shapes.Str(bs)}; b must be [{Rows}]" +
                (IsBatched ? $" or [{string.Join(", ", _batchShape)}, {Rows}]" : $" or [{Rows}, K]"), nameof(b));
        if (initialGuess is not null && (!initialGuess.ShapeSpan.SequenceEqual(bs) && !(single && IsBatched && initialGuess.Length == Rows)))
            throw new ShapeMismatchException($"solve: the initial guess has shape {Shapes.Str(initialGuess.ShapeSpan)}, b has {Shapes.Str(bs)}", nameof(initialGuess));
        if (initialGuess is not null && initialGuess.Device != Device)
            throw new ArgumentException($"solve: A lives on {Device}, the initial guess on {initialGuess.Device}", nameof(initialGuess));
        RejectNonFiniteValues();
        var (method, precond) = AutoSolverChoice.Choose(this, options);
        bool autoPrecond = SolveOptions.IsAutoPreconditioner(options.Preconditioner);
        if (method is SolveMethod.Cholesky or SolveMethod.Ldlt or SolveMethod.Lu) return SolveDirect(b, options, method, keepFactorization);

        if (single && !IsBatched)
            return SolveOne(this, 0, b, null, options, initialGuess, method, precond, autoPrecond, options.Method == SolveMethod.Auto);
        if (method == SolveMethod.CG && precond is "none" or "jacobi")
            return SolveTogether(b, options, initialGuess, precond, multi, autoPrecond);
        if (multi) return SolveColumns(b, options, initialGuess, method, precond, autoPrecond);

        var space = new SingleDeviceVectorSpace<T>(Rows, Device);
        var items = new SolveResult<T>[BatchSize];
        var x = Tensor<T>.Zeros([.. _batchShape, Rows], Device);
        var bi = single ? b : space.Create();
        Tensor<T>? x0 = initialGuess is null ? null : initialGuess.Length == Rows ? initialGuess : space.Create();
        for (int i = 0; i < BatchSize; i++)
        {
            if (!single) Backend.Copy(b.Storage, i * Rows, bi.Storage, 0, Rows);
            if (x0 is not null && x0 != initialGuess) Backend.Copy(initialGuess!.Storage, i * Rows, x0.Storage, 0, Rows);
            var itemOptions = options.Progress is null ? options
                : options with { Progress = new BatchProgress(options.Progress, i) };
            items[i] = SolveOne(new BatchMemberOperator<T>(this, i), i, bi, space, itemOptions, x0, method, precond, autoPrecond,
                options.Method == SolveMethod.Auto);
            Backend.Copy(items[i].Solution.Storage, 0, x.Storage, i * Rows, Rows);
            if (items[i].Reason == ConvergenceReason.Cancelled) { Array.Resize(ref items, i + 1); break; }
        }
        return Combine(x, items, method, precond);
    }

    /// <summary>
    /// CG over all right-hand sides ([N, K]) or all batch members at once (<see cref="Solvers.Krylov.BatchedCg"/>). With an
    /// automatic method, a system that turns out indefinite (pᵀAp ≤ 0) is re-solved alone, as <see cref="SolveOne"/> does.
    /// </summary>
    private SolveResult<T> SolveTogether(Tensor<T> b, SolveOptions options, Tensor<T>? initialGuess, string precond, bool multi, bool autoPrecond)
    {
        int n = Rows, count = multi ? b.ShapeSpan[1] : BatchSize;
        var layout = multi ? VectorBatch.Interleaved(n, count) : VectorBatch.Contiguous(n, count);
        Tensor<T> Spread(Tensor<T> v)
        {
            if (v.Length == layout.Extent) return v.ShapeSpan.Length == 1 ? v : v.Reshape(count * n); // a flat copy for the batch space
            var all = Tensor<T>.Zeros([count * n], Device); // one b (or x₀) for every member of the batch
            for (int i = 0; i < count; i++) Backend.Copy(v.Storage, 0, all.Storage, i * n, n);
            return all;
        }
        var bb = Spread(b);
        var x0 = initialGuess is null ? null : Spread(initialGuess);
        var (x, items) = Solvers.Krylov.BatchedCg.Solve(this, layout, bb, x0, precond == "jacobi", options);
        if (options.Method == SolveMethod.Auto && items.Any(r => r.Reason == ConvergenceReason.IndefiniteMatrix))
        {
            var xh = x.ToArray(); var bh = bb.ToArray(); var x0h = x0?.ToArray();
            var space = new SingleDeviceVectorSpace<T>(n, Device);
            for (int i = 0; i < count; i++)
            {
                if (items[i].Reason != ConvergenceReason.IndefiniteMatrix) continue;
                T[] Column(T[] h) { var c = new T[n]; for (int e = 0; e < n; e++) c[e] = h[i * layout.SystemStride + e * layout.ElementStride]; return c; }
                var bi = Tensor<T>.FromSpan(Column(bh), [n], Device);
                var x0i = x0h is null ? null : Tensor<T>.FromSpan(Column(x0h), [n], Device);
                var itemOptions = options.Progress is null ? options : options with { Progress = new BatchProgress(options.Progress, i) };
                items[i] = SolveOne(multi ? this : new BatchMemberOperator<T>(this, i), multi ? 0 : i, bi, space, itemOptions, x0i,
                    SolveMethod.CG, precond, autoPrecond, autoMethod: true);
                var xi = items[i].Solution.ToArray();
                for (int e = 0; e < n; e++) xh[i * layout.SystemStride + e * layout.ElementStride] = xi[e];
            }
            x.Storage.CopyFrom(xh);
        }
        return Combine(x.Reshape(multi ? [n, count] : [.. _batchShape, n]), items, SolveMethod.CG, precond);
    }

    /// <summary>One Krylov solve of matrix <paramref name="batchIndex"/> with its preconditioner set up and disposed.</summary>
    private SolveResult<T> SolveOne(ILinearOperator<T> op, int batchIndex, Tensor<T> b, IVectorSpace<T>? space, SolveOptions options,
        Tensor<T>? x0, SolveMethod method, string precond, bool autoPrecond, bool autoMethod)
    {
        if (method == SolveMethod.Amg)
        {
            // Standalone multigrid: the cycles are the solver, no Krylov method and no second preconditioner.
            using var amg = new TorchSla.Solvers.Preconditioners.AmgPreconditioner<T>(IsBatched ? WithValues(GetValues(batchIndex), []) : this);
            var result = amg.Solve(b, options, x0);
            result.Amg = amg.Statistics;
            return result;
        }
        var m = AutoSolverChoice.Setup(this, batchIndex, precond, autoPrecond);
        try
        {
            var r = KrylovDispatch.Run(method, op, b, space, options, x0, m);
            // Auto chose CG from symmetry and a positive diagonal; pᵀAp ≤ 0 shows A is indefinite after all.
            if (autoMethod && method == SolveMethod.CG && r.Reason == ConvergenceReason.IndefiniteMatrix)
                r = KrylovDispatch.Run(SolveMethod.Minres, op, b, space, options, x0, m);
            if (m is TorchSla.Solvers.Preconditioners.AmgPreconditioner<T> amg) r.Amg = amg.Statistics;
            return r;
        }
        finally { (m as IDisposable)?.Dispose(); }
    }

    /// <summary>K right-hand sides [N, K] of an unbatched A, one solve per column (columns moved through the host).</summary>
    private SolveResult<T> SolveColumns(Tensor<T> b, SolveOptions options, Tensor<T>? initialGuess, SolveMethod method, string precond, bool autoPrecond)
    {
        int n = Rows, kCols = b.ShapeSpan[1];
        var bh = b.ToArray();
        var x0h = initialGuess?.ToArray();
        var xh = new T[bh.Length];
        var col = new T[n];
        var space = new SingleDeviceVectorSpace<T>(n, Device);
        var bj = space.Create();
        var x0 = x0h is null ? null : space.Create();
        var items = new List<SolveResult<T>>(kCols);
        for (int j = 0; j < kCols; j++)
        {
            for (int i = 0; i < n; i++) col[i] = bh[i * kCols + j];
            bj.Storage.CopyFrom(col);
            if (x0 is not null)
            {
                for (int i = 0; i < n; i++) col[i] = x0h![i * kCols + j];
                x0.Storage.CopyFrom(col);
            }
            var itemOptions = options.Progress is null ? options : options with { Progress = new BatchProgress(options.Progress, j) };
            var r = SolveOne(this, 0, bj, space, itemOptions, x0, method, precond, autoPrecond, options.Method == SolveMethod.Auto);
            items.Add(r);
            r.Solution.Storage.CopyTo(col);
            for (int i = 0; i < n; i++) xh[i * kCols + j] = col[i];
            if (r.Reason == ConvergenceReason.Cancelled) break;
        }
        var x = Tensor<T>.FromSpan(xh, [n, kCols], Device);
        return Combine(x, [.. items], method, precond);
    }

    private static SolveResult<T> Combine(Tensor<T> x, SolveResult<T>[] items, SolveMethod method, string precond)
    {
        if (items.Length == 0)
            return new SolveResult<T>(x, 0, [], ConvergenceReason.ZeroRightHandSide, method, precond, 0, 0, items);
        var worst = items.FirstOrDefault(r => !r.Converged) ?? items[0];
        return new SolveResult<T>(x, items.Max(r => r.Iterations), [], worst.Reason, worst.MethodUsed, worst.Preconditioner,
            items.Max(r => r.FinalResidualNorm), items.Max(r => r.FinalRelativeResidual), items);
    }

    /// <summary>
    /// x = A⁻¹b with default options (see <see cref="Solve(Tensor{T}, SolveOptions?, Tensor{T}?)"/>).
    /// </summary>
    /// <exception cref="NotConvergedException">The solve did not meet rtol 1e-8 (float32: 1e-4) within 10·n iterations.</exception>
    public Tensor<T> Solve(Tensor<T> b) => Solve(b, SolveOptions.Default).EnsureConverged();

    /// <summary>The method <paramref name="requested"/> resolves to for this matrix (see <see cref="AutoSolverChoice"/>).</summary>
    public SolveMethod ResolveMethod(SolveMethod requested) =>
        AutoSolverChoice.Choose(this, new SolveOptions { Method = requested }).Method;

    /// <summary>Throws <see cref="NonFiniteValueException"/> naming the first stored NaN/∞ (one device reduction when all are finite).</summary>
    private void RejectNonFiniteValues()
    {
        if (Values.Length == 0 || T.IsFinite(Backend.Reduce(ReduceOp.MaxAbs, Values, 0, Values.Length))) return;
        var v = Values.ToArray();
        for (int k = 0; k < v.Length; k++)
        {
            if (T.IsFinite(v[k])) continue;
            int batch = k / Nnz, slot = k % Nnz;
            int row = Array.FindLastIndex(Pattern.RowPtr, p => p <= slot);
            throw new NonFiniteValueException(
                $"A{(IsBatched ? $" (matrix {batch} of the batch)" : "")} has {v[k]} at ({row}, {Pattern.ColInd[slot]}): NaN and infinite values cannot be solved with", k);
        }
    }

    /// <summary>Forwards a batch member's (or right-hand side's) reports with its index.</summary>
    private sealed class BatchProgress(IProgress<IterationReport> inner, int index) : IProgress<IterationReport>
    {
        public void Report(IterationReport value) => inner.Report(value with { BatchIndex = index });
    }
}
