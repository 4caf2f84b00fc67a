namespace TorchSla.Solvers.Direct;

/// <summary>
/// The symbolic analysis of a sparse Cholesky factorization P·A·Pᵀ = L·Lᵀ for one pattern:
/// the fill-reducing permutation, the upper triangle of P·A·Pᵀ column by column (with the slot
/// of A each entry comes from), the elimination tree and the column counts of L. It depends on
/// the pattern only, so one analysis serves every value set (a batch, a Newton sequence).
/// </summary>
public sealed class CholeskySymbolic
{
    private CholeskySymbolic(int n, int[] perm, int[] pinv, int[] cColPtr, int[] cRowInd, int[] cSource, int[] parent, int[] lColPtr, long nnzL, CholeskyOrdering ordering)
    {
        N = n; Perm = perm; Pinv = pinv; CColPtr = cColPtr; CRowInd = cRowInd; CSource = cSource;
        Parent = parent; LColPtr = lColPtr; NnzL = nnzL; Ordering = ordering;
    }

    /// <summary>Order of the matrix.</summary>
    public int N { get; }

    /// <summary>Stored entries of L (diagonal included).</summary>
    public long NnzL { get; }

    /// <summary>The ordering that produced <see cref="Permutation"/>.</summary>
    public CholeskyOrdering Ordering { get; }

    /// <summary>The permutation p with (P·A·Pᵀ)_ij = a_{p[i], p[j]} (a copy).</summary>
    public int[] Permutation => (int[])Perm.Clone();

    /// <summary>The elimination tree of P·A·Pᵀ: parent of each column, −1 for roots (a copy).</summary>
    public int[] EliminationTreeParents => (int[])Parent.Clone();

    /// <summary>Entries of each column of L, diagonal included (a copy).</summary>
    public int[] ColumnCounts
    {
        get
        {
            var c = new int[N];
            for (int j = 0; j < N; j++) c[j] = LColPtr[j + 1] - LColPtr[j];
            return c;
        }
    }

    internal int[] Perm { get; }
    internal int[] Pinv { get; }
    internal int[] CColPtr { get; }
    internal int[] CRowInd { get; }
    internal int[] CSource { get; }
    internal int[] Parent { get; }
    internal int[] LColPtr { get; }

    /// <summary>
    /// Analyses the pattern of a square matrix that is treated as symmetric: row p[k] of A
    /// stands for column k of P·A·Pᵀ, and only its entries on or above the diagonal are used.
    /// </summary>
    /// <param name="pattern">The CSR pattern (square).</param>
    /// <param name="ordering">The fill-reducing ordering.</param>
    /// <param name="maxNnzL">Give up (return null) once nnz(L) is known to exceed this.</param>
    /// <returns>The analysis, or null when L would have more than <paramref name="maxNnzL"/> entries.</returns>
    internal static CholeskySymbolic? Analyze(SparsePattern pattern, CholeskyOrdering ordering, long maxNnzL)
    {
        if (pattern.Rows != pattern.Cols)
            throw new ShapeMismatchException($"Cholesky needs a square matrix, got [{pattern.Rows}, {pattern.Cols}]");
        int n = pattern.Rows;
        var rp = pattern.RowPtr; var ci = pattern.ColInd;
        int[] perm;
        if (ordering != CholeskyOrdering.Natural)
        {
            // Order the graph of A + Aᵀ so that a structurally unsymmetric pattern is handled too.
            var sym = pattern.SymmetricPattern();
            perm = ordering switch
            {
                CholeskyOrdering.ReverseCuthillMcKee => ReverseCuthillMcKee.Order(n, sym.RowPtr, sym.ColInd),
                CholeskyOrdering.NestedDissection => NestedDissection.Order(n, sym.RowPtr, sym.ColInd),
                _ => ApproximateMinimumDegree.Order(n, sym.RowPtr, sym.ColInd),
            };
        }
        else
        {
            perm = new int[n];
            for (int i = 0; i < n; i++) perm[i] = i;
        }
        var pinv = new int[n];
        for (int k = 0; k < n; k++) pinv[perm[k]] = k;

        // Upper triangle of C = P·A·Pᵀ by columns: column k from row p[k] of A (symmetry).
        var cColPtr = new int[n + 1];
        for (int k = 0; k < n; k++)
        {
            int c = 0;
            for (int s = rp[perm[k]]; s < rp[perm[k] + 1]; s++) if (pinv[ci[s]] <= k) c++;
            cColPtr[k + 1] = cColPtr[k] + c;
        }
        var cRowInd = new int[cColPtr[n]];
        var cSource = new int[cColPtr[n]];
        for (int k = 0; k < n; k++)
        {
            int q = cColPtr[k];
            for (int s = rp[perm[k]]; s < rp[perm[k] + 1]; s++)
            {
                int i = pinv[ci[s]];
                if (i <= k) { cRowInd[q] = i; cSource[q] = s; q++; }
            }
        }
        var parent = EliminationTree.Compute(n, cColPtr, cRowInd);
        var counts = Direct.ColumnCounts.Compute(n, cColPtr, cRowInd, parent, maxNnzL);
        if (counts is null) return null;
        var lColPtr = new int[n + 1];
        for (int j = 0; j < n; j++)
        {
            long next = (long)lColPtr[j] + counts.Value.Counts[j];
            if (next > Array.MaxLength)
                throw new ArgumentOutOfRangeException(nameof(pattern), $"the Cholesky factor of this {n}×{n} matrix has more than {Array.MaxLength:N0} entries");
            lColPtr[j + 1] = (int)next;
        }
        return new CholeskySymbolic(n, perm, pinv, cColPtr, cRowInd, cSource, parent, lColPtr, counts.Value.NnzL, ordering);
    }
}
