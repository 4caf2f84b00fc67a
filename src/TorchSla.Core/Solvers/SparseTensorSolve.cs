using System.Numerics;
using TorchSla.Kernels;
using TorchSla.Solvers;
using TorchSla.Solvers.Krylov;

namespace TorchSla;

public sealed partial class SparseTensor<T>
{
    /// <summary>
    /// Solves A·x = b and reports how it went. With <see cref="SolveMethod.Auto"/> a square
    /// symmetric A is solved by conjugate gradients; nonsymmetric matrices have no method in
    /// this build yet. A batched A <c>[B..., N, N]</c> is solved one CG per matrix, with b of
    /// shape <c>[N]</c> (the same b for all) or <c>[B..., N]</c>.
    /// The stopping test is <c>‖b − Ax‖₂ ≤ max(rtol·‖b‖₂, atol)</c> on the true residual.
    /// </summary>
    /// <param name="b">Right-hand side on A's device: <c>[N]</c>, or <c>[B..., N]</c> for a batch.</param>
    /// <param name="options">Method, tolerances, limits, progress, cancellation (default <see cref="SolveOptions.Default"/>).</param>
    /// <returns>The result, also when the solve did not converge (see <see cref="SolveResult{T}.EnsureConverged"/>).</returns>
    /// <exception cref="ShapeMismatchException">A is not square or b does not fit it.</exception>
    /// <exception cref="NonFiniteValueException">A or b holds NaN or ±∞ (the entry is named).</exception>
    /// <exception cref="NotSupportedException">Method auto and A is not symmetric (BiCGStab/GMRES arrive with the solver issue).</exception>
    /// <exception cref="ArgumentException">An option is out of range or b lives on another device.</exception>
    public SolveResult<T> Solve(Tensor<T> b, SolveOptions? options)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (Tracked || b.Tracked) return SolveRecorded(b, options);
        options ??= SolveOptions.Default;
        options.Validate();
        if (!IsSquare)
            throw new ShapeMismatchException($"solve needs a square matrix; A has shape {Shapes.Str(Shape)}");
        if (b.Device != Device)
            throw new ArgumentException($"solve: A lives on {Device}, b on {b.Device}", nameof(b));
        var bs = b.ShapeSpan;
        bool broadcast = bs.Length == 1 && bs[0] == Rows;
        bool perMatrix = IsBatched && bs.Length == _batchShape.Length + 1 && bs[..^1].SequenceEqual(_batchShape) && bs[^1] == Rows;
        if (!broadcast && !perMatrix)
            throw new ShapeMismatchException(
                $"solve: A has shape {Shapes.Str(Shape)}, b has shape {Shapes.Str(bs)}; b must be [{Rows}]" +
                (IsBatched ? $" or [{string.Join(", ", _batchShape)}, {Rows}]" : ""), nameof(b));
        RejectNonFiniteValues();
        var method = ResolveMethod(options.Method);

        if (!IsBatched)
            return Cg.Solve(this, b, null, options);

        var space = new SingleDeviceVectorSpace<T>(Rows, Device);
        var items = new SolveResult<T>[BatchSize];
        var x = Tensor<T>.Zeros([.. _batchShape, Rows], Device);
        var bi = broadcast ? b : space.Create();
        for (int i = 0; i < BatchSize; i++)
        {
            if (!broadcast) Backend.Copy(b.Storage, i * Rows, bi.Storage, 0, Rows);
            var itemOptions = options.Progress is null ? options
                : options with { Progress = new BatchProgress(options.Progress, i) };
            items[i] = Cg.Solve(new BatchMemberOperator<T>(this, i), bi, space, itemOptions);
            Backend.Copy(items[i].Solution.Storage, 0, x.Storage, i * Rows, Rows);
            if (items[i].Reason == ConvergenceReason.Cancelled) { Array.Resize(ref items, i + 1); break; }
        }
        var worst = items.FirstOrDefault(r => !r.Converged) ?? items[0];
        return new SolveResult<T>(x, items.Max(r => r.Iterations), [], worst.Reason, method, "none",
            items.Max(r => r.FinalResidualNorm), items.Max(r => r.FinalRelativeResidual), items);
    }

    /// <summary>
    /// x = A⁻¹b with default options (see <see cref="Solve(Tensor{T}, SolveOptions?)"/>).
    /// </summary>
    /// <exception cref="NotConvergedException">The solve did not meet rtol 1e-8 within 10·n iterations.</exception>
    public Tensor<T> Solve(Tensor<T> b) => Solve(b, SolveOptions.Default).EnsureConverged();

    /// <summary>The method <paramref name="requested"/> resolves to for this matrix (symmetry by <see cref="IsSymmetric"/>).</summary>
    /// <exception cref="NotSupportedException">Auto was asked for and A is not symmetric.</exception>
    public SolveMethod ResolveMethod(SolveMethod requested)
    {
        if (requested != SolveMethod.Auto) return requested;
        for (int i = 0; i < BatchSize; i++)
            if (!IsSymmetric(DefaultSymmetryTolerance, i))
                throw new NotSupportedException(
                    $"no method for nonsymmetric matrices yet (BiCGStab/GMRES arrive with the solver issue)" +
                    (IsBatched ? $": matrix {i} of the batch is not symmetric" : ""));
        return SolveMethod.CG;
    }

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

    /// <summary>Forwards a batch member's reports with its index.</summary>
    private sealed class BatchProgress(IProgress<IterationReport> inner, int index) : IProgress<IterationReport>
    {
        public void Report(IterationReport value) => inner.Report(value with { BatchIndex = index });
    }
}
