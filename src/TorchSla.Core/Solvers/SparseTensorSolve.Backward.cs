using TorchSla.Autodiff;
using TorchSla.Solvers;

namespace TorchSla;

/// <summary>
/// The adjoint (implicit) backward rule of x = A⁻¹b: one node per solve, whatever the number of
/// iterations behind it. With λ = A⁻ᵀ·ḡ_x (one solve with the transpose):
/// ḡ_b = λ (summed over the batch when one b served every matrix) and
/// ḡ_A[s] = −Σ_c λ[row s, c]·x[col s, c] on the stored slots only (Giles, "Collected matrix
/// derivative results for forward and reverse mode algorithmic differentiation", 2008, §3.4:
/// Ā = −A⁻ᵀ X̄ Xᵀ, here sampled on the pattern). The transpose solve is supplied by the forward
/// solver: a factorization solves with its factors transposed, an iterative method solves with Aᵀ by
/// the same method (with A itself for methods that assume symmetry, such as CG).
/// </summary>
public sealed partial class SparseTensor<T>
{
    /// <summary>
    /// x = A⁻¹b through a caller-supplied solver and its transpose, recorded on the tape: use it to
    /// differentiate through a factorization (e.g. <c>A.Solve(b, f.Solve, f.SolveTranspose)</c>) or any
    /// other solver. Shapes are those the delegates accept: b <c>[N]</c>, <c>[N, K]</c>, or with A's batch
    /// dimensions in front; x has the shape <paramref name="solve"/> returns.
    /// </summary>
    /// <param name="b">Right-hand side(s).</param>
    /// <param name="solve">b ↦ A⁻¹b (run without recording).</param>
    /// <param name="solveTranspose">r ↦ A⁻ᵀr for an r shaped like x, used by the backward pass.</param>
    /// <exception cref="ShapeMismatchException">x does not hold N·K values per matrix of A's batch (or one set for all).</exception>
    public Tensor<T> Solve(Tensor<T> b, Func<Tensor<T>, Tensor<T>> solve, Func<Tensor<T>, Tensor<T>> solveTranspose)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(solve);
        ArgumentNullException.ThrowIfNull(solveTranspose);
        Tensor<T> x;
        using (GradMode.NoGrad()) x = solve(b);
        return RecordSolve(b, x, solveTranspose, "solve");
    }

    /// <summary>
    /// The forward solve without recording, then the adjoint node on its solution. A direct method's
    /// factorization is kept by the node (until the graph is freed) so that the backward pass is one
    /// transpose solve with the same factors, not a second factorization.
    /// </summary>
    private SolveResult<T> SolveRecorded(Tensor<T> b, SolveOptions? options, Tensor<T>? initialGuess)
    {
        SolveResult<T> result;
        Solvers.Direct.SparseFactorization<T>? factorization = null;
        using (GradMode.NoGrad()) result = SolveUnrecorded(b, options, initialGuess?.Detach(), f => factorization = f);
        var method = result.MethodUsed;
        var adjointOptions = (options ?? SolveOptions.Default) with { Method = method, Progress = null };
        Func<Tensor<T>, Tensor<T>> transpose = factorization is { } f
            ? r => f.SolveTranspose(r)
            : r => SolveTransposeIterative(r, adjointOptions);
        RecordSolve(b, result.Solution, transpose, method.Name());
        return result;
    }

    /// <summary>
    /// A⁻ᵀr by the forward (iterative) method: CG and MINRES assume a symmetric A, so Aᵀ = A and the
    /// same matrix (and its cached analyses) serves; a method for unsymmetric matrices (BiCGStab, GMRES,
    /// FGMRES) solves with Aᵀ.
    /// </summary>
    /// <exception cref="NotConvergedException">The transpose solve did not converge.</exception>
    private Tensor<T> SolveTransposeIterative(Tensor<T> r, SolveOptions options)
    {
        var at = AssumesSymmetry(options.Method) ? this : Transpose();
        return at.Solve(r, options).EnsureConverged();
    }

    private static bool AssumesSymmetry(SolveMethod method) =>
        method is SolveMethod.CG or SolveMethod.Minres;

    internal Tensor<T> RecordSolve(Tensor<T> b, Tensor<T> x, Func<Tensor<T>, Tensor<T>> solveTranspose, string op)
    {
        if (!Tracked && !b.Tracked) return x;
        int n = Rows, nbd = _batchShape.Length;
        bool bBatched = IsBatched && b.Rank > nbd && b.ShapeSpan[..nbd].SequenceEqual(_batchShape);
        int perSet = bBatched ? b.Length / BatchSize : b.Length;
        if (n == 0 || perSet % n != 0 || x.Length != (IsBatched ? BatchSize : 1) * perSet)
            throw new ShapeMismatchException($"{op}: b has shape {Shapes.Str(b.ShapeSpan)} and the solution {Shapes.Str(x.ShapeSpan)}, which do not fit A of shape {Shapes.Str(Shape)}");
        int k = perSet / n;
        GradNode<Tensor<T>>? na = _node, nb = b.Node;
        var sx = x.Save();
        var bShape = b.Shape;
        int bLength = b.Length, xLength = x.Length; // the closure keeps lengths, not b itself
        return x.Record(op, Tensor<T>.Present(na, nb), g =>
        {
            var lambda = solveTranspose(g);
            if (lambda.Length != xLength)
                throw new ShapeMismatchException($"backward of '{op}': the transpose solve returned {lambda.Length} values for a solution of {xLength}");
            var xv = sx.Get(op);
            if (nb is not null)
            {
                if (lambda.Length == bLength) nb.Accumulate(lambda.ShapeSpan.SequenceEqual(bShape) ? lambda : lambda.Reshape(bShape));
                else
                {
                    // One b served every matrix: its gradient is the sum of the λ of all of them.
                    var gb = Tensor<T>.Zeros(bShape, Device);
                    for (int i = 0; i < BatchSize; i++) Backend.Axpby(T.One, lambda.Storage, i * bLength, T.One, gb.Storage, 0, bLength);
                    nb.Accumulate(gb);
                }
            }
            if (na is not null)
            {
                var ga = Tensor<T>.Zeros(ValuesShape, Device);
                for (int i = 0; i < BatchSize; i++)
                {
                    int off = i * n * k;
                    Backend.Sddmm(Indices, lambda.Storage, off, xv.Storage, off, k, ga.Storage, i * Nnz, -T.One, accumulate: false);
                }
                na.Accumulate(ga);
            }
        });
    }
}
