using System.Runtime.CompilerServices;
using System.Buffers;

namespace TorchSla.Solvers.Direct;

/// <summary>
/// Multifrontal LDLᵀ factorization P·A·Pᵀ = L·D·Lᵀ of a symmetric indefinite matrix with 1×1 and 2×2
/// pivots chosen inside the fully-summed block of each front and <b>delayed pivots</b> (Duff &amp; Reid,
/// "The multifrontal solution of indefinite sparse symmetric linear equations", ACM TOMS 9(3), 1983;
/// Liu, SIAM Review 34(3), 1992, §8; Duff, "MA57", ACM TOMS 30(2), 2004). The supernodal analysis
/// (<see cref="SupernodalSymbolic"/>) fixes the assembly tree; the numeric phase may change the order
/// of elimination inside it.
/// <para>Each front holds the variables it must eliminate (its own columns, after those delayed by its
/// children) followed by the rows that only receive updates. Pivots are searched left to right among
/// the fully-summed columns with the threshold test of Duff &amp; Reid (u = <see cref="Threshold"/>,
/// measured over the <i>whole</i> column, non-fully-summed rows included, so |l_ij| ≤ 1/u):
/// a 1×1 pivot a_cc is taken when |a_cc| ≥ u·max_{i≠c}|a_ic|; otherwise the 2×2 pivot (c, q), q the
/// largest off-diagonal of column c in the fully-summed block (the Bunch–Kaufman choice of partner),
/// is taken when |P⁻¹|·(γ_c, γ_q)ᵀ ≤ (1/u, 1/u)ᵀ, γ the column maxima outside the pair. Columns for
/// which neither test passes are not eliminated: they travel, with their updated entries, to the
/// parent front as extra fully-summed variables (delayed pivots), where later updates and more rows
/// can make them acceptable. At a root no parent is left and every row is fully summed: a column that
/// fails the test there is pivoted by the Bunch–Kaufman rule (1×1 or 2×2 with α = (1+√17)/8), which
/// always finds a pivot unless the matrix is singular. The solves add iterative refinement.</para>
/// <para>Work: the eliminations update the fully-summed columns one pivot at a time (vector AXPYs); the
/// Schur complement of the remaining rows, which carries most of the flops in large fronts, is one
/// blocked product F22 ← F22 − L21·(D·L21ᵀ) with the packed SYRK kernel of <see cref="DenseFrontKernels"/>.
/// Independent subtrees run in parallel as in <see cref="MultifrontalFactor"/>.</para>
/// </summary>
internal sealed class MultifrontalLdlt
{
    /// <summary>Threshold u of the pivot test (MA57's default 0.01: entries of L are bounded by 100).</summary>
    public const double Threshold = 0.01;

    private MultifrontalLdlt(SupernodalSymbolic s, int[][] index, int[] pivots, double[][] l, double[][] d, int delayed, int twoByTwo)
    {
        Symbolic = s; Index = index; Pivots = pivots; L = l; D = d; Delayed = delayed; TwoByTwoPivots = twoByTwo;
    }

    /// <summary>The analysis whose assembly tree was used.</summary>
    public SupernodalSymbolic Symbolic { get; }
    /// <summary>Per front: its variables (ordered numbering) in final local order; the first <see cref="Pivots"/>[s] were eliminated there.</summary>
    public int[][] Index { get; }
    /// <summary>Per front: number of pivots eliminated in it.</summary>
    public int[] Pivots { get; }
    /// <summary>Per front: its m×nfs fully-summed columns, column-major; the first npiv are its block of L (unit diagonal implied, rows below each pivot meaningful).</summary>
    public double[][] L { get; }
    /// <summary>Per front: 2·npiv values, D's diagonal then its subdiagonal (nonzero only at the first column of a 2×2 pivot).</summary>
    public double[][] D { get; }
    /// <summary>Sum over fronts of the columns passed on to the parent uneliminated.</summary>
    public int Delayed { get; }
    /// <summary>Number of 2×2 pivots.</summary>
    public int TwoByTwoPivots { get; }

    /// <summary>Stored entries of L: Σ over fronts of the trapezoid below the pivots (unit diagonal included).</summary>
    public long NnzL
    {
        get
        {
            long t = 0;
            for (int s = 0; s < Pivots.Length; s++) { long m = Index[s].Length, k = Pivots[s]; t += k * m - k * (k - 1) / 2; }
            return t;
        }
    }

    /// <summary>
    /// Factors the value set <paramref name="values"/> (one per CSR slot of the analysed pattern).
    /// </summary>
    /// <exception cref="SingularMatrixException">A column is zero in its (updated) front: A is singular.</exception>
    public static MultifrontalLdlt Factor(SupernodalSymbolic s, ReadOnlySpan<double> values)
    {
        int ns = s.SuperCount, n = s.N;
        var index = new int[ns][];
        var pivots = new int[ns];
        var lBlocks = new double[ns][];
        var dBlocks = new double[ns][];
        var contribution = new double[]?[ns];
        var delayedOut = new int[ns];
        int delayed = 0, twoByTwo = 0;
        var vals = values.ToArray();
        // The workers' position maps are the analysis' spare work arrays when this is its first factorization.
        var scratch = s.TakeScratch() ?? new IndexScratch(n);
        using var maps = new ThreadLocal<int[]>(scratch.RentZeroed);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void Node(int sn, bool parallel)
        {
            int f = s.SuperStart[sn], k = s.SuperStart[sn + 1] - f;
            int r0 = s.RowPtr[sn], r = s.RowPtr[sn + 1] - r0;
            int nd = 0;
            for (int c = s.ChildPtr[sn]; c < s.ChildPtr[sn + 1]; c++) nd += delayedOut[s.Children[c]];
            int m = nd + r, nfs = nd + k;
            // Local variables: the children's delayed ones first, then the supernode's own rows (own columns, rows below).
            var idx = new int[m];
            int w = 0;
            for (int c = s.ChildPtr[sn]; c < s.ChildPtr[sn + 1]; c++)
            {
                int ch = s.Children[c];
                for (int t = 0; t < delayedOut[ch]; t++) idx[w++] = index[ch][pivots[ch] + t];
            }
            Array.Copy(s.Rows, r0, idx, nd, r);
            var map = maps.Value!;
            for (int i = 0; i < m; i++) map[idx[i]] = i;
            // The front in two pieces: its m×nfs fully-summed columns (kept whole, both triangles, so that symmetric
            // interchanges are column swaps), which become this front's block of L as they are, and the lower triangle of
            // the (m−nfs)² rest, which becomes the update matrix handed to the parent (pooled). Nothing is copied out.
            int mc = m - nfs;
            var fa = GC.AllocateUninitializedArray<double>(checked(m * nfs));
            var fc = mc > 0 ? ArrayPool<double>.Shared.Rent(mc * mc) : [];
            Array.Clear(fa);
            Array.Clear(fc, 0, mc * mc);
            for (int j = f; j < f + k; j++)
            {
                int col = map[j] * m;
                for (int q = s.AColPtr[j]; q < s.AColPtr[j + 1]; q++) fa[map[s.ARowInd[q]] + col] += vals[s.ASource[q]];
            }
            for (int c = s.ChildPtr[sn]; c < s.ChildPtr[sn + 1]; c++)
            {
                int ch = s.Children[c];
                var u = contribution[ch];
                if (u is null) continue;
                var cidx = index[ch];
                int p0 = pivots[ch], mcc = cidx.Length - p0;
                // Extend-add of the child's lower-triangle contribution; a delayed variable may land before or after
                // another in this front's order, so each entry goes to the lower triangle here: column min(pi, pj).
                for (int jj = 0; jj < mcc; jj++)
                {
                    int pj = map[cidx[p0 + jj]];
                    int src = jj * mcc;
                    for (int ii = jj; ii < mcc; ii++)
                    {
                        int pi = map[cidx[p0 + ii]];
                        int hi = Math.Max(pi, pj), lo = Math.Min(pi, pj);
                        if (lo < nfs) fa[hi + lo * m] += u[ii + src]; else fc[hi - nfs + (lo - nfs) * mc] += u[ii + src];
                    }
                }
                ArrayPool<double>.Shared.Return(u);
                contribution[ch] = null;
            }
            for (int j = 0; j < nfs; j++)
                for (int i = 0; i < j; i++) fa[i + j * m] = fa[j + i * m];

            var dl = new double[2 * nfs];
            bool root = s.SuperParent[sn] < 0;
            Elimination result;
            try
            {
                result = EliminateFullySummed(fa, m, nfs, idx, s.Perm, dl, root);
                if (mc > 0 && result.Pivots > 0) SchurUpdate(fa, fc, m, nfs, result.Pivots, dl, parallel);
            }
            catch { if (mc > 0) ArrayPool<double>.Shared.Return(fc); throw; }
            int npiv = result.Pivots;
            if (result.TwoByTwo > 0) Interlocked.Add(ref twoByTwo, result.TwoByTwo);
            if (nfs > npiv) Interlocked.Add(ref delayed, nfs - npiv);

            var dd = new double[2 * npiv];
            Array.Copy(dl, 0, dd, 0, npiv);
            Array.Copy(dl, nfs, dd, npiv, npiv);
            lBlocks[sn] = fa; dBlocks[sn] = dd; index[sn] = idx; pivots[sn] = npiv; delayedOut[sn] = nfs - npiv;
            int mo = m - npiv;
            if (npiv == nfs) { if (mc > 0 && !root) contribution[sn] = fc; else if (mc > 0) ArrayPool<double>.Shared.Return(fc); }
            else
            {
                // Delayed columns: the update matrix over [npiv, m), delayed variables first, gathered from both pieces.
                if (mo > 0 && !root)
                {
                    var u = ArrayPool<double>.Shared.Rent(mo * mo);
                    for (int jj = 0; jj < mo; jj++)
                    {
                        int col = npiv + jj;
                        if (col < nfs) Array.Copy(fa, col + col * m, u, jj + jj * mo, mo - jj);
                        else Array.Copy(fc, col - nfs + (col - nfs) * mc, u, jj + jj * mo, mo - jj);
                    }
                    contribution[sn] = u;
                }
                if (mc > 0) ArrayPool<double>.Shared.Return(fc);
            }
        }

        MultifrontalFactor.Traverse(s, Node, contribution);
        return new MultifrontalLdlt(s, index, pivots, lBlocks, dBlocks, delayed, twoByTwo);
    }

    private struct Elimination { public int Pivots, TwoByTwo; }

    /// <summary>
    /// Eliminates what it can of the first <paramref name="nfs"/> (fully-summed, stored whole) columns of the m×m front,
    /// moving each pivot to the next position by a symmetric interchange (also applied to <paramref name="idx"/>).
    /// On return columns [0, npiv) hold L below the pivots and D is in d[0..npiv) (diagonal) and d[nfs..nfs+npiv)
    /// (subdiagonal); columns [npiv, nfs) are updated by every pivot; columns ≥ nfs are not touched.
    /// At a root (<paramref name="root"/>: nothing can be delayed, every row is fully summed) a column that fails the
    /// threshold test is pivoted by the Bunch–Kaufman rule instead.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Elimination EliminateFullySummed(double[] f, int m, int nfs, int[] idx, int[] perm, double[] d, bool root)
    {
        var e = new Elimination();
        int done = 0;
        while (done < nfs)
        {
            var (found, partner) = ThresholdPivot(f, m, nfs, done, idx, perm);
            if (found < 0 && root) (found, partner) = BunchKaufmanPivot(f, m, done, idx, perm);
            if (found < 0) break;
            SymmetricSwap(f, m, nfs, idx, done, found);
            if (partner < 0)
            {
                EliminateOne(f, m, nfs, done, d);
                done++;
            }
            else
            {
                if (partner == done) partner = found; // the partner sat where the pivot went
                SymmetricSwap(f, m, nfs, idx, done + 1, partner);
                EliminateTwo(f, m, nfs, done, d);
                done += 2;
                e.TwoByTwo++;
            }
        }
        e.Pivots = done;
        return e;
    }

    /// <summary>
    /// The first fully-summed column c ≥ <paramref name="done"/> that passes the Duff–Reid threshold test as a 1×1
    /// pivot (partner −1) or, with its largest fully-summed off-diagonal q, as a 2×2 pivot; (−1, −1) if none.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int Pivot, int Partner) ThresholdPivot(double[] f, int m, int nfs, int done, int[] idx, int[] perm)
    {
        const double u = Threshold;
        for (int c = done; c < nfs; c++)
        {
            int cc = c * m;
            double acc = f[c + cc], gamma = 0;
            for (int i = done; i < m; i++) if (i != c) gamma = Math.Max(gamma, Math.Abs(f[i + cc]));
            if (acc == 0 && gamma == 0) throw Singular(perm[idx[c]]);
            if (acc != 0 && Math.Abs(acc) >= u * gamma) return (c, -1);
            int q = -1; double best = 0;
            for (int i = done; i < nfs; i++)
                if (i != c && Math.Abs(f[i + cc]) > best) { best = Math.Abs(f[i + cc]); q = i; }
            if (q < 0) continue;
            int qq = q * m;
            double a = acc, b = f[q + cc], dq = f[q + qq];
            double det = a * dq - b * b;
            if (det == 0) continue;
            double gc = 0, gq = 0;
            for (int i = done; i < m; i++)
            {
                if (i == c || i == q) continue;
                gc = Math.Max(gc, Math.Abs(f[i + cc]));
                gq = Math.Max(gq, Math.Abs(f[i + qq]));
            }
            // |D⁻¹|·(γ_c, γ_q)ᵀ ≤ (1/u, 1/u)ᵀ with |D⁻¹| = [|dq| |b|; |b| |a|] / |det|.
            double lim = Math.Abs(det);
            if (u * (Math.Abs(dq) * gc + Math.Abs(b) * gq) <= lim && u * (Math.Abs(b) * gc + Math.Abs(a) * gq) <= lim) return (c, q);
        }
        return (-1, -1);
    }

    /// <summary>
    /// Bunch–Kaufman pivot for column <paramref name="done"/> of a front whose rows are all fully summed
    /// (Bunch &amp; Kaufman, Math. Comp. 31, 1977; Golub &amp; Van Loan §4.4.4): α = (1 + √17)/8 bounds the growth.
    /// </summary>
    private static (int Pivot, int Partner) BunchKaufmanPivot(double[] f, int m, int done, int[] idx, int[] perm)
    {
        const double alpha = 0.6403882032022076;
        int c = done, cc = c * m;
        double a11 = Math.Abs(f[c + cc]), lambda = 0;
        int r = -1;
        for (int i = done + 1; i < m; i++) if (Math.Abs(f[i + cc]) > lambda) { lambda = Math.Abs(f[i + cc]); r = i; }
        if (lambda == 0)
        {
            if (a11 == 0) throw Singular(perm[idx[c]]);
            return (c, -1);
        }
        if (a11 >= alpha * lambda) return (c, -1);
        int rr = r * m;
        double sigma = 0;
        for (int i = done; i < m; i++) if (i != r) sigma = Math.Max(sigma, Math.Abs(f[i + rr]));
        if (a11 * sigma >= alpha * lambda * lambda) return (c, -1);
        if (Math.Abs(f[r + rr]) >= alpha * sigma) return (r, -1);
        return (c, r);
    }

    private static SingularMatrixException Singular(int column) =>
        new($"the matrix is singular: column {column} of A is zero after elimination of the pivots before it", column);

    /// <summary>Interchanges variables a and b (both in [0, nfs)) of the front: P·F·P with whole fully-summed columns, L rows included.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SymmetricSwap(double[] f, int m, int nfs, int[] idx, int a, int b)
    {
        if (a == b) return;
        (idx[a], idx[b]) = (idx[b], idx[a]);
        var ca = new Span<double>(f, a * m, m); var cb = new Span<double>(f, b * m, m);
        for (int i = 0; i < m; i++) (ca[i], cb[i]) = (cb[i], ca[i]);
        for (int j = 0; j < nfs; j++) { int cj = j * m; (f[a + cj], f[b + cj]) = (f[b + cj], f[a + cj]); }
    }

    /// <summary>1×1 pivot at p: rank-1 update of the remaining fully-summed columns, then L's column p = column p / d_p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void EliminateOne(double[] f, int m, int nfs, int p, double[] d)
    {
        int cp = p * m;
        double dp = f[p + cp];
        d[p] = dp; d[nfs + p] = 0;
        var lp = new ReadOnlySpan<double>(f, cp + p + 1, m - p - 1);
        for (int c = p + 1; c < nfs; c++)
        {
            double w = f[c + cp];
            if (w != 0) Axpy(-w / dp, lp, new Span<double>(f, c * m + p + 1, m - p - 1));
        }
        double inv = 1 / dp;
        for (int i = p + 1; i < m; i++) f[i + cp] *= inv;
    }

    /// <summary>2×2 pivot at (p, p+1): rank-2 update of the remaining fully-summed columns, then [l_p l_p+1] = [a_p a_p+1]·D⁻¹.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void EliminateTwo(double[] f, int m, int nfs, int p, double[] d)
    {
        int cp = p * m, cq = cp + m;
        double a = f[p + cp], b = f[p + 1 + cp], c2 = f[p + 1 + cq];
        double det = a * c2 - b * b;
        // D⁻¹ = [c2 −b; −b a] / det.
        double i11 = c2 / det, i12 = -b / det, i22 = a / det;
        d[p] = a; d[p + 1] = c2; d[nfs + p] = b; d[nfs + p + 1] = 0;
        int len = m - p - 2;
        var x = new ReadOnlySpan<double>(f, cp + p + 2, len);
        var y = new ReadOnlySpan<double>(f, cq + p + 2, len);
        for (int c = p + 2; c < nfs; c++)
        {
            double w1 = f[c + cp], w2 = f[c + cq];
            if (w1 == 0 && w2 == 0) continue;
            double z1 = i11 * w1 + i12 * w2, z2 = i12 * w1 + i22 * w2;
            var col = new Span<double>(f, c * m + p + 2, len);
            Axpy(-z1, x, col);
            Axpy(-z2, y, col);
        }
        for (int i = p + 2; i < m; i++)
        {
            double x1 = f[i + cp], x2 = f[i + cq];
            f[i + cp] = x1 * i11 + x2 * i12;
            f[i + cq] = x1 * i12 + x2 * i22;
        }
        f[p + 1 + cp] = 0; // L is unit lower triangular: the 2×2 block lives in D
    }

    /// <summary>C (the rows/columns ≥ nfs, lower, leading dimension m − nfs) −= L21·(D·L21ᵀ) for the npiv eliminated columns, D with 2×2 blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SchurUpdate(double[] f, double[] c, int m, int nfs, int npiv, double[] d, bool parallel)
    {
        int rows = m - nfs;
        var w = ArrayPool<double>.Shared.Rent(rows * npiv);
        try
        {
            for (int j = 0; j < npiv; j++)
            {
                double dj = d[j], sub = d[nfs + j];
                int cj = j * m + nfs;
                if (sub != 0)
                {
                    // 2×2 block [dj sub; sub d_{j+1}]: W[:, j] = L_j·dj + L_{j+1}·sub, W[:, j+1] = L_j·sub + L_{j+1}·d_{j+1}.
                    double dn = d[j + 1];
                    int cn = cj + m;
                    for (int i = 0; i < rows; i++)
                    {
                        double x1 = f[cj + i], x2 = f[cn + i];
                        w[i + j * rows] = x1 * dj + x2 * sub;
                        w[i + (j + 1) * rows] = x1 * sub + x2 * dn;
                    }
                    j++;
                    continue;
                }
                for (int i = 0; i < rows; i++) w[i + j * rows] = f[cj + i] * dj;
            }
            DenseFrontKernels.Gemm(c, rows, 0, 0, rows, rows, f, m, nfs, 0, w, rows, 0, npiv, lowerOnly: true, parallel);
        }
        finally { ArrayPool<double>.Shared.Return(w); }
    }

    private static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y) => DenseFrontKernels.Axpy(alpha, x, y);

    /// <summary>Solves the ordered system in place: x ← Pᵀ·L⁻ᵀ·D⁻¹·L⁻¹·P·x. <paramref name="work"/> has N entries.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Solve(Span<double> x, Span<double> work)
    {
        var s = Symbolic;
        int n = s.N, ns = s.SuperCount;
        var perm = s.Perm;
        var y = work;
        for (int k = 0; k < n; k++) y[k] = x[perm[k]];
        for (int sn = 0; sn < ns; sn++)
        {
            var idx = Index[sn]; var l = L[sn];
            int m = idx.Length, np = Pivots[sn];
            for (int j = 0; j < np; j++)
            {
                double yj = y[idx[j]];
                if (yj == 0) continue;
                int c = j * m;
                for (int i = j + 1; i < m; i++) y[idx[i]] -= l[c + i] * yj;
            }
            var d = D[sn];
            for (int j = 0; j < np; j++)
            {
                double sub = d[np + j];
                if (sub == 0) { y[idx[j]] /= d[j]; continue; }
                double a = d[j], c2 = d[j + 1], det = a * c2 - sub * sub;
                double y1 = y[idx[j]], y2 = y[idx[j + 1]];
                y[idx[j]] = (c2 * y1 - sub * y2) / det;
                y[idx[j + 1]] = (a * y2 - sub * y1) / det;
                j++;
            }
        }
        for (int sn = ns - 1; sn >= 0; sn--)
        {
            var idx = Index[sn]; var l = L[sn];
            int m = idx.Length, np = Pivots[sn];
            for (int j = np - 1; j >= 0; j--)
            {
                int c = j * m;
                double t = y[idx[j]];
                for (int i = j + 1; i < m; i++) t -= l[c + i] * y[idx[i]];
                y[idx[j]] = t;
            }
        }
        for (int k = 0; k < n; k++) x[perm[k]] = y[k];
    }

    /// <summary>log|det A|, sign(det A) and the number of negative eigenvalues (Sylvester: the inertia of D).</summary>
    public (double LogAbsDet, int Sign, int Negative) Determinant()
    {
        double sum = 0; int sign = 1, neg = 0;
        for (int sn = 0; sn < Pivots.Length; sn++)
        {
            var d = D[sn]; int np = Pivots[sn];
            for (int j = 0; j < np; j++)
            {
                double sub = d[np + j];
                if (sub == 0)
                {
                    sum += Math.Log(Math.Abs(d[j]));
                    if (d[j] < 0) { sign = -sign; neg++; }
                    continue;
                }
                double det = d[j] * d[j + 1] - sub * sub;
                sum += Math.Log(Math.Abs(det));
                // A 2×2 block with det < 0 has one negative eigenvalue; with det > 0 both share the sign of its trace.
                if (det < 0) { sign = -sign; neg++; }
                else if (d[j] + d[j + 1] < 0) neg += 2;
                j++;
            }
        }
        return (sum, sign, neg);
    }

    /// <summary>
    /// The factors in compressed columns in the elimination order: perm[k] = column of A eliminated at step k,
    /// L unit lower triangular (rows ascending), D's diagonal and subdiagonal, so that A[perm, perm] = L·D·Lᵀ.
    /// </summary>
    public (int[] Perm, int[] ColumnPointers, int[] RowIndices, double[] Values, double[] Diagonal, double[] Subdiagonal) ToCompressedColumns()
    {
        var s = Symbolic;
        int n = s.N;
        var step = new int[n];
        var perm = new int[n];
        var diag = new double[n]; var sub = new double[n];
        int k = 0;
        for (int sn = 0; sn < Pivots.Length; sn++)
            for (int j = 0; j < Pivots[sn]; j++)
            {
                step[Index[sn][j]] = k; perm[k] = s.Perm[Index[sn][j]];
                diag[k] = D[sn][j]; sub[k] = D[sn][Pivots[sn] + j];
                k++;
            }
        var cp = new int[n + 1];
        var cols = new List<(int Row, double Value)>[n];
        for (int sn = 0; sn < Pivots.Length; sn++)
        {
            var idx = Index[sn]; int m = idx.Length;
            for (int j = 0; j < Pivots[sn]; j++)
            {
                var list = new List<(int, double)>(m - j) { (step[idx[j]], 1.0) };
                for (int i = j + 1; i < m; i++) if (L[sn][i + j * m] != 0) list.Add((step[idx[i]], L[sn][i + j * m]));
                list.Sort((p, q) => p.Item1.CompareTo(q.Item1));
                cols[step[idx[j]]] = list;
            }
        }
        for (int j = 0; j < n; j++) cp[j + 1] = cp[j] + cols[j].Count;
        var ri = new int[cp[n]]; var v = new double[cp[n]];
        for (int j = 0; j < n; j++)
        {
            int w = cp[j];
            foreach (var (row, value) in cols[j]) { ri[w] = row; v[w] = value; w++; }
        }
        return (perm, cp, ri, v, diag, sub);
    }
}
