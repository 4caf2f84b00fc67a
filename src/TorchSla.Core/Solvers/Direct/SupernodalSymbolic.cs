using System.Runtime.CompilerServices;
namespace TorchSla.Solvers.Direct;

/// <summary>
/// The symbolic analysis behind the supernodal (multifrontal) factorizations: a fill-reducing
/// ordering composed with a postorder of the elimination tree, the column counts of L, the
/// fundamental supernodes merged by relaxed amalgamation, and each supernode's row structure.
/// <para>Supernodes (Liu, Ng &amp; Peyton, "On finding supernodes for sparse matrix computations",
/// SIAM J. Matrix Anal. Appl. 14(1), 1993): a run of columns j, j+1, … where each is the only
/// child of the next and the counts drop by one, so that they share one row structure and can be
/// stored and factored as one dense trapezoid. Relaxed amalgamation (Ashcraft &amp; Grimes 1989;
/// the rule and thresholds of CHOLMOD's <c>cholmod_super_symbolic</c>) also merges a child into
/// its parent when the explicit zeros this adds are few, trading a little storage for larger
/// dense blocks.</para>
/// <para>All structural work is done on the pattern of A + Aᵀ, so a pattern that is not exactly
/// symmetric still gets a structure that holds every assembled entry, read in place through the
/// permutation (no permuted copy of the pattern is formed). Cost: the ordering plus O(nnz(A)·α(n)) for
/// the elimination tree and the column counts (<see cref="ColumnCounts.GilbertNgPeyton"/>) plus
/// O(Σ rows of supernodes · log) for the sorted structures.</para>
/// </summary>
internal sealed class SupernodalSymbolic
{
    /// <summary>Up to this order, <see cref="CholeskyOrdering.Automatic"/> analyses both AMD and nested dissection.</summary>
    public const int AutomaticBothLimit = 30_000;

    /// <summary>Order of the matrix.</summary>
    public int N { get; private init; }
    /// <summary>perm[k] = row/column of A that is step k (fill-reducing order, then postorder).</summary>
    public int[] Perm { get; private init; } = [];
    /// <summary>Inverse of <see cref="Perm"/>.</summary>
    public int[] Pinv { get; private init; } = [];
    /// <summary>Lower triangle of P·A·Pᵀ by columns: column pointers (entries from A's rows, see <see cref="ASource"/>).</summary>
    public int[] AColPtr { get; private init; } = [];
    /// <summary>Row (in the ordered matrix) of each lower-triangle entry.</summary>
    public int[] ARowInd { get; private init; } = [];
    /// <summary>CSR slot of A each lower-triangle entry comes from: (P·A·Pᵀ)_ij = A.values[slot] for i ≥ j.</summary>
    public int[] ASource { get; private init; } = [];
    /// <summary>Elimination tree of the ordered matrix (postordered: parent[j] &gt; j), −1 for roots.</summary>
    public int[] Parent { get; private init; } = [];
    /// <summary>Number of supernodes.</summary>
    public int SuperCount { get; private init; }
    /// <summary>First column of each supernode; SuperStart[SuperCount] = N.</summary>
    public int[] SuperStart { get; private init; } = [];
    /// <summary>Row structure of supernode s: Rows[RowPtr[s]..RowPtr[s+1]), ascending, starting with its own columns.</summary>
    public int[] RowPtr { get; private init; } = [];
    /// <summary>Rows of all supernodes (see <see cref="RowPtr"/>).</summary>
    public int[] Rows { get; private init; } = [];
    /// <summary>Offset of supernode s's dense block (rows × columns, column-major) in the factor's value array.</summary>
    public long[] ValueOffset { get; private init; } = [];
    /// <summary>Parent supernode, −1 for roots (parent &gt; s).</summary>
    public int[] SuperParent { get; private init; } = [];
    /// <summary>Children of supernode s: Children[ChildPtr[s]..ChildPtr[s+1]).</summary>
    public int[] ChildPtr { get; private init; } = [];
    /// <summary>Children lists (see <see cref="ChildPtr"/>).</summary>
    public int[] Children { get; private init; } = [];
    /// <summary>Floating-point operations of the factorization in the subtree rooted at each supernode.</summary>
    public double[] SubtreeFlops { get; private init; } = [];
    /// <summary>Entries of L as exactly computed by the column counts (no amalgamation zeros).</summary>
    public long NnzLExact { get; private init; }
    /// <summary>Entries of L as stored: the lower trapezoids of the supernodes (amalgamation zeros included).</summary>
    public long NnzLStored { get; private init; }
    /// <summary>Floating-point operations of one numeric Cholesky factorization (Σ over columns of c_j², c_j = nnz of column j).</summary>
    public double Flops { get; private init; }
    /// <summary>The ordering that was used.</summary>
    public CholeskyOrdering Ordering { get; private init; }

    private IndexScratch? _scratch;

    /// <summary>
    /// The analysis' work arrays of n entries, for the first factorization on it to use as its own (then null: a later
    /// factorization allocates, and the analysis holds no work memory while it is kept).
    /// </summary>
    internal IndexScratch? TakeScratch() => Interlocked.Exchange(ref _scratch, null);
    /// <summary>The largest front (rows of a supernode).</summary>
    public int MaxFrontRows { get; private init; }

    /// <summary>
    /// Analyses the pattern (square; treated as symmetric) with a fill-reducing ordering, or with
    /// an explicit permutation when <paramref name="permutation"/> is given. <paramref name="alongside"/>, when given, is
    /// a caller's work that needs only the final permutation and its inverse (<see cref="Perm"/>, <see cref="Pinv"/>): it
    /// runs once, on a large matrix on another core beside the counts, supernodes and row structures (after the lower
    /// triangle of P·A·Pᵀ, in the same task), else before returning (not called when
    /// <see cref="CholeskyOrdering.Automatic"/> compares two orderings; it has returned when this method returns).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static SupernodalSymbolic Analyze(SparsePattern pattern, CholeskyOrdering ordering, int[]? permutation = null, Action<int[], int[]>? alongside = null)
    {
        if (ordering == CholeskyOrdering.Automatic && permutation is null && pattern.Rows <= AutomaticBothLimit)
        {
            var amd = Analyze(pattern, CholeskyOrdering.ApproximateMinimumDegree);
            var nd = Analyze(pattern, CholeskyOrdering.NestedDissection);
            return nd.Flops < amd.Flops ? nd : amd;
        }
        if (pattern.Rows != pattern.Cols)
            throw new ShapeMismatchException($"a symmetric factorization needs a square matrix, got [{pattern.Rows}, {pattern.Cols}]");
        int n = pattern.Rows;
        var sym = pattern.SymmetricPattern();
        var srp = sym.RowPtr; var sci = sym.ColInd;
        // The ordering and the stages after it lend each other their n-entry work arrays (and the first factorization
        // takes what is left).
        var scratch = new IndexScratch(n);
        int[] perm0;
        if (permutation is not null)
        {
            perm0 = CheckPermutation(permutation, n);
        }
        else
        {
            perm0 = ordering switch
            {
                CholeskyOrdering.ReverseCuthillMcKee => ReverseCuthillMcKee.Order(n, srp, sci),
                CholeskyOrdering.ApproximateMinimumDegree => ApproximateMinimumDegree.Order(n, srp, sci),
                CholeskyOrdering.NestedDissection => NestedDissection.Order(n, srp, sci),
                CholeskyOrdering.Automatic => NestedDissection.OrderAutomatic(n, srp, sci, scratch),   // above AutomaticBothLimit
                _ => Identity(n),
            };
        }

        DirectProfile.Mark("analysis: ordering");
        var (perm, pinv, parent) = PostorderedTree(n, srp, sci, perm0, scratch);
        DirectProfile.Mark("analysis: postordered elimination tree");
        // The entries of A in the ordered lower triangle depend on the permutation alone: on a large matrix they are
        // gathered on another core while this one computes the counts, the supernodes and their row structures.
        var triangle = pattern.Nnz >= ConcurrentTriangleMinEntries && Environment.ProcessorCount > 1
            ? Task.Run(() =>
            {
                var t = LowerTriangle(pattern, perm, pinv);
                alongside?.Invoke(perm, pinv);
                return t;
            }) : null;
        var counts = ColumnCounts.GilbertNgPeyton(n, srp, sci, perm, pinv, parent, scratch);
        DirectProfile.Mark("analysis: column counts");

        // Fundamental supernodes (Liu–Ng–Peyton): j continues j−1's supernode when j−1 is its only child and counts drop by one.
        var nChild = scratch.RentZeroed();
        for (int j = 0; j < n; j++) if (parent[j] >= 0) nChild[parent[j]]++;
        var fStart = new List<int>();
        for (int j = 0; j < n; j++)
            if (!(j > 0 && parent[j - 1] == j && counts.Counts[j - 1] == counts.Counts[j] + 1 && nChild[j] == 1)) fStart.Add(j);
        int nf = fStart.Count;
        fStart.Add(n);
        var colToF = scratch.Rent();
        for (int s = 0; s < nf; s++) for (int j = fStart[s]; j < fStart[s + 1]; j++) colToF[j] = s;
        // Per fundamental supernode (nf ≤ n): scratch arrays, already mapped (12 MB of fresh memory at 2D 1M otherwise).
        var fParent = scratch.Rent();
        for (int s = 0; s < nf; s++) { int p = parent[fStart[s + 1] - 1]; fParent[s] = p < 0 ? -1 : colToF[p]; }

        // Relaxed amalgamation, children before parents in reverse: merge f into the group that starts at f+1
        // when f+1 is its parent (so the columns stay contiguous and f's rows nest in the group's).
        var nCols = scratch.Rent(); var nRows = scratch.Rent(); var zeros = FactorMemory.Zeroed<long>(nf);
        for (int s = 0; s < nf; s++) { nCols[s] = fStart[s + 1] - fStart[s]; nRows[s] = counts.Counts[fStart[s]]; }
        var absorbed = FactorMemory.Zeroed<bool>(nf);
        for (int s = nf - 2; s >= 0; s--)
        {
            if (fParent[s] != s + 1) continue;
            int g = s + 1;
            long nc = nCols[s] + nCols[g], nr = nCols[s] + nRows[g];
            long total = Dense(nc, nr);
            long z = total - (Dense(nCols[s], nRows[s]) - zeros[s]) - (Dense(nCols[g], nRows[g]) - zeros[g]);
            double frac = (double)z / total;
            bool merge = nc <= 4 || (nc <= 16 && frac < 0.8) || (nc <= 48 && frac < 0.1) || frac < 0.05;
            if (!merge) continue;
            nCols[s] = (int)nc; nRows[s] = (int)nr; zeros[s] = z; absorbed[g] = true;
        }
        var start = new List<int>();
        for (int s = 0; s < nf; s++) if (!absorbed[s]) start.Add(fStart[s]);
        int ns = start.Count;
        start.Add(n);
        var superStart = start.ToArray();
        scratch.Return(nChild, colToF);
        var colToSuper = scratch.Rent();
        for (int s = 0; s < ns; s++) for (int j = superStart[s]; j < superStart[s + 1]; j++) colToSuper[j] = s;
        var superParent = FactorMemory.Zeroed<int>(ns);
        for (int s = 0; s < ns; s++) { int p = parent[superStart[s + 1] - 1]; superParent[s] = p < 0 ? -1 : colToSuper[p]; }
        scratch.Return(colToSuper);
        var childPtr = FactorMemory.Zeroed<int>(ns + 1);
        for (int s = 0; s < ns; s++) if (superParent[s] >= 0) childPtr[superParent[s] + 1]++;
        for (int s = 0; s < ns; s++) childPtr[s + 1] += childPtr[s];
        var children = new int[Math.Max(0, childPtr[ns])];
        var fill = (int[])childPtr.Clone();
        for (int s = 0; s < ns; s++) if (superParent[s] >= 0) children[fill[superParent[s]]++] = s;

        // Row structures: own columns ∪ rows of A below ∪ children's rows below, sorted. Their lengths are known from
        // the counts and the amalgamation (a merged group's rows are its columns plus its parent group's rows), so
        // they are written straight into one array; a length that does not come out as predicted is a bug, not input.
        DirectProfile.Mark("analysis: supernodes, amalgamation, tree");
        var rowPtr = FactorMemory.Zeroed<int>(ns + 1);
        for (int s = 0, q = 0; s < nf; s++)
            if (!absorbed[s]) { rowPtr[q + 1] = checked(rowPtr[q] + nRows[s]); q++; }
        scratch.Return(fParent, nCols, nRows);
        var allRows = FactorMemory.Allocate<int>(rowPtr[ns]);
        var structures = new RowStructures(superStart, rowPtr, allRows, childPtr, children, perm, pinv, srp, sci);
        // A supernode's structure reads only its own columns' rows of A and its children's structures, so disjoint
        // subtrees are independent: on a large matrix they are built on two workers (each with its own marks), and the
        // supernodes above them afterwards.
        var mark = scratch.RentFilled(-1);
        var (subtrees, above) = rowPtr[ns] >= ConcurrentRowsMinEntries && Environment.ProcessorCount > 1
            ? TreeCut.Cut(superParent, rowPtr, Environment.ProcessorCount) : ([], []);
        if (subtrees.Count > 1)
        {
            var marks = new int[Environment.ProcessorCount][];
            marks[0] = mark;
            for (int t = 1; t < marks.Length; t++) marks[t] = scratch.RentFilled(-1);
            int taken = -1;
            // One subtree at a time to whichever worker is free, heaviest first (longest-processing-time scheduling).
            Parallel.For(0, marks.Length, new ParallelOptions { MaxDegreeOfParallelism = marks.Length }, t =>
            {
                for (int k; (k = Interlocked.Increment(ref taken)) < subtrees.Count;)
                    for (int s = subtrees[k].First; s <= subtrees[k].Last; s++) structures.Build(s, marks[t]);
            });
            for (int t = 1; t < marks.Length; t++) scratch.Return(marks[t]);
            foreach (int s in above) structures.Build(s, mark);
        }
        else for (int s = 0; s < ns; s++) structures.Build(s, mark);
        scratch.Return(mark);
        long stored = 0; int maxFront = 0;
        var valueOffset = FactorMemory.Allocate<long>(ns + 1);
        valueOffset[0] = 0;
        for (int s = 0; s < ns; s++)
        {
            int len = rowPtr[s + 1] - rowPtr[s];
            long k = superStart[s + 1] - superStart[s];
            stored += Dense(k, len);
            valueOffset[s + 1] = valueOffset[s] + k * len;
            maxFront = Math.Max(maxFront, len);
        }
        if (valueOffset[ns] > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(pattern), $"the factor of this {n}×{n} matrix would have {valueOffset[ns]:N0} stored entries, more than one array holds ({Array.MaxLength:N0})");
        DirectProfile.Mark($"analysis: row structures ({subtrees.Count} subtrees in parallel)");
        // Flops per supernode: column j of a k-column front with r rows has c = r − (j − f) entries; Σ c².
        var subtree = FactorMemory.Zeroed<double>(ns);
        double flops = 0;
        for (int s = 0; s < ns; s++)
        {
            int k = superStart[s + 1] - superStart[s];
            long r = rowPtr[s + 1] - rowPtr[s];
            double fs = 0;
            for (int j = 0; j < k; j++) { double c = r - j; fs += c * c; }
            subtree[s] += fs;
            flops += fs;
            if (superParent[s] >= 0) subtree[superParent[s]] += subtree[s];
        }

        if (triangle is null) alongside?.Invoke(perm, pinv);
        var (aColPtr, aRow, aSrc) = triangle?.GetAwaiter().GetResult() ?? LowerTriangle(pattern, perm, pinv);
        // The first factorization takes two position maps per worker (LU: row and column maps) from what is left; the
        // ordering's and the stages' other arrays go, so that their memory is free for the factorization's allocations.
        scratch.Trim(2 * Environment.ProcessorCount);
        DirectProfile.Mark("analysis: flops, lower triangle of PAPᵀ");
        return new SupernodalSymbolic
        {
            N = n, Perm = perm, Pinv = pinv, AColPtr = aColPtr, ARowInd = aRow, ASource = aSrc, Parent = parent,
            SuperCount = ns, SuperStart = superStart, RowPtr = rowPtr, Rows = allRows, ValueOffset = valueOffset,
            SuperParent = superParent, ChildPtr = childPtr, Children = children, SubtreeFlops = subtree,
            NnzLExact = counts.NnzL, NnzLStored = stored, Flops = flops,
            Ordering = permutation is null ? ordering : CholeskyOrdering.Natural, MaxFrontRows = maxFront,
            _scratch = scratch,
        };
    }

    /// <summary>From this many stored entries, <see cref="LowerTriangle"/> runs on another core beside the column counts and the supernodes.</summary>
    private const int ConcurrentTriangleMinEntries = 200_000;

    /// <summary>From this many rows in all supernodes' structures, independent subtrees build theirs in parallel (settable for tests).</summary>
    internal static int ConcurrentRowsMinEntries { get; set; } = 1 << 20;

    /// <summary>
    /// The row structure of each supernode: its own columns, then the rows below them of A's entries in its columns and
    /// of its children's structures, sorted, written at its place in <c>allRows</c> (whose lengths the column counts and
    /// the amalgamation predicted: a length that does not come out as predicted is a bug, not input).
    /// </summary>
    private sealed class RowStructures(int[] superStart, int[] rowPtr, int[] allRows, int[] childPtr, int[] children, int[] perm, int[] pinv, int[] srp, int[] sci)
    {
        /// <summary>Builds supernode s's structure; <paramref name="mark"/>[i] == s marks the rows already listed (it must not hold s anywhere else on entry).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Build(int s, int[] mark)
        {
            int f = superStart[s], l = superStart[s + 1] - 1;
            int at = rowPtr[s], end = rowPtr[s + 1], w = at;
            var rows = allRows;
            for (int j = f; j <= l; j++) { rows[w++] = j; mark[j] = s; }
            int own = w;
            for (int j = f; j <= l; j++)
            {
                int r = perm[j];
                for (int q = srp[r]; q < srp[r + 1]; q++)
                {
                    int i = pinv[sci[q]];
                    if (i > l && mark[i] != s) { mark[i] = s; if (w == end) throw StructureBug(s); rows[w++] = i; }
                }
            }
            for (int c = childPtr[s]; c < childPtr[s + 1]; c++)
            {
                int ch = children[c];
                for (int q = rowPtr[ch]; q < rowPtr[ch + 1]; q++)
                {
                    int i = rows[q];
                    if (i > l && mark[i] != s) { mark[i] = s; if (w == end) throw StructureBug(s); rows[w++] = i; }
                }
            }
            if (w != end) throw StructureBug(s);
            Array.Sort(rows, own, end - own);
        }
    }

    /// <summary>
    /// The lower triangle of P·A·Pᵀ by columns, read from A's rows (the values are taken from these slots): column j
    /// holds the entries of row perm[j] whose ordered column is ≥ j (for a symmetric matrix, column j of the lower
    /// triangle), as their ordered index and their CSR slot of A.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int[] ColPtr, int[] RowInd, int[] Source) LowerTriangle(SparsePattern pattern, int[] perm, int[] pinv)
    {
        int n = perm.Length;
        var arp = pattern.RowPtr; var aci = pattern.ColInd;
        var aColPtr = FactorMemory.Zeroed<int>(n + 1);
        for (int j = 0; j < n; j++)
        {
            int r = perm[j], c = 0;
            for (int q = arp[r]; q < arp[r + 1]; q++) if (pinv[aci[q]] >= j) c++;
            aColPtr[j + 1] = aColPtr[j] + c;
        }
        var aRow = FactorMemory.Allocate<int>(aColPtr[n]); var aSrc = FactorMemory.Allocate<int>(aColPtr[n]);
        for (int j = 0; j < n; j++)
        {
            int r = perm[j], w = aColPtr[j];
            for (int q = arp[r]; q < arp[r + 1]; q++)
            {
                int i = pinv[aci[q]];
                if (i >= j) { aRow[w] = i; aSrc[w] = q; w++; }
            }
        }
        return (aColPtr, aRow, aSrc);
    }

    /// <summary>
    /// The elimination tree of P₀·S·P₀ᵀ (S symmetric, CSR) relabelled by its postorder, so that every subtree (and so every
    /// supernode) is a contiguous range of columns: the composed permutation, its inverse and the relabelled parents.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (int[] Perm, int[] Pinv, int[] Parent) PostorderedTree(int n, int[] rowPtr, int[] colInd, int[] perm0, IndexScratch? scratch = null)
    {
        scratch ??= new IndexScratch(n);
        var inverse0 = Inverse(perm0, scratch);
        var parent0 = EliminationTree.Compute(n, rowPtr, colInd, perm0, inverse0, scratch);
        scratch.Return(inverse0);
        var post = TreePostorder.Compute(parent0, scratch);
        var perm = scratch.Rent();
        for (int k = 0; k < n; k++) perm[k] = perm0[post[k]];
        var postInv = Inverse(post, scratch);
        var parent = scratch.Rent();
        for (int k = 0; k < n; k++) { int p = parent0[post[k]]; parent[k] = p < 0 ? -1 : postInv[p]; }
        scratch.Return(parent0, post, postInv);
        return (perm, Inverse(perm, scratch), parent);
    }

    private static InvalidOperationException StructureBug(int s) =>
        new($"supernode {s}: the row structure does not have the length the column counts predict (analysis bug)");

    /// <summary>Entries of a lower trapezoid with k columns and r rows (the first k rows being the triangle).</summary>
    private static long Dense(long k, long r) => k * r - k * (k - 1) / 2;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int[] Identity(int n)
    {
        var p = FactorMemory.Zeroed<int>(n);
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int[] Inverse(int[] p, IndexScratch scratch)
    {
        var q = scratch.Rent();
        for (int k = 0; k < p.Length; k++) q[p[k]] = k;
        return q;
    }

    private static int[] CheckPermutation(int[] p, int n)
    {
        if (p.Length != n) throw new ArgumentException($"the permutation has {p.Length} entries, the matrix is {n}×{n}", nameof(p));
        var seen = FactorMemory.Zeroed<bool>(n);
        for (int k = 0; k < n; k++)
        {
            int v = p[k];
            if ((uint)v >= (uint)n) throw new ArgumentException($"permutation entry {k} is {v}, outside [0, {n})", nameof(p));
            if (seen[v]) throw new ArgumentException($"permutation entry {k} repeats {v}", nameof(p));
            seen[v] = true;
        }
        return (int[])p.Clone();
    }
}
