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
/// <para>Work: each pivot updates the fully-summed columns (all rows, vector AXPYs) and the
/// fully-summed rows of the other columns; the Schur complement F22 −= L21·U12, most of the flops,
/// is one blocked product with the packed kernel of <see cref="DenseFrontKernels"/>; independent
/// subtrees run in parallel (<see cref="MultifrontalFactor.Traverse"/>). The result is converted to
/// compressed columns (<see cref="SparseLuFactors"/>), whose solves serve both LU algorithms.</para>
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
    public static SparseLuFactors Factor(Plan plan, ReadOnlySpan<double> values, double u)
    {
        var s = plan.Symbolic;
        int ns = s.SuperCount, n = s.N;
        var rowIndex = new int[ns][]; var colIndex = new int[ns][];
        var pivots = new int[ns];
        var lBlocks = new double[ns][]; var uBlocks = new double[ns][];
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
            try { npiv = EliminateFullySummed(front, m, nfs, ri, ci, s.Perm, u); }
            catch { ArrayPool<double>.Shared.Return(front); throw; }
            if (m > nfs && npiv > 0)
            {
                // F22 −= L21·U12 with W = U12ᵀ.
                int rows = m - nfs;
                var wt = ArrayPool<double>.Shared.Rent(rows * npiv);
                for (int p = 0; p < npiv; p++)
                    for (int j = 0; j < rows; j++) wt[j + p * rows] = front[p + (nfs + j) * m];
                DenseFrontKernels.Update(front, m, nfs, rows, 0, npiv, wt, rows, lowerOnly: false, parallel);
                ArrayPool<double>.Shared.Return(wt);
            }
            var lb = new double[(long)m * npiv];
            Array.Copy(front, 0, lb, 0, (long)m * npiv);
            var ub = new double[(long)npiv * m];
            for (int c = 0; c < m; c++) for (int p = 0; p < npiv; p++) ub[p + (long)c * npiv] = front[p + c * m];
            lBlocks[sn] = lb; uBlocks[sn] = ub; rowIndex[sn] = ri; colIndex[sn] = ci; pivots[sn] = npiv; delayedOut[sn] = nfs - npiv;
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

        try
        {
            MultifrontalFactor.Traverse(s, Node);
        }
        finally
        {
            foreach (var cu in contribution) if (cu is not null) ArrayPool<double>.Shared.Return(cu);
        }
        return ToCompressedColumns(s, rowIndex, colIndex, pivots, lBlocks, uBlocks, flops);
    }

    /// <summary>
    /// Eliminates what it can of the nfs fully-summed columns of the m×m front (column-major), moving each pivot to
    /// the diagonal position by a row and a column interchange (applied to the index lists too). Returns npiv:
    /// columns [0, npiv) then hold L (unit, below the diagonal) and rows [0, npiv) U; the fully-summed rows and
    /// columns left are updated by every pivot; F22 (rows and columns ≥ nfs) is not touched.
    /// </summary>
    private static int EliminateFullySummed(double[] f, int m, int nfs, int[] ri, int[] ci, int[] perm, double u)
    {
        int done = 0;
        while (done < nfs)
        {
            int pc = -1, pr = -1;
            for (int c = done; c < nfs && pc < 0; c++)
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
                if (diag >= 0 && Math.Abs(f[diag + cc]) >= limit && f[diag + cc] != 0) { pc = c; pr = diag; }
                else if (best >= 0 && amax >= limit) { pc = c; pr = best; }
            }
            if (pc < 0) break;
            if (pr != done)
            {
                (ri[pr], ri[done]) = (ri[done], ri[pr]);
                for (int j = 0; j < m; j++) { int cj = j * m; (f[pr + cj], f[done + cj]) = (f[done + cj], f[pr + cj]); }
            }
            if (pc != done)
            {
                (ci[pc], ci[done]) = (ci[done], ci[pc]);
                var a = new Span<double>(f, pc * m, m); var b = new Span<double>(f, done * m, m);
                for (int i = 0; i < m; i++) (a[i], b[i]) = (b[i], a[i]);
            }
            int dd = done * m;
            double inv = 1 / f[done + dd];
            for (int i = done + 1; i < m; i++) f[i + dd] *= inv;
            var lAll = new ReadOnlySpan<double>(f, dd + done + 1, m - done - 1);
            var lFs = new ReadOnlySpan<double>(f, dd + done + 1, nfs - done - 1);
            for (int c = done + 1; c < m; c++)
            {
                double uc = f[done + c * m];
                if (uc == 0) continue;
                // Fully-summed columns: every row; the others: only the fully-summed rows (F22 is updated in one block).
                if (c < nfs) DenseFrontKernels.Axpy(-uc, lAll, new Span<double>(f, c * m + done + 1, m - done - 1));
                else DenseFrontKernels.Axpy(-uc, lFs, new Span<double>(f, c * m + done + 1, nfs - done - 1));
            }
            done++;
        }
        return done;
    }

    /// <summary>The front blocks as <see cref="SparseLuFactors"/>: steps numbered front by front, exact zeros dropped.</summary>
    private static SparseLuFactors ToCompressedColumns(SupernodalSymbolic s, int[][] rowIndex, int[][] colIndex, int[] pivots, double[][] lBlocks, double[][] uBlocks, double flops)
    {
        int n = s.N, ns = s.SuperCount;
        var rowStep = new int[n]; var colStep = new int[n];
        int k = 0;
        for (int sn = 0; sn < ns; sn++)
            for (int j = 0; j < pivots[sn]; j++) { rowStep[rowIndex[sn][j]] = k; colStep[colIndex[sn][j]] = k; k++; }
        // L by columns (step order = front order), diagonal first.
        var lp = new int[n + 1];
        long lnz = 0, unz = 0;
        for (int sn = 0; sn < ns; sn++)
        {
            int m = rowIndex[sn].Length;
            for (int j = 0; j < pivots[sn]; j++)
            {
                lnz++;
                for (int i = j + 1; i < m; i++) if (lBlocks[sn][i + (long)j * m] != 0) lnz++;
                for (int c = j; c < m; c++) if (uBlocks[sn][j + (long)c * pivots[sn]] != 0 || c == j) unz++;
            }
        }
        if (lnz > Array.MaxLength || unz > Array.MaxLength)
            throw new InvalidOperationException($"the LU factors have {lnz:N0} + {unz:N0} entries, more than one array holds");
        var li = new int[lnz]; var lx = new double[lnz];
        // U by rows first (then transposed to columns): row k holds (step of column, value), diagonal first.
        var urp = new int[n + 1];
        var uci = new int[unz]; var uvx = new double[unz];
        int lw = 0, uw = 0, step = 0;
        for (int sn = 0; sn < ns; sn++)
        {
            var ri = rowIndex[sn]; var ci = colIndex[sn]; var lb = lBlocks[sn]; var ub = uBlocks[sn];
            int m = ri.Length, np = pivots[sn];
            for (int j = 0; j < np; j++, step++)
            {
                lp[step] = lw;
                li[lw] = step; lx[lw++] = 1;
                for (int i = j + 1; i < m; i++)
                {
                    double v = lb[i + (long)j * m];
                    if (v != 0) { li[lw] = rowStep[ri[i]]; lx[lw++] = v; }
                }
                urp[step] = uw;
                for (int c = j; c < m; c++)
                {
                    double v = ub[j + (long)c * np];
                    if (v != 0 || c == j) { uci[uw] = colStep[ci[c]]; uvx[uw++] = v; }
                }
            }
            lBlocks[sn] = []; uBlocks[sn] = [];
        }
        lp[n] = lw; urp[n] = uw;
        // Transpose U: scanning rows in increasing order leaves each column's rows ascending, so its diagonal is last.
        var up = new int[n + 1];
        for (int t = 0; t < uw; t++) up[uci[t] + 1]++;
        for (int j = 0; j < n; j++) up[j + 1] += up[j];
        var next = (int[])up.Clone();
        var ui = new int[uw]; var ux = new double[uw];
        for (int row = 0; row < n; row++)
            for (int t = urp[row]; t < urp[row + 1]; t++) { int w = next[uci[t]]++; ui[w] = row; ux[w] = uvx[t]; }
        var pinv = new int[n]; var q = new int[n];
        for (int v = 0; v < n; v++) { pinv[s.Perm[v]] = rowStep[v]; q[colStep[v]] = s.Perm[v]; }
        return new SparseLuFactors { N = n, Lp = lp, Li = li, Lx = lx, Up = up, Ui = ui, Ux = ux, Pinv = pinv, Q = q, Flops = flops };
    }
}
