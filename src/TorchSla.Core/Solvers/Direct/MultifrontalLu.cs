using System.Runtime.CompilerServices;
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
/// <para>Work: blocked LU over the fully-summed columns, right-looking between panels and left-looking (Crout) inside
/// them (see <see cref="EliminateFullySummed"/>):
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

        /// <summary>
        /// Analyses a square pattern with the given fill-reducing ordering of A + Aᵀ (or the explicit
        /// <paramref name="permutation"/>). The strictly lower part of P·A·Pᵀ depends on the ordering alone: on a large
        /// matrix it is built on another core while this one computes the counts, supernodes and row structures
        /// (<see cref="SupernodalSymbolic.Analyze"/>'s work alongside; 55 ms of 1.0 s at 2D Poisson 1M when it ran after them).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static Plan Analyze(SparsePattern pattern, CholeskyOrdering ordering, int[]? permutation = null)
        {
            (int[] Ptr, int[] Row, int[] Source)? lower = null;
            var s = SupernodalSymbolic.Analyze(pattern, ordering, permutation, (perm, pinv) => lower = StrictlyLower(pattern, perm, pinv));
            var (ptr, row, src) = lower ?? StrictlyLower(pattern, s.Perm, s.Pinv);
            DirectProfile.Mark("LU plan: upper triangle of PAPᵀ");
            return new Plan { Symbolic = s, LowerPtr = ptr, LowerRow = row, LowerSource = src };
        }

        /// <summary>
        /// The strictly lower part of P·A·Pᵀ by columns: column j is column perm[j] of A, i.e. row perm[j] of Aᵀ, its
        /// entries with ordered row i &gt; j, with their CSR slots of A. A structurally symmetric pattern is its own
        /// transpose: row perm[j] of A is read instead, and the slot of each (c, perm[j]) is found by a binary search in
        /// row c (short rows) rather than through a transposition map (nnz entries of fresh memory, 20 MB at 2D 1M).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static (int[] Ptr, int[] Row, int[] Source) StrictlyLower(SparsePattern pattern, int[] perm, int[] pinv)
        {
            int n = perm.Length;
            bool symmetric = pattern.IsStructurallySymmetric;
            var (t, map) = symmetric ? (pattern, []) : pattern.Transpose();
            var arp = pattern.RowPtr; var aci = pattern.ColInd;
            // Column perm[j] of A is row perm[j] of Aᵀ: its entries with ordered row i > j.
            var ptr = FactorMemory.Zeroed<int>(n + 1);
            for (int j = 0; j < n; j++)
            {
                int c = perm[j], cnt = 0;
                for (int q = t.RowPtr[c]; q < t.RowPtr[c + 1]; q++) if (pinv[t.ColInd[q]] > j) cnt++;
                ptr[j + 1] = ptr[j] + cnt;
            }
            var row = FactorMemory.Allocate<int>(ptr[n]); var src = FactorMemory.Allocate<int>(ptr[n]);
            for (int j = 0; j < n; j++)
            {
                int c = perm[j], w = ptr[j];
                for (int q = t.RowPtr[c]; q < t.RowPtr[c + 1]; q++)
                {
                    int c2 = t.ColInd[q], i = pinv[c2];
                    if (i > j) { row[w] = i; src[w] = symmetric ? SlotOf(arp, aci, c2, c) : map[q]; w++; }
                }
            }
            return (ptr, row, src);
        }

        /// <summary>The CSR slot of (r, c), which is stored (binary search in row r's sorted columns).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int SlotOf(int[] rowPtr, int[] colInd, int r, int c)
        {
            int lo = rowPtr[r], hi = rowPtr[r + 1] - 1;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (colInd[mid] < c) lo = mid + 1; else hi = mid;
            }
            return lo;
        }
    }

    /// <summary>
    /// A front in three column-major pieces, so that a front without delayed pivots from its children is assembled
    /// and factored in place in the factor's storage (as <see cref="MultifrontalFactor"/> does for Cholesky) and its
    /// Schur complement is handed to the parent as it is: the m×nfs block of fully-summed columns (<see cref="A"/>,
    /// leading dimension m: it becomes L below the diagonal and U11 above, where the factors keep it: U11 is not copied),
    /// the nfs×(m−nfs) block of fully-summed rows right of it (<see cref="U"/>, leading dimension nfs: it becomes U12)
    /// and the (m−nfs)² rest (<see cref="C"/>, leading dimension m−nfs, pooled).
    /// </summary>
    private readonly record struct Front(double[] A, int AOff, double[] U, int UOff, double[] C, int M, int Nfs)
    {
        /// <summary>Leading dimension of <see cref="C"/>.</summary>
        public int Mc => M - Nfs;
    }

    /// <summary>
    /// Factors the value set values[offset..] (CSR slot order of the analysed pattern; read in place, not copied) with
    /// pivot threshold <paramref name="u"/> ∈ (0, 1].
    /// </summary>
    /// <exception cref="SingularMatrixException">A column is zero in its updated front.</exception>
    public static MultifrontalLuFactors Factor(Plan plan, double[] values, int offset, double u)
    {
        var s = plan.Symbolic;
        int ns = s.SuperCount, n = s.N;
        // Row and column variables of each front after its pivoting. A front without delayed pivots works on a copy of
        // its planned list (s.Rows) in its worker's buffer and keeps, afterwards, the analysis' own list when pivoting
        // left the order unchanged (a diagonally dominant matrix: every front), else a copy at its planned place in
        // rowAll/colAll, whose pages are only touched there (thousands of separate arrays cost more in garbage collection);
        // fronts that received delayed columns get arrays of their own.
        var rowIndex = new ArraySegment<int>[ns]; var colIndex = new ArraySegment<int>[ns];
        var rowAll = GC.AllocateUninitializedArray<int>(s.Rows.Length); var colAll = GC.AllocateUninitializedArray<int>(s.Rows.Length);
        using var indexBuffers = new ThreadLocal<(int[] Rows, int[] Cols)>(() => (new int[Math.Max(1, s.MaxFrontRows)], new int[Math.Max(1, s.MaxFrontRows)]));
        var pivots = FactorMemory.Zeroed<int>(ns);
        // L and U of fronts without delayed pivots live in two arrays sized by the analysis (as the Cholesky factor
        // does; thousands of separate large arrays cost more in garbage collection than the copies themselves), and
        // such fronts are assembled and factored right there: front sn's m×k block of L (U11 above its diagonal) at
        // lOffsets[sn], its k×(m−k) block U12 at uOffsets[sn]. U has no copy of U11: Σ k² entries fewer (15.9M = 127 MB
        // on 2D Poisson 1M, of L and U's 835 MB), memory written for the first time, and read by every solve.
        var lBlocks = new double[ns][]; var uBlocks = new double[ns][];
        var lOffsets = FactorMemory.Zeroed<long>(ns + 1); var uOffsets = FactorMemory.Zeroed<long>(ns + 1);
        for (int sn = 0; sn < ns; sn++)
        {
            long m = s.RowPtr[sn + 1] - s.RowPtr[sn], k = s.SuperStart[sn + 1] - s.SuperStart[sn];
            lOffsets[sn + 1] = lOffsets[sn] + m * k;
            uOffsets[sn + 1] = uOffsets[sn] + k * (m - k);
        }
        if (lOffsets[ns] > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(plan), $"the LU factors of this {n}×{n} matrix would have {lOffsets[ns]:N0} entries in L, more than one array holds");
        var lAll = FactorMemory.AllocateFactor((int)lOffsets[ns]);
        var uAll = FactorMemory.AllocateFactor((int)uOffsets[ns]);
        var lOff = FactorMemory.Zeroed<long>(ns); var uOff = FactorMemory.Zeroed<long>(ns);
        var contribution = new double[]?[ns];
        using var pool = new ContributionPool();
        var delayedOut = FactorMemory.Zeroed<int>(ns);
        // The workers' position maps are the analysis' spare work arrays when this is its first factorization.
        var scratch = s.TakeScratch() ?? new IndexScratch(n);
        using var rowMaps = new ThreadLocal<int[]>(scratch.RentZeroed);
        using var colMaps = new ThreadLocal<int[]>(scratch.RentZeroed);
        DirectProfile.Mark("LU factor: setup, L and U arrays");

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void Node(int sn, bool parallel)
        {
            long t0 = DirectProfile.Now();
            int f = s.SuperStart[sn], k = s.SuperStart[sn + 1] - f;
            int r0 = s.RowPtr[sn], r = s.RowPtr[sn + 1] - r0;
            int nd = 0;
            for (int c = s.ChildPtr[sn]; c < s.ChildPtr[sn + 1]; c++) nd += delayedOut[s.Children[c]];
            int m = nd + r, nfs = nd + k, mc = m - nfs;
            var (rowBuffer, colBuffer) = nd == 0 ? indexBuffers.Value : (new int[m], new int[m]);
            var riSeg = new ArraySegment<int>(rowBuffer, 0, m); var ciSeg = new ArraySegment<int>(colBuffer, 0, m);
            Span<int> ri = riSeg, ci = ciSeg;
            int w = 0;
            for (int c = s.ChildPtr[sn]; c < s.ChildPtr[sn + 1]; c++)
            {
                int ch = s.Children[c];
                for (int t = 0; t < delayedOut[ch]; t++) { ri[w] = rowIndex[ch][pivots[ch] + t]; ci[w] = colIndex[ch][pivots[ch] + t]; w++; }
            }
            s.Rows.AsSpan(r0, r).CopyTo(ri[nd..]);
            s.Rows.AsSpan(r0, r).CopyTo(ci[nd..]);
            // Without delayed variables the row and column lists are the same (pivoting reorders them only later).
            var rmap = rowMaps.Value!; var cmap = nd == 0 ? rmap : colMaps.Value!;
            if (nd == 0) for (int i = 0; i < m; i++) rmap[ri[i]] = i;
            else for (int i = 0; i < m; i++) { rmap[ri[i]] = i; cmap[ci[i]] = i; }
            // The planned storage has room for exactly m×k of L and k×(m−k) of U: fronts that received delayed columns get their own.
            bool planned = nd == 0;
            var fr = planned
                ? new Front(lAll, (int)lOffsets[sn], uAll, (int)uOffsets[sn], mc > 0 ? pool.Rent(mc * mc) : [], m, nfs)
                : new Front(GC.AllocateUninitializedArray<double>(checked(m * nfs)), 0, GC.AllocateUninitializedArray<double>(checked(nfs * mc)), 0,
                    mc > 0 ? pool.Rent(mc * mc) : [], m, nfs);
            var (fa, ao, fu, bo, fc) = (fr.A, fr.AOff, fr.U, fr.UOff, fr.C);
            Array.Clear(fa, ao, m * nfs);
            Array.Clear(fu, bo, nfs * mc);
            Array.Clear(fc, 0, mc * mc);
            t0 = DirectProfile.Add("index lists, clearing", t0);
            for (int j = f; j < f + k; j++)
            {
                // Row j from column j on, and column j below the diagonal, of P·A·Pᵀ (j is fully summed: row and column < nfs).
                int rj = rmap[j], cj = ao + cmap[j] * m;
                for (int q = s.AColPtr[j]; q < s.AColPtr[j + 1]; q++)
                {
                    int col = cmap[s.ARowInd[q]];
                    double v = values[offset + s.ASource[q]];
                    if (col < nfs) fa[ao + rj + col * m] += v; else fu[bo + rj + (col - nfs) * nfs] += v;
                }
                for (int q = plan.LowerPtr[j]; q < plan.LowerPtr[j + 1]; q++) fa[rmap[plan.LowerRow[q]] + cj] += values[offset + plan.LowerSource[q]];
            }
            t0 = DirectProfile.Add("assembling A", t0);
            for (int c = s.ChildPtr[sn]; c < s.ChildPtr[sn + 1]; c++)
            {
                int ch = s.Children[c];
                var cu = contribution[ch];
                if (cu is null) continue;
                ExtendAdd(fr, cu, rowIndex[ch], colIndex[ch], pivots[ch], rmap, cmap);
                pool.Return(cu);
                contribution[ch] = null;
            }

            t0 = DirectProfile.Add("extend-add", t0);
            int npiv;
            try { npiv = EliminateFullySummed(fr, ri, ci, s.Perm, u, parallel); }
            catch { if (mc > 0) pool.Return(fc); throw; }
            t0 = DirectProfile.Add(m <= SmallFrontRows ? "elimination, fronts <= 160 rows" : "elimination, larger fronts", t0);
            double[] lb, ub; long lo, uo;
            double[]? cuOut = null;
            int mo = m - npiv;
            if (npiv == nfs)
            {
                // The factors stay where they were computed: L and U11 in A, U12 in U.
                (lb, ub, lo, uo) = (fa, fu, ao, bo);
                if (mc > 0) { if (s.SuperParent[sn] >= 0) cuOut = fc; else pool.Return(fc); }
            }
            else
            {
                // Delayed columns: L's first npiv columns (U11 above their diagonal) and the first npiv rows of the
                // columns after them (U12: the delayed columns', then those right of the block) go to arrays of their
                // own, and the (m−npiv)² Schur complement, delayed rows and columns first, is gathered from the three pieces.
                lb = GC.AllocateUninitializedArray<double>(m * npiv);
                Array.Copy(fa, ao, lb, 0, m * npiv);
                ub = GC.AllocateUninitializedArray<double>(npiv * mo);
                for (int c = npiv; c < nfs; c++) Array.Copy(fa, ao + c * m, ub, (c - npiv) * npiv, npiv);
                for (int c = nfs; c < m; c++) Array.Copy(fu, bo + (c - nfs) * nfs, ub, (c - npiv) * npiv, npiv);
                (lo, uo) = (0, 0);
                if (s.SuperParent[sn] >= 0)
                {
                    cuOut = pool.Rent(mo * mo);
                    for (int jj = 0; jj < mo; jj++)
                    {
                        int c = npiv + jj, dst = jj * mo;
                        if (c < nfs) { Array.Copy(fa, ao + c * m + npiv, cuOut, dst, mo); continue; }
                        Array.Copy(fu, bo + (c - nfs) * nfs + npiv, cuOut, dst, nfs - npiv);
                        Array.Copy(fc, (c - nfs) * mc, cuOut, dst + nfs - npiv, mc);
                    }
                }
                if (mc > 0) pool.Return(fc);
            }
            if (nd == 0) { riSeg = Planned(riSeg, s.Rows, rowAll, r0); ciSeg = Planned(ciSeg, s.Rows, colAll, r0); }
            lBlocks[sn] = lb; uBlocks[sn] = ub; lOff[sn] = lo; uOff[sn] = uo; rowIndex[sn] = riSeg; colIndex[sn] = ciSeg; pivots[sn] = npiv; delayedOut[sn] = nfs - npiv;
            contribution[sn] = cuOut;
            DirectProfile.Add("update out, bookkeeping", t0);
        }

        MultifrontalFactor.Traverse(s, Node, contribution);
        DirectProfile.Mark("LU factor: fronts");
        DirectProfile.ReportSums("LU fronts:");
        // Flops of the eliminations: pivot p of a front of m rows divides m − p − 1 entries and updates (m − p − 1)².
        double flops = 0;
        for (int sn = 0; sn < ns; sn++)
            for (int p = 0, m = rowIndex[sn].Count; p < pivots[sn]; p++) { double t = m - p - 1; flops += t + 2 * t * t; }
        return new MultifrontalLuFactors(s, rowIndex, colIndex, pivots, lBlocks, uBlocks, lOff, uOff, flops, delayedOut.Sum());
    }

    /// <summary>
    /// Where a front without delayed pivots keeps its variable list (<paramref name="worked"/>, in its worker's buffer): the
    /// analysis' list at <paramref name="at"/> when pivoting did not reorder it, else a copy at the same place in
    /// <paramref name="copies"/>.
    /// </summary>
    private static ArraySegment<int> Planned(ArraySegment<int> worked, int[] planned, int[] copies, int at)
    {
        var w = worked.AsSpan();
        if (w.SequenceEqual(planned.AsSpan(at, w.Length))) return new ArraySegment<int>(planned, at, w.Length);
        w.CopyTo(copies.AsSpan(at));
        return new ArraySegment<int>(copies, at, w.Length);
    }

    /// <summary>
    /// Adds a child's update matrix (columns and rows after its pivots, column-major, leading dimension its size) into
    /// the front by the variables' positions in it (Duff &amp; Reid's extend-add): a column of the fully-summed block
    /// goes wholly to A, any other column splits between U12 (fully-summed rows) and C.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ExtendAdd(in Front fr, double[] cu, ReadOnlySpan<int> cri, ReadOnlySpan<int> cci, int p0, int[] rmap, int[] cmap)
    {
        int mcc = cri.Length - p0, nfs = fr.Nfs, m = fr.M, mc = fr.Mc;
        var fa = fr.A; var fu = fr.U; var fc = fr.C;
        int ao = fr.AOff, bo = fr.UOff;
        var rows = ArrayPool<int>.Shared.Rent(mcc);
        try
        {
            // The child's rows that land in the front's fully-summed rows usually come first (both lists ascend in the
            // ordered numbering, and the front's fully-summed variables precede its others): then each column splits at
            // one place, found once, and the loops below carry no test per entry. Delayed variables can break the order.
            int split = 0;
            for (int ii = 0; ii < mcc; ii++) { int fi = rows[ii] = rmap[cri[p0 + ii]]; if (fi < nfs) split = ii + 1; }
            bool prefix = true;
            for (int ii = 0; ii < split && prefix; ii++) prefix = rows[ii] < nfs;
            for (int jj = 0; jj < mcc; jj++)
            {
                int fj = cmap[cci[p0 + jj]], src = jj * mcc;
                if (fj < nfs)
                {
                    int dst = ao + fj * m;
                    for (int ii = 0; ii < mcc; ii++) fa[dst + rows[ii]] += cu[src + ii];
                }
                else if (prefix)
                {
                    int dB = bo + (fj - nfs) * nfs, dC = (fj - nfs) * mc - nfs;
                    for (int ii = 0; ii < split; ii++) fu[dB + rows[ii]] += cu[src + ii];
                    for (int ii = split; ii < mcc; ii++) fc[dC + rows[ii]] += cu[src + ii];
                }
                else
                {
                    int dB = bo + (fj - nfs) * nfs, dC = (fj - nfs) * mc - nfs;
                    for (int ii = 0; ii < mcc; ii++)
                    {
                        int fi = rows[ii];
                        if (fi < nfs) fu[dB + fi] += cu[src + ii]; else fc[dC + fi] += cu[src + ii];
                    }
                }
            }
        }
        finally { ArrayPool<int>.Shared.Return(rows); }
    }

    /// <summary>
    /// The partial LU of one front given as its three pieces (see <see cref="Front"/>; ri/ci its row and column variables,
    /// permuted with the pivots): the dense kernel alone, for the benchmark of the front kernels. Returns npiv.
    /// </summary>
    internal static int PartialLu(double[] a, double[] u, double[] c, int m, int nfs, int[] ri, int[] ci, double pivotThreshold, bool parallel) =>
        EliminateFullySummed(new Front(a, 0, u, 0, c, m, nfs), ri, ci, ci, pivotThreshold, parallel);

    /// <summary>
    /// Fronts of at most this many rows are eliminated unblocked: each pivot's rank-1 update goes at once to every column
    /// right of it by vector AXPYs, with no packing (on fronts this small the packed product's setup outweighs its speed:
    /// `direct dense R K 1`, one thread, partial LU with left-looking panels, 2026-12-07 01:24 UTC, load 5–7: 40×8 / 48×10
    /// 9.3 / 9.2 GFlop/s unblocked against 7.1 / 7.6 blocked; 64×10 / 80×16 / 100×20 8.5 / 9.6 / 10.8 against 11.2 / 12.6 /
    /// 15.0; bench/RESULTS.md, "Lead, session 9").
    /// </summary>
    internal static int SmallFrontRows { get; set; } = 60;

    /// <summary>
    /// Small fronts with at most this many fully-summed columns defer the update of the columns right of them to one pass
    /// after the pivots (`direct dense R K 1`, one thread, partial LU unblocked, 2026-12-06 22:46 UTC, loaded machine:
    /// 30×6 6.2 → 7.2, 64×16 9.2 → 10.9, 100×20 10.9 → 13.2 GFlop/s; 150×40 12.3 → 9.9, where the scalar triangular
    /// solve of U12 costs more than the AXPYs it replaces).
    /// </summary>
    internal const int DeferredRightMaxColumns = 24;

    /// <summary>Columns of a panel: pivots are searched and applied column by column inside it, then the rest of the front is updated by one blocked product.</summary>
    private const int PanelWidth = 64;

    /// <summary>
    /// Eliminates what it can of the nfs fully-summed columns of the front by blocked right-looking LU (Golub &amp; Van
    /// Loan §3.4.9 with the pivot search restricted as above): panels of <see cref="PanelWidth"/> columns are factored
    /// one pivot at a time, left-looking inside the panel (Crout, Golub &amp; Van Loan §3.2.9: a column is brought up to
    /// date just before its pivot search) — fronts of at most <see cref="SmallFrontRows"/> rows right-looking and
    /// unblocked (row and column interchanges applied to the front's pieces and to the index lists), then
    /// U12 = L11⁻¹·A12 and A22 −= L21·U12 update every column right of the panel. Columns of a panel with no acceptable
    /// pivot are parked at the end of the fully-summed range (they keep receiving the updates) and retried once the
    /// other columns are done, as long as the retry finds pivots. Returns npiv: columns [0, npiv) of A hold L (unit,
    /// below the diagonal) and U11 (above), rows [0, npiv) of A and U12 the rest of U, and the remaining rows and
    /// columns the Schur complement; the fully-summed rows and columns in [npiv, nfs) are the delayed ones.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int EliminateFullySummed(in Front fr, Span<int> ri, Span<int> ci, int[] perm, double u, bool parallel)
    {
        var f = fr.A; var fu = fr.U;
        int ao = fr.AOff, bo = fr.UOff, m = fr.M, nfs = fr.Nfs;
        bool unblocked = m <= SmallFrontRows;
        // Small fronts with few fully-summed columns update the columns right of them once, after the pivots
        // (SmallUpdateRight); with more, the U12 part's triangular solve is cheaper as the per-pivot vector AXPYs.
        bool deferRight = unblocked && nfs <= DeferredRightMaxColumns;
        int done = 0, parked = 0, doneAtUnpark = -1;
        // Blocked fronts factor each panel left-looking (Crout): a column takes the panel's earlier pivots only when its
        // pivot is searched (it must be up to date for the threshold test), by a short triangular solve and one GEMV over
        // the rows below — reading the panel's L columns once — instead of one AXPY per pivot on every later column of
        // the panel (right-looking: each pivot reads and writes the whole rest of the panel). Column c has taken the pivots
        // before applied[c − p0].
        Span<int> applied = unblocked ? default : stackalloc int[PanelWidth];
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
            int p0 = done, pend = unblocked ? limit : Math.Min(limit, done + PanelWidth);
            if (!unblocked) applied[..(pend - p0)].Fill(p0);
            while (done < pend)
            {
                int pc = -1, pr = -1;
                for (int c = done; c < pend && pc < 0; c++)
                {
                    if (!unblocked) { CatchUp(f, ao, m, applied[c - p0], done, c); applied[c - p0] = done; }
                    (pc, pr) = ThresholdPivot(f, ao, m, nfs, done, c, ri, ci, perm, u);
                }
                if (pc < 0) break;
                if (pr != done)
                {
                    (ri[pr], ri[done]) = (ri[done], ri[pr]);
                    for (int j = 0; j < nfs; j++) { int cj = ao + j * m; (f[pr + cj], f[done + cj]) = (f[done + cj], f[pr + cj]); }
                    for (int j = 0; j < m - nfs; j++) { int cj = bo + j * nfs; (fu[pr + cj], fu[done + cj]) = (fu[done + cj], fu[pr + cj]); }
                }
                if (pc != done)
                {
                    SwapColumns(f, ao, m, ci, pc, done);
                    if (!unblocked) (applied[pc - p0], applied[done - p0]) = (applied[done - p0], applied[pc - p0]);
                }
                int dd = ao + done * m;
                double inv = 1 / f[done + dd];
                for (int i = done + 1; i < m; i++) f[i + dd] *= inv;
                var l = new ReadOnlySpan<double>(f, dd + done + 1, m - done - 1);
                // A small front gives each pivot's rank-1 update at once to every fully-summed column right of it.
                if (unblocked)
                    for (int c = done + 1; c < nfs; c++)
                    {
                        double uc = f[ao + done + c * m];
                        if (uc != 0) DenseFrontKernels.Axpy(-uc, l, new Span<double>(f, ao + c * m + done + 1, m - done - 1));
                    }
                if (unblocked && !deferRight)
                    for (int c = nfs; c < m; c++)
                    {
                        // Column c right of the fully-summed block: its rows below the pivot in U12, then in C.
                        int bc = bo + (c - nfs) * nfs;
                        double uc = fu[bc + done];
                        if (uc == 0) continue;
                        DenseFrontKernels.Axpy(-uc, l[..(nfs - done - 1)], new Span<double>(fu, bc + done + 1, nfs - done - 1));
                        DenseFrontKernels.Axpy(-uc, l[(nfs - done - 1)..], new Span<double>(fr.C, (c - nfs) * fr.Mc, fr.Mc));
                    }
                done++;
            }
            int np = done - p0;
            // The panel's failed columns take the pivots they have not seen (they stay up to date from here on).
            if (!unblocked) for (int c = done; c < pend; c++) CatchUp(f, ao, m, applied[c - p0], done, c);
            if (!unblocked && np > 0 && pend < m) UpdateRight(fr, p0, np, pend, parallel);
            // Park the panel's failed columns [done, pend) at the end of the untried range (they are up to date).
            int failed = pend - done;
            for (int t = failed - 1; t >= 0; t--)
            {
                int src = done + t, dst = limit - failed + t;
                if (src != dst) SwapColumns(f, ao, m, ci, src, dst);
            }
            parked += failed;
        }
        if (deferRight) SmallUpdateRight(fr, done);
        return done;
    }

    /// <summary>
    /// The columns right of the fully-summed block of a small front, after its npiv pivots (deferred, as the blocked
    /// path's <see cref="UpdateRight"/> defers them panel by panel; the row interchanges already applied to U12 are the
    /// final ones): column by column, U12 = L11⁻¹·A12 on rows [0, npiv), the delayed fully-summed rows [npiv, nfs) and
    /// then C updated by the npiv columns of L — the C part by one register-blocked GEMV
    /// (<see cref="DenseFrontKernels.GemvSubtract"/>) instead of one AXPY per pivot.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SmallUpdateRight(in Front fr, int npiv)
    {
        int m = fr.M, nfs = fr.Nfs, mc = fr.Mc, ao = fr.AOff, bo = fr.UOff;
        if (npiv == 0 || mc == 0) return;
        var f = fr.A; var fu = fr.U;
        for (int c = 0; c < mc; c++)
        {
            int bc = bo + c * nfs;
            for (int j = 0; j < npiv; j++)
            {
                double t = fu[bc + j];
                if (t == 0) continue;
                int lj = ao + j * m;
                for (int i = j + 1; i < nfs; i++) fu[bc + i] -= f[lj + i] * t;
            }
            DenseFrontKernels.GemvSubtract(f, ao + nfs, m, mc, npiv, fu, bc, fr.C, c * mc);
        }
    }

    /// <summary>
    /// Brings column c of the fully-summed block up to date with the pivots [from, to) (columns of L to its left; every
    /// pivot before <paramref name="from"/> already applied): rows [from, to) by forward substitution with the unit lower
    /// block of those pivots — they become U's entries — then rows [to, m) −= L[to.., from..to) · U[from..to, c] by one GEMV.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CatchUp(double[] f, int ao, int m, int from, int to, int c)
    {
        if (to <= from) return;
        int cc = ao + c * m;
        for (int j = from; j < to - 1; j++)
        {
            double t = f[cc + j];
            if (t == 0) continue;
            int lj = ao + j * m;
            for (int i = j + 1; i < to; i++) f[cc + i] -= f[lj + i] * t;
        }
        DenseFrontKernels.GemvSubtract(f, ao + to + from * m, m, m - to, to - from, f, cc + from, f, cc + to);
    }

    /// <summary>
    /// The pivot for column c: its diagonal row (the row of the same variable) if it passes |a| ≥ u·max_i|a_ic|,
    /// else its largest fully-summed entry if that passes; (−1, −1) if neither.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int Column, int Row) ThresholdPivot(double[] f, int ao, int m, int nfs, int done, int c, Span<int> ri, Span<int> ci, int[] perm, double u)
    {
        int cc = ao + c * m;
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

    private static void SwapColumns(double[] f, int ao, int m, Span<int> ci, int a, int b)
    {
        (ci[a], ci[b]) = (ci[b], ci[a]);
        var x = new Span<double>(f, ao + a * m, m); var y = new Span<double>(f, ao + b * m, m);
        for (int i = 0; i < m; i++) (x[i], y[i]) = (y[i], x[i]);
    }

    /// <summary>
    /// After a panel's np pivots at [p0, p0+np): U12 = L11⁻¹·A12 on rows [p0, p0+np) of columns [c0, m), then
    /// A22 −= L21·U12 on rows [p0+np, m) of those columns by the packed GEMM kernel (W = U12ᵀ), piece by piece:
    /// columns left of nfs in A, the fully-summed rows right of it in U12, the rest in C.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UpdateRight(in Front fr, int p0, int np, int c0, bool parallel)
    {
        var f = fr.A; var fu = fr.U;
        int ao = fr.AOff, bo = fr.UOff, m = fr.M, nfs = fr.Nfs;
        int cols = m - c0, rows = m - p0 - np;
        // Column c's rows [p0, p0+np) start at seg(c); L11 (unit lower) is A's block at (p0, p0).
        int Seg(int c) => c < nfs ? ao + c * m + p0 : bo + (c - nfs) * nfs + p0;
        // A12 transposed into w (w[(c − c0) + p·cols]: row p of U12 contiguous), which is also the GEMM's W = U12ᵀ.
        var w = ArrayPool<double>.Shared.Rent(cols * np);
        for (int c = c0; c < m; c++)
        {
            var x = new ReadOnlySpan<double>(c < nfs ? f : fu, Seg(c), np);
            for (int p = 0; p < np; p++) w[c - c0 + p * cols] = x[p];
        }
        // U12 = L11⁻¹·A12 row by row: row p −= l_pj · row j for j < p, AXPYs as long as the front is wide (column by column
        // the same solve is np AXPYs of at most np entries per column, where call overhead outweighs the flops).
        void Rows(int lo, int hi)
        {
            for (int p = 1; p < np; p++)
            {
                var rp = new Span<double>(w, p * cols + lo, hi - lo);
                int lrow = ao + p0 + p;
                for (int j = 0; j < p; j++)
                {
                    double t = f[lrow + (p0 + j) * m];
                    if (t != 0) DenseFrontKernels.Axpy(-t, new ReadOnlySpan<double>(w, j * cols + lo, hi - lo), rp);
                }
            }
        }
        if (parallel && (double)cols * np * np > 4e6) Parallel.Invoke(() => Rows(0, cols / 2), () => Rows(cols / 2, cols));
        else Rows(0, cols);
        for (int c = c0; c < m; c++)
        {
            var x = new Span<double>(c < nfs ? f : fu, Seg(c), np);
            for (int p = 0; p < np; p++) x[p] = w[c - c0 + p * cols];
        }
        if (rows == 0) { ArrayPool<double>.Shared.Return(w); return; }
        int r1 = p0 + np, left = Math.Max(0, nfs - c0), right = cols - left;
        // Columns [c0, nfs) of A: rows [r1, m).
        DenseFrontKernels.Gemm(f, m, ao + r1, c0, rows, left, f, m, ao + r1, p0, w, cols, 0, np, lowerOnly: false, parallel);
        // Columns [nfs, m): fully-summed rows [r1, nfs) in U12, the others in C.
        DenseFrontKernels.Gemm(fu, nfs, bo + r1, 0, nfs - r1, right, f, m, ao + r1, p0, w, cols, left, np, lowerOnly: false, parallel);
        DenseFrontKernels.Gemm(fr.C, fr.Mc, 0, 0, fr.Mc, right, f, m, ao + nfs, p0, w, cols, left, np, lowerOnly: false, parallel);
        ArrayPool<double>.Shared.Return(w);
    }
}
