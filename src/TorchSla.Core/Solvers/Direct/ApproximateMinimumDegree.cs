using System.Runtime.CompilerServices;
namespace TorchSla.Solvers.Direct;

/// <summary>
/// A fill-reducing ordering by approximate minimum degree: Amestoy, Davis &amp; Duff, "An approximate minimum degree
/// ordering algorithm", SIAM J. Matrix Anal. Appl. 17(4) 886–905 (1996) (ADD96), as Davis, "Direct Methods for Sparse
/// Linear Systems", SIAM 2006, §7.1 presents it.
/// <para>
/// <b>Quotient graph.</b> Eliminating a variable p turns it into an <i>element</i> whose variable set
/// L_p = (A_p ∪ ⋃_{e∈E_p} L_e) \ {p} stands for the clique the elimination creates; the elements adjacent to p are
/// absorbed into it. Each variable's list holds its elements E_i first, then its variables A_i; all lists live in one
/// integer workspace, whose used part never outgrows the original graph plus the element under construction, so it is
/// compacted (garbage collected) in place when its free tail runs out (ADD96 §2; Davis §7.1).
/// </para>
/// <para>
/// <b>Approximate degree</b> (ADD96 §3). Each variable i of L_p gets the upper bound
/// <c>d_i = min(n_live − |i|, d_i_old + |L_p \ i|, |A_i \ i| + |L_p \ i| + Σ_{e∈E_i\p} |L_e \ L_p|)</c>, and the
/// |L_e \ L_p| of all elements at once come from one sweep over the lists of L_p. Elements with L_e ⊆ L_p are absorbed
/// into p on the way (aggressive absorption).
/// </para>
/// <para>
/// <b>Supervariables</b> (ADD96 §4). Variables of L_p whose lists become equal are <i>indistinguishable</i> and are
/// merged into one supervariable with a weight (found by hashing the lists, then comparing within a hash bucket); a
/// variable whose lists are covered by L_p alone is eliminated together with p (mass elimination). Degrees are counted
/// in weights, so a merged block costs one list.
/// </para>
/// <para>
/// <b>Dense rows</b>: a row with more than max(16, 10·√n) entries would make every degree update touch it; as AMD does,
/// such rows are taken out of the graph and ordered last. The result is a postorder of the assembly tree (elements,
/// with the merged and mass-eliminated variables as children of their representative), which has the fill of the
/// elimination order and numbers every subtree contiguously.
/// </para>
/// Cost: memory 1.2 × the off-diagonal entries of a symmetric input (2.5 × otherwise) plus 10 arrays of n. Time: the
/// degree update of a variable costs O(|E_i| + |A_i|), its list lengths, where an exact degree would sum |L_e| over its
/// elements (ADD96 §3); measured against SuiteSparse's amd_order in bench/RESULTS.md.
/// </summary>
internal static class ApproximateMinimumDegree
{
    /// <summary>Rows with more than max(<see cref="DenseMinimum"/>, <see cref="DenseFactor"/>·√n) off-diagonal entries are ordered last (AMD's default).</summary>
    private const double DenseFactor = 10;
    private const int DenseMinimum = 16;

    /// <summary>
    /// The ordering p (p[new] = old) of the graph whose adjacency is the CSR pattern (self loops and duplicate entries
    /// ignored; an unsymmetric pattern is ordered as the pattern of A + Aᵀ). The inputs are not modified.
    /// </summary>
    public static int[] Order(int n, int[] rowPtr, int[] colInd) => Order(n, rowPtr, colInd, -1);

    /// <summary>
    /// <see cref="Order(int, int[], int[])"/> with the workspace cut to the graph plus <paramref name="elbowRoom"/> free
    /// entries (−1: the default, a fifth of the off-diagonal entries + 2n or more): small values make the tests go
    /// through the compaction and the growth of the workspace, which must not change the ordering.
    /// </summary>
    internal static int[] Order(int n, int[] rowPtr, int[] colInd, int elbowRoom)
    {
        CheckPattern(n, rowPtr, colInd);
        if (n == 0) return [];
        var g = QuotientGraph.Build(n, rowPtr, colInd);
        if (elbowRoom >= 0) Array.Resize(ref g.Iw, g.Used + elbowRoom);
        return Eliminate(g, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CheckPattern(int n, int[] rowPtr, int[] colInd)
    {
        ArgumentNullException.ThrowIfNull(rowPtr);
        ArgumentNullException.ThrowIfNull(colInd);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (rowPtr.Length < n + 1) throw new ArgumentException($"the row pointers of an {n}-row pattern need {n + 1} entries, got {rowPtr.Length}", nameof(rowPtr));
        if (rowPtr[0] < 0 || rowPtr[n] > colInd.Length)
            throw new ArgumentException($"the row pointers span [{rowPtr[0]}, {rowPtr[n]}) but there are {colInd.Length} column indices", nameof(rowPtr));
        for (int i = 0; i < n; i++)
        {
            if (rowPtr[i + 1] < rowPtr[i]) throw new ArgumentException($"row pointers decrease at row {i}", nameof(rowPtr));
            for (int p = rowPtr[i]; p < rowPtr[i + 1]; p++)
                if ((uint)colInd[p] >= (uint)n) throw new ArgumentException($"row {i} has column index {colInd[p]}, outside [0, {n})", nameof(colInd));
        }
    }

    /// <summary>Marks a stored index as a pointer to a parent (or an object head during compaction): FLIP(i) = −i − 2, its own inverse, FLIP(−1) = −1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Flip(int i) => -i - 2;

    /// <summary>
    /// The quotient graph's storage: object j's list is <c>Iw[Pe[j] .. Pe[j] + Len[j])</c>; for a variable its first
    /// <c>Elen[j]</c> entries are elements. <c>Iw[Used..]</c> is free.
    /// </summary>
    private sealed class QuotientGraph
    {
        public required int[] Iw;
        public required int[] Pe;
        public required int[] Len;
        public int Used;

        /// <summary>
        /// The off-diagonal pattern of A + Aᵀ without duplicates, each row's list in the workspace in increasing column
        /// order where the rows are sorted. A pattern that is already symmetric with sorted rows (what the analyses
        /// pass: the pattern of A + Aᵀ) is copied without its diagonal into a workspace of 1.2× its entries + 2n, the
        /// elbow room Davis §7.1 gives; anything else is symmetrized.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static QuotientGraph Build(int n, int[] rowPtr, int[] colInd)
        {
            var pe = new int[n + 1];
            var len = new int[n + 1];
            return IsSortedSymmetric(n, rowPtr, colInd, pe) ? CopyRows(n, rowPtr, colInd, pe, len) : Symmetrize(n, rowPtr, colInd, pe, len);
        }

        /// <summary>
        /// Whether the pattern is symmetric with strictly increasing columns in each row, in one pass: visiting the rows
        /// in order, entry (i, j) must be the next unvisited entry of row j (then the visits pair every entry with its
        /// transpose). <paramref name="cursor"/> is scratch of n entries.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static bool IsSortedSymmetric(int n, int[] rowPtr, int[] colInd, int[] cursor)
        {
            for (int j = 0; j < n; j++) cursor[j] = rowPtr[j];
            for (int i = 0; i < n; i++)
            {
                int prev = -1;
                for (int p = rowPtr[i], pe = rowPtr[i + 1]; p < pe; p++)
                {
                    int j = colInd[p];
                    if (j <= prev) return false;
                    prev = j;
                    int c = cursor[j];
                    if (c >= rowPtr[j + 1] || colInd[c] != i) return false;
                    cursor[j] = c + 1;
                }
            }
            return true;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static QuotientGraph CopyRows(int n, int[] rowPtr, int[] colInd, int[] pe, int[] len)
        {
            long off = rowPtr[n] - rowPtr[0];
            var iw = AllocateWorkspace(off + off / 5 + 2L * n + 1, off);
            int q = 0;
            for (int i = 0; i < n; i++)
            {
                pe[i] = q;
                for (int p = rowPtr[i], end = rowPtr[i + 1]; p < end; p++) if (colInd[p] != i) iw[q++] = colInd[p];
                len[i] = q - pe[i];
            }
            return new QuotientGraph { Iw = iw, Pe = pe, Len = len, Used = q };
        }

        /// <summary>
        /// Lists every entry and its transpose per row (the workspace then holds twice the off-diagonal entries), then
        /// deduplicates each row in place towards the front; what is left behind is the elbow room.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static QuotientGraph Symmetrize(int n, int[] rowPtr, int[] colInd, int[] pe, int[] len)
        {
            long off = 0;
            for (int i = 0; i < n; i++)
                for (int p = rowPtr[i]; p < rowPtr[i + 1]; p++)
                {
                    int j = colInd[p];
                    if (j != i) { len[i]++; len[j]++; off++; }
                }
            // The deduplicated graph has at most 2·off entries; 2.5·off + 2n leaves at least Davis's elbow room.
            var iw = AllocateWorkspace(2 * off + off / 2 + 2L * n + 1, off);
            int at = 0;
            for (int i = 0; i < n; i++) { pe[i] = at; at += len[i]; }
            var fill = new int[n];
            for (int i = 0; i < n; i++) fill[i] = pe[i];
            for (int i = 0; i < n; i++)
                for (int p = rowPtr[i]; p < rowPtr[i + 1]; p++)
                {
                    int j = colInd[p];
                    if (j != i) { iw[fill[i]++] = j; iw[fill[j]++] = i; }
                }
            // Deduplicate row by row with a stamp per column; row i is written from q ≤ pe[i], so it never overtakes
            // the entries still to be read.
            var seen = fill;
            Array.Fill(seen, -1);
            int q = 0;
            for (int i = 0; i < n; i++)
            {
                int p0 = pe[i], p1 = p0 + len[i];
                pe[i] = q;
                for (int p = p0; p < p1; p++)
                {
                    int j = iw[p];
                    if (seen[j] != i) { seen[j] = i; iw[q++] = j; }
                }
                len[i] = q - pe[i];
            }
            return new QuotientGraph { Iw = iw, Pe = pe, Len = len, Used = q };
        }

        private static int[] AllocateWorkspace(long size, long offDiagonal)
        {
            if (size > Array.MaxLength) throw new ArgumentException($"the pattern has {offDiagonal} off-diagonal entries, too many for the ordering's workspace");
            return GC.AllocateUninitializedArray<int>((int)size);
        }

        /// <summary>
        /// Garbage collection (Davis §7.1): slides every live list to the front of the workspace. Each live object's
        /// first entry is swapped with FLIP(j) so that a single scan recognises where lists start.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Compact(int n)
        {
            var iw = Iw; var pe = Pe; var len = Len;
            for (int j = 0; j < n; j++)
            {
                int p = pe[j];
                if (p >= 0 && len[j] > 0) { pe[j] = iw[p]; iw[p] = Flip(j); }
            }
            int q = 0;
            for (int p = 0; p < Used;)
            {
                int j = Flip(iw[p++]);
                if (j < 0) continue;                 // an entry of a dead list
                iw[q] = pe[j];                       // the saved first entry
                pe[j] = q++;
                for (int t = 1; t < len[j]; t++) iw[q++] = iw[p++];
            }
            Used = q;
        }

        /// <summary>Makes room for <paramref name="need"/> more entries at the end: compaction first, a larger workspace only if that is not enough.</summary>
        public void Reserve(int n, int need)
        {
            if ((long)Used + need < Iw.Length) return;
            Compact(n);
            if ((long)Used + need >= Iw.Length) Array.Resize(ref Iw, (int)Math.Min(Array.MaxLength, Used + (long)need + Iw.Length / 4 + 1));
        }
    }

    /// <summary>
    /// The minimum degree elimination on the quotient graph, which leaves each node's parent in the assembly tree
    /// (−1 for a root; n, a dummy, for the dense rows) and its weight (&gt; 0 for elements, the pivots, with the number
    /// of variables eliminated with them; 0 for variables merged into a supervariable or mass-eliminated, whose parent
    /// is their representative; the dummy's weight is the number of dense rows); returns the tree's postorder.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int[] Eliminate(QuotientGraph g, int n)
    {
        var pe = g.Pe; var len = g.Len;
        var nv = new int[n + 1];       // weight of a principal variable (negated while it is in L_k); element: its variables
        var elen = new int[n + 1];     // variables: |E_i|; −1 merged/absorbed variable, −2 element
        var degree = new int[n + 1];   // variables: approximate external degree; elements: weighted |L_e| at creation
        var w = new int[n + 1];        // elements: |L_e \ L_k| + mark while w ≥ mark; 0 = absorbed. Also a stamp for supervariable tests.
        var head = new int[n + 1];     // degree lists
        var next = new int[n + 1];
        var last = new int[n + 1];     // previous in the degree list; while in L_k: its hash
        var hhead = new int[n + 1];    // hash buckets of the variables of L_k
        Array.Fill(head, -1); Array.Fill(next, -1); Array.Fill(last, -1); Array.Fill(hhead, -1);

        int dense = (int)Math.Min(n, Math.Max(DenseMinimum, DenseFactor * Math.Sqrt(n)));
        int nel = 0;
        for (int i = 0; i < n; i++)
        {
            nv[i] = 1; w[i] = 1;
            int d = degree[i] = len[i];
            if (d == 0)
            {
                // An isolated variable is an element at once, a root of the assembly tree.
                elen[i] = -2; nel++; pe[i] = -1; w[i] = 0;
            }
            else if (d > dense)
            {
                // Dense row: out of the graph (nv = 0 makes every list scan skip it), ordered last under the dummy root.
                nv[i] = 0; elen[i] = -1; nel++; nv[n]++;
            }
        }
        if (nv[n] > 0)
        {
            // The dense rows' neighbours start with their degree in the graph that is left (SuiteSparse's AMD keeps the
            // dense rows in these first degrees; the bound d_i_old + |L_p \ i| then stays loose for long: on a grid
            // with three rows coupled to everything its fill was 14 % above the grid's alone, now it is the same).
            var iw = g.Iw;
            for (int i = 0; i < n; i++)
            {
                if (nv[i] != 0 || elen[i] != -1) continue;
                for (int q = pe[i], qe = q + len[i]; q < qe; q++) if (nv[iw[q]] > 0) degree[iw[q]]--;
                pe[i] = Flip(n);
            }
        }
        for (int i = 0; i < n; i++)
        {
            if (nv[i] == 0 || elen[i] != 0) continue;
            int d = degree[i];
            if (head[d] != -1) last[head[d]] = i;
            next[i] = head[d]; head[d] = i;
        }
        pe[n] = -1; elen[n] = -2;

        int mindeg = 0, mark = ClearStamps(0, 0, w, n), lemax = 0;
        while (nel < n)
        {
            // --- The pivot: a variable of least approximate degree.
            int k = -1;
            for (; mindeg < n && (k = head[mindeg]) == -1; mindeg++) { }
            if (next[k] != -1) last[next[k]] = -1;
            head[mindeg] = next[k];
            int elenk = elen[k], nvk = nv[k];
            nel += nvk;

            // --- L_k = A_k ∪ (⋃ L_e, e ∈ E_k), minus k, built in place over k's list when k has no elements (it only
            //     shrinks), else at the end of the workspace; its size is at most k's degree.
            if (elenk > 0) g.Reserve(n, mindeg);
            var iw = g.Iw;
            int dk = 0;
            nv[k] = -nvk;
            int pk = pe[k];
            int pk1 = elenk == 0 ? pk : g.Used, pk2 = pk1;
            for (int k1 = 0; k1 <= elenk; k1++)
            {
                int e, pj, ln;
                if (k1 == elenk) { e = k; pj = pk; ln = len[k] - elenk; }
                else { e = iw[pk++]; pj = pe[e]; ln = len[e]; }
                for (int k2 = 0; k2 < ln; k2++)
                {
                    int i = iw[pj++];
                    int nvi = nv[i];
                    if (nvi <= 0) continue;          // already in L_k, or not a principal variable
                    dk += nvi;
                    nv[i] = -nvi;                    // marks i ∈ L_k
                    iw[pk2++] = i;
                    // i leaves its degree list: its degree changes below.
                    if (next[i] != -1) last[next[i]] = last[i];
                    if (last[i] != -1) next[last[i]] = next[i]; else head[degree[i]] = next[i];
                }
                if (e != k) { pe[e] = Flip(k); w[e] = 0; }   // e is absorbed into k
            }
            if (elenk != 0) g.Used = pk2;
            degree[k] = dk;
            pe[k] = pk1; len[k] = pk2 - pk1; elen[k] = -2;

            // --- |L_e \ L_k| for every element e adjacent to L_k (ADD96 §3): w[e] starts at |L_e| + mark and loses the
            //     weight of each variable of L_k found in L_e.
            mark = ClearStamps(mark, lemax, w, n);
            for (int p = pk1; p < pk2; p++)
            {
                int i = iw[p];
                int eln = elen[i];
                if (eln <= 0) continue;
                int nvi = -nv[i], wnvi = mark - nvi;
                for (int q = pe[i], qe = q + eln; q < qe; q++)
                {
                    int e = iw[q];
                    if (w[e] >= mark) w[e] -= nvi;
                    else if (w[e] != 0) w[e] = degree[e] + wnvi;
                }
            }

            // --- Degree update, element absorption, mass elimination, and the hash of each list.
            for (int p = pk1; p < pk2; p++)
            {
                int i = iw[p];
                int p1 = pe[i], p2 = p1 + elen[i], pn = p1;
                uint h = 0;
                int d = 0;
                for (int q = p1; q < p2; q++)
                {
                    int e = iw[q];
                    if (w[e] == 0) continue;         // absorbed (into k or earlier)
                    int dext = w[e] - mark;
                    if (dext > 0) { d += dext; iw[pn++] = e; h += (uint)e; }
                    else { pe[e] = Flip(k); w[e] = 0; }   // aggressive absorption: L_e ⊆ L_k
                }
                elen[i] = pn - p1 + 1;               // the surviving elements and k
                int p3 = pn, p4 = p1 + len[i];
                for (int q = p2; q < p4; q++)
                {
                    int j = iw[q];
                    int nvj = nv[j];
                    if (nvj <= 0) continue;          // in L_k (covered by element k now) or gone
                    d += nvj; iw[pn++] = j; h += (uint)j;
                }
                if (d == 0)
                {
                    // Mass elimination: i is adjacent to nothing outside L_k, so it is eliminated with k.
                    pe[i] = Flip(k);
                    int nvi = -nv[i];
                    dk -= nvi; nvk += nvi; nel += nvi;
                    nv[i] = 0; elen[i] = -1;
                }
                else
                {
                    degree[i] = Math.Min(degree[i], d);
                    // k becomes i's first element: the old first element moves to the first variable's slot, that
                    // variable to the end. There is room: i lost at least one entry (k itself or an element absorbed into k).
                    iw[pn] = iw[p3]; iw[p3] = iw[p1]; iw[p1] = k;
                    len[i] = pn - p1 + 1;
                    int hb = (int)(h % (uint)n);
                    next[i] = hhead[hb]; hhead[hb] = i; last[i] = hb;
                }
            }
            degree[k] = dk;
            lemax = Math.Max(lemax, dk);
            mark = ClearStamps(mark + lemax, lemax, w, n);

            // --- Supervariables (ADD96 §4): within each hash bucket, compare lists (they all start with k) by stamping
            //     one list's entries and checking another's against the stamps.
            for (int p = pk1; p < pk2; p++)
            {
                int i = iw[p];
                if (nv[i] >= 0) continue;            // mass-eliminated
                int hb = last[i];
                i = hhead[hb]; hhead[hb] = -1;
                for (; i != -1 && next[i] != -1; i = next[i], mark++)
                {
                    int ln = len[i], eln = elen[i];
                    for (int q = pe[i] + 1, qe = pe[i] + ln; q < qe; q++) w[iw[q]] = mark;
                    int jlast = i;
                    for (int j = next[i]; j != -1;)
                    {
                        bool same = len[j] == ln && elen[j] == eln;
                        for (int q = pe[j] + 1, qe = pe[j] + ln; same && q < qe; q++) if (w[iw[q]] != mark) same = false;
                        if (same)
                        {
                            // j is indistinguishable from i: merge it (weights are negative while in L_k).
                            pe[j] = Flip(i); nv[i] += nv[j]; nv[j] = 0; elen[j] = -1;
                            j = next[j]; next[jlast] = j;
                        }
                        else { jlast = j; j = next[j]; }
                    }
                }
            }

            // --- Finish L_k: keep its principal variables, give them their new degrees and put them back in the lists.
            int pw = pk1;
            for (int p = pk1; p < pk2; p++)
            {
                int i = iw[p];
                int nvi = -nv[i];
                if (nvi <= 0) continue;
                nv[i] = nvi;
                int d = Math.Min(degree[i] + dk - nvi, n - nel - nvi);
                if (head[d] != -1) last[head[d]] = i;
                next[i] = head[d]; last[i] = -1; head[d] = i;
                mindeg = Math.Min(mindeg, d);
                degree[i] = d;
                iw[pw++] = i;
            }
            nv[k] = nvk;
            if ((len[k] = pw - pk1) == 0) { pe[k] = -1; w[k] = 0; }   // an empty element is a root
            if (elenk != 0) g.Used = pw;
        }

        // Every node now points to its parent as FLIP(parent), or is a root (−1; an element whose variables were all
        // eliminated after it, which absorbs it, cannot still own a list, but if one did it would be a root as well).
        for (int i = 0; i < n; i++) pe[i] = pe[i] >= 0 ? -1 : Flip(pe[i]);
        // The degree lists are free now: they hold the tree's child lists and the search stack (first touches of fresh
        // memory cost ~11 µs a page on the benchmark VM, 1 s per 355 MB: three more arrays of n would add ~10 %).
        return Postorder(n, pe, nv, head, next, last);
    }

    /// <summary>
    /// A stamp larger than every w of a live element (ADD96's w(e) − mark trick); resets the stamps to 1 (0 stays:
    /// absorbed) before the counter could overflow.
    /// </summary>
    private static int ClearStamps(int mark, int lemax, int[] w, int n)
    {
        if (mark < 2 || mark + lemax < 0)
        {
            for (int k = 0; k < n; k++) if (w[k] != 0) w[k] = 1;
            mark = 2;
        }
        return mark;
    }

    /// <summary>
    /// The ordering: a depth-first postorder of the assembly tree, children before their parent. A variable merged into
    /// a supervariable or eliminated with an element is a child of it, so it comes right before its representative;
    /// the dense rows hang below the dummy root n, which is visited last and left out.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int[] Postorder(int n, int[] parent, int[] weight, int[] firstChild, int[] sibling, int[] stack)
    {
        Array.Fill(firstChild, -1);
        // Children lists in increasing order (pushed from the highest node down), child elements before the merged and
        // mass-eliminated variables, so that those come right before their representative and share its supernode.
        for (int j = n - 1; j >= 0; j--)
            if (weight[j] == 0) { sibling[j] = firstChild[parent[j]]; firstChild[parent[j]] = j; }
        for (int e = n - 1; e >= 0; e--)
            if (weight[e] > 0 && parent[e] != -1) { sibling[e] = firstChild[parent[e]]; firstChild[parent[e]] = e; }
        var perm = new int[n];
        int k = 0;
        for (int root = 0; root <= n; root++)
        {
            bool isRoot = root < n ? weight[root] > 0 && parent[root] == -1 : weight[n] > 0;
            if (!isRoot) continue;
            int top = 0;
            stack[0] = root;
            while (top >= 0)
            {
                int v = stack[top];
                int c = firstChild[v];
                if (c == -1)
                {
                    top--;
                    if (v < n) perm[k++] = v;
                }
                else
                {
                    firstChild[v] = sibling[c];   // detach the child so that v is revisited after it
                    stack[++top] = c;
                }
            }
        }
        if (k != n) throw new InvalidOperationException($"approximate minimum degree: the assembly tree covers {k} of {n} variables");
        return perm;
    }
}
