using System.Buffers;

namespace TorchSla.Solvers.Direct;

/// <summary>
/// Multifrontal LU with threshold partial pivoting inside fronts and delayed pivots, on the assembly
/// tree of the symmetric pattern A + Aᵀ (Duff &amp; Reid, "The multifrontal solution of unsymmetric sets
/// of linear equations", SIAM J. Sci. Stat. Comput. 5(3), 1984; Amestoy, Duff, L'Excellent &amp; Koster,
/// MUMPS, SIAM J. Matrix Anal. Appl. 23(1), 2001). The analysis is the supernodal one of the Cholesky
/// factorization (<see cref="SupernodalSymbolic"/>) applied to A + Aᵀ: each front is square, its rows
/// and columns are the supernode's structure, and on a structurally symmetric matrix the fronts hold
/// no more zeros than Cholesky's.
/// <para>A front's first nfs rows and columns are fully summed: the variables delayed by its children,
/// then its own columns. For each fully-summed column c (left to right) the pivot row is chosen among
/// the fully-summed rows: the diagonal (the row of the same variable) when |a| ≥ u·max_i|a_ic| over
/// the <i>whole</i> column, else the largest fully-summed entry when it passes the same test
/// (u = the pivot threshold, so |l_ij| ≤ 1/u). A column with no such row is delayed: its row and
/// column go, updated, to the parent front as fully-summed ones. At a root every row is fully summed,
/// so a column fails only when it is zero (singular matrix).</para>
/// <para>Work: blocked right-looking LU over the fully-summed columns (see <see cref="EliminateFullySummed"/>):
/// almost all flops are in the packed GEMM of <see cref="DenseFrontKernels"/>; independent
/// subtrees run in parallel (<see cref="MultifrontalFactor.Traverse(SupernodalSymbolic, Action{int, bool})"/>). The factors stay in front
/// blocks (<see cref="MultifrontalLuFactors"/>).</para>
/// </summary>
internal static class MultifrontalLu
{
    /// <summary>The supernodal analysis of A + Aᵀ and the strictly lower entries of P·A·Pᵀ by columns.</summary>
    internal sealed class Plan
    {
        /// <summary>The analysis (its AColPtr/ARowInd/ASource give row j of P·A·Pᵀ from column j on).</summary>
        public required SupernodalSymbolic Symbolic { get; init; }
        /// <summary>Column pointers of the strictly lower part of P·A·Pᵀ.</summary>
        public required int[] LowerPtr { get; init; }
        /// <summary>Row (ordered numbering) of each strictly lower entry.</summary>
        public required int[] LowerRow { get; init; }
        /// <summary>CSR slot of A of each strictly lower entry.</summary>
        public required int[] LowerSource { get; init; }

        /// <summary>Analyses a square pattern with the given fill-reducing ordering of A + Aᵀ.</summary>
        public static Plan Analyze(SparsePattern pattern, CholeskyOrdering ordering)
        {
            var s = SupernodalSymbolic.Analyze(pattern, ordering);
            int n = s.N;
            var (t, map) = pattern.Transpose();
            var perm = s.Perm; var pinv = s.Pinv;
            // Column perm[j] of A is row perm[j] of Aᵀ: its entries with ordered row i > j.
            var ptr = new int[n + 1];
            for (int j = 0; j < n; j++)
            {
                int c = perm[j], cnt = 0;
                for (int q = t.RowPtr[c]; q < t.RowPtr[c + 1]; q++) if (pinv[t.ColInd[q]] > j) cnt++;
                ptr[j + 1] = ptr[j] + cnt;
            }
            var row = new int[ptr[n]]; var src = new int[ptr[n]];
            for (int j = 0; j < n; j++)
            {
                int c = perm[j], w = ptr[j];
                for (int q = t.RowPtr[c]; q < t.RowPtr[c + 1]; q++)
                {
                    int i = pinv[t.ColInd[q]];
                    if (i > j) { row[w] = i; src[w] = map[q]; w++; }
                }
            }
            return new Plan { Symbolic = s, LowerPtr = ptr, LowerRow = row, LowerSource = src };
        }
    }

    /// <summary>
    /// Factors the value set <paramref name="values"/> (CSR slot order of the analysed pattern) with pivot threshold
    /// <paramref name="u"/> ∈ (0, 1].
    /// </summary>
    /// <exception cref="SingularMatrixException">A column is zero in its updated front.</exception>
    public static MultifrontalLuFactors Factor(Plan plan, ReadOnlySpan<double> values, double u)
    {
        var s = plan.Symbolic;
        int ns = s.SuperCount, n = s.N;
        var rowIndex = new int[ns][]; var colIndex = new int[ns][];
        var pivots = new int[ns];
        // L and U of fronts without delayed pivots go to two arrays sized by the analysis (as the Cholesky factor
        // does; thousands of separate large arrays cost more in garbage collection than the copies themselves).
        var lBlocks = new double[ns][]; var uBlocks = new double[ns][];
        var offsets = new long[ns + 1];
        for (int sn = 0; sn < ns; sn++) offsets[sn + 1] = offsets[sn] + (long)(s.RowPtr[sn + 1] - s.RowPtr[sn]) * (s.SuperStart[sn + 1] - s.SuperStart[sn]);
        if (offsets[ns] > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(plan), $"the LU factors of this {n}×{n} matrix would have {offsets[ns]:N0} entries each, more than one array holds");
        var lAll = GC.AllocateUninitializedArray<double>((int)offsets[ns]);
        var uAll = GC.AllocateUninitializedArray<double>((int)offsets[ns]);
        var blockOffset = new long[ns];
        var contribution = new double[]?[ns];
        var delayedOut = new int[ns];
        var vals = values.ToArray();
        double flops = 0;
        using var rowMaps = new ThreadLocal<int[]>(() => new int[n]);
        using var colMaps = new ThreadLocal<int[]>(() => new int[n]);

        void Node(int sn, bool parallel)
        {
            int f = s.SuperStart[sn], k = s.SuperStart[sn + 1] - f;
            int r0 = s.RowPtr[sn], r = s.RowPtr[sn + 1] - r0;
            int nd = 0;
            for (int c = s.ChildPtr[sn]; c < s.ChildPtr[sn + 1]; c++) nd += delayedOut[s.Children[c]];
            int m = nd + r, nfs = nd + k;
            var ri = new int[m]; var ci = new int[m];
            int w = 0;
            for (int c = s.ChildPtr[sn]; c < s.ChildPtr[sn + 1]; c++)
            {
                int ch = s.Children[c];
                for (int t = 0; t < delayedOut[ch]; t++) { ri[w] = rowIndex[ch][pivots[ch] + t]; ci[w] = colIndex[ch][pivots[ch] + t]; w++; }
            }
            Array.Copy(s.Rows, r0, ri, nd, r);
            Array.Copy(s.Rows, r0, ci, nd, r);
            var rmap = rowMaps.Value!; var cmap = colMaps.Value!;
            for (int i = 0; i < m; i++) { rmap[ri[i]] = i; cmap[ci[i]] = i; }
            var front = ArrayPool<double>.Shared.Rent(checked(m * m));
            Array.Clear(front, 0, m * m);
            for (int j = f; j < f + k; j++)
            {
                // Row j from column j on, and column j below the diagonal, of P·A·Pᵀ.
                int rj = rmap[j], cj = cmap[j] * m;
                for (int q = s.AColPtr[j]; q < s.AColPtr[j + 1]; q++) front[rj + cmap[s.ARowInd[q]] * m] += vals[s.ASource[q]];
                for (int q = plan.LowerPtr[j]; q < plan.LowerPtr[j + 1]; q++) front[rmap[plan.LowerRow[q]] + cj] += vals[plan.LowerSource[q]];
            }
            for (int c = s.ChildPtr[sn]; c < s.ChildPtr[sn + 1]; c++)
            {
                int ch = s.Children[c];
                var cu = contribution[ch];
                if (cu is null) continue;
                int p0 = pivots[ch], mc = rowIndex[ch].Length - p0;
                var cri = rowIndex[ch]; var cci = colIndex[ch];
                for (int jj = 0; jj < mc; jj++)
                {
                    int dst = cmap[cci[p0 + jj]] * m, src = jj * mc;
                    for (int ii = 0; ii < mc; ii++) front[rmap[cri[p0 + ii]] + dst] += cu[ii + src];
                }
                ArrayPool<double>.Shared.Return(cu);
                contribution[ch] = null;
            }

            int npiv;
            try { npiv = EliminateFullySummed(front, m, nfs, ri, ci, s.Perm, u, parallel); }
            catch { ArrayPool<double>.Shared.Return(front); throw; }
            bool planned = nd == 0 && npiv == k;
            var lb = planned ? lAll : GC.AllocateUninitializedArray<double>(m * npiv);
            var ub = planned ? uAll : GC.AllocateUninitializedArray<double>(m * npiv);
            long off = planned ? offsets[sn] : 0;
            Array.Copy(front, 0, lb, off, (long)m * npiv);
            // U's rows [0, npiv) by columns: one contiguous copy per column.
            for (int c = 0; c < m; c++) Array.Copy(front, c * m, ub, off + (long)c * npiv, npiv);
            lBlocks[sn] = lb; uBlocks[sn] = ub; blockOffset[sn] = off; rowIndex[sn] = ri; colIndex[sn] = ci; pivots[sn] = npiv; delayedOut[sn] = nfs - npiv;
            double fl = 0;
            for (int p = 0; p < npiv; p++) { double t = m - p - 1; fl += t + 2 * t * t; }
            lock (pivots) flops += fl;
            int mcOut = m - npiv;
            if (mcOut > 0 && s.SuperParent[sn] >= 0)
            {
                var cu = ArrayPool<double>.Shared.Rent(mcOut * mcOut);
                for (int j = 0; j < mcOut; j++) Array.Copy(front, npiv + (npiv + j) * m, cu, j * mcOut, mcOut);
                contribution[sn] = cu;
            }
            ArrayPool<double>.Shared.Return(front);
        }

        MultifrontalFactor.Traverse(s, Node, contribution);
        return new MultifrontalLuFactors(s, rowIndex, colIndex, pivots, lBlocks, uBlocks, blockOffset, flops);
    }

    /// <summary>Columns of a panel: pivots are searched and applied column by column inside it, then the rest of the front is updated by one blocked product.</summary>
    private const int PanelWidth = 64;

    /// <summary>
    /// Eliminates what it can of the nfs fully-summed columns of the m×m front (column-major) by blocked right-looking
    /// LU (Golub &amp; Van Loan §3.4.9 with the pivot search restricted as above): panels of <see cref="PanelWidth"/>
    /// columns are factored one pivot at a time (row and column interchanges applied to the whole front and to the
    /// index lists), then U12 = L11⁻¹·A12 and A22 −= L21·U12 update every column right of the panel. Columns of a
    /// panel with no acceptable pivot are parked at the end of the fully-summed range (they keep receiving the
    /// updates) and retried once the other columns are done, as long as the retry finds pivots. Returns npiv: columns
    /// [0, npiv) hold L (unit, below the diagonal), rows [0, npiv) U, and the rest of the front its Schur complement;
    /// the fully-summed rows and columns in [npiv, nfs) are the delayed ones.
    /// </summary>
    private static int EliminateFullySummed(double[] f, int m, int nfs, int[] ri, int[] ci, int[] perm, double u, bool parallel)
    {
        int done = 0, parked = 0, doneAtUnpark = -1;
        while (true)
        {
            int limit = nfs - parked;
            if (done >= limit)
            {
                // Retry the parked columns while the previous pass over them found pivots.
                if (parked == 0 || done == doneAtUnpark) break;
                doneAtUnpark = done; parked = 0;
                continue;
            }
            int p0 = done, pend = Math.Min(limit, done + PanelWidth);
            while (done < pend)
            {
                int pc = -1, pr = -1;
                for (int c = done; c < pend && pc < 0; c++) (pc, pr) = ThresholdPivot(f, m, nfs, done, c, ri, ci, perm, u);
                if (pc < 0) break;
                if (pr != done)
                {
                    (ri[pr], ri[done]) = (ri[done], ri[pr]);
                    for (int j = 0; j < m; j++) { int cj = j * m; (f[pr + cj], f[done + cj]) = (f[done + cj], f[pr + cj]); }
                }
                if (pc != done) SwapColumns(f, m, ci, pc, done);
                int dd = done * m;
                double inv = 1 / f[done + dd];
                for (int i = done + 1; i < m; i++) f[i + dd] *= inv;
                var l = new ReadOnlySpan<double>(f, dd + done + 1, m - done - 1);
                for (int c = done + 1; c < pend; c++)
                {
                    double uc = f[done + c * m];
                    if (uc != 0) DenseFrontKernels.Axpy(-uc, l, new Span<double>(f, c * m + done + 1, m - done - 1));
                }
                done++;
            }
            int np = done - p0;
            if (np > 0 && pend < m) UpdateRight(f, m, p0, np, pend, parallel);
            // Park the panel's failed columns [done, pend) at the end of the untried range (they are up to date).
            int failed = pend - done;
            for (int t = failed - 1; t >= 0; t--)
            {
                int src = done + t, dst = limit - failed + t;
                if (src != dst) SwapColumns(f, m, ci, src, dst);
            }
            parked += failed;
        }
        return done;
    }

    /// <summary>
    /// The pivot for column c: its diagonal row (the row of the same variable) if it passes |a| ≥ u·max_i|a_ic|,
    /// else its largest fully-summed entry if that passes; (−1, −1) if neither.
    /// </summary>
    private static (int Column, int Row) ThresholdPivot(double[] f, int m, int nfs, int done, int c, int[] ri, int[] ci, int[] perm, double u)
    {
        int cc = c * m;
        double gamma = 0;
        for (int i = done; i < m; i++) gamma = Math.Max(gamma, Math.Abs(f[i + cc]));
        if (gamma == 0)
            throw new SingularMatrixException($"the matrix is singular: column {perm[ci[c]]} of A is zero after elimination of the pivots before it", perm[ci[c]]);
        int best = -1, diag = -1; double amax = 0;
        for (int i = done; i < nfs; i++)
        {
            double t = Math.Abs(f[i + cc]);
            if (t > amax) { amax = t; best = i; }
            if (ri[i] == ci[c]) diag = i;
        }
        double limit = u * gamma;
        if (diag >= 0 && f[diag + cc] != 0 && Math.Abs(f[diag + cc]) >= limit) return (c, diag);
        if (best >= 0 && amax >= limit) return (c, best);
        return (-1, -1);
    }

    private static void SwapColumns(double[] f, int m, int[] ci, int a, int b)
    {
        (ci[a], ci[b]) = (ci[b], ci[a]);
        var x = new Span<double>(f, a * m, m); var y = new Span<double>(f, b * m, m);
        for (int i = 0; i < m; i++) (x[i], y[i]) = (y[i], x[i]);
    }

    /// <summary>
    /// After a panel's np pivots at [p0, p0+np): U12 = L11⁻¹·A12 on rows [p0, p0+np) of columns [c0, m), then
    /// A[p0+np.., c0..] −= L21·U12 by the packed GEMM kernel (W = U12ᵀ).
    /// </summary>
    private static void UpdateRight(double[] f, int m, int p0, int np, int c0, bool parallel)
    {
        int cols = m - c0, rows = m - p0 - np;
        void Trsm(int c)
        {
            int cc = c * m;
            for (int j = 0; j < np - 1; j++)
            {
                double x = f[p0 + j + cc];
                if (x != 0) DenseFrontKernels.Axpy(-x, new ReadOnlySpan<double>(f, (p0 + j) * m + p0 + j + 1, np - j - 1), new Span<double>(f, cc + p0 + j + 1, np - j - 1));
            }
        }
        if (parallel && (double)cols * np * np > 4e6) Parallel.For(c0, m, Trsm);
        else for (int c = c0; c < m; c++) Trsm(c);
        if (rows == 0) return;
        var w = ArrayPool<double>.Shared.Rent(cols * np);
        for (int p = 0; p < np; p++)
            for (int j = 0; j < cols; j++) w[j + p * cols] = f[p0 + p + (c0 + j) * m];
        DenseFrontKernels.Update(f, m, p0 + np, rows, c0, cols, p0, np, w, cols, lowerOnly: false, parallel);
        ArrayPool<double>.Shared.Return(w);
    }
}
