using System.Runtime.CompilerServices;
namespace TorchSla.Solvers.Direct;

/// <summary>
/// The factors of <see cref="MultifrontalLu"/>, kept as the fronts left them: per front its row and column
/// variables (ordered numbering, after pivoting), the number of pivots npiv, L's m×npiv block (column-major,
/// unit diagonal implied) and U's npiv×m block (column-major, diagonal included). Pivot steps are numbered front
/// by front; the triangular solves walk the fronts with indirect addressing, as the multifrontal solve phase does.
/// </summary>
internal sealed class MultifrontalLuFactors : ILuFactors
{
    private readonly SupernodalSymbolic _s;
    private readonly ArraySegment<int>[] _rows, _cols;
    private readonly int[] _pivots;
    private readonly double[][] _l, _u;
    private readonly long[] _off;

    /// <summary>
    /// Wraps the fronts' output: front s's L block is l[s][off[s]..] (m×npiv, column-major) and its U block
    /// u[s][off[s]..] (npiv×m, column-major); fronts may share one array at different offsets.
    /// </summary>
    public MultifrontalLuFactors(SupernodalSymbolic s, ArraySegment<int>[] rowIndex, ArraySegment<int>[] colIndex, int[] pivots, double[][] l, double[][] u, long[] off, double flops, int delayed)
    {
        _s = s; _rows = rowIndex; _cols = colIndex; _pivots = pivots; _l = l; _u = u; _off = off; Flops = flops; DelayedPivots = delayed;
        int n = s.N;
        Pinv = FactorMemory.Zeroed<int>(n); Q = FactorMemory.Zeroed<int>(n);
        int k = 0;
        long nnz = 0;
        for (int sn = 0; sn < pivots.Length; sn++)
        {
            long m = rowIndex[sn].Count, np = pivots[sn];
            nnz += 2 * (np * m - np * (np - 1) / 2);
            for (int j = 0; j < np; j++, k++) { Pinv[s.Perm[rowIndex[sn][j]]] = k; Q[k] = s.Perm[colIndex[sn][j]]; }
        }
        Nnz = nnz;
    }

    /// <inheritdoc/>
    public int[] Pinv { get; }
    /// <inheritdoc/>
    public int[] Q { get; }
    /// <summary>Stored entries: the trapezoids of L and U below/right of the pivots in every front.</summary>
    public long Nnz { get; }
    /// <inheritdoc/>
    public double Flops { get; }
    /// <summary>Fully-summed columns that fronts passed on to their parents (each counted at every front that delayed it).</summary>
    public int DelayedPivots { get; }

    /// <summary>
    /// x ← A⁻¹·x: forward with L front by front (y by row variables), backward with U (z by column variables). Each
    /// front's entries of the right-hand side are gathered into a dense vector, solved with the front's dense blocks
    /// (unit-lower TRSV and GEMV by contiguous column AXPYs, the supernodal solve of Davis 2006, §9) and scattered back.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Solve(Span<double> x, Span<double> work)
    {
        var perm = _s.Perm;
        int n = _s.N;
        var y = FactorMemory.Zeroed<double>(n);
        for (int v = 0; v < n; v++) y[v] = x[perm[v]];
        var loc = new double[Math.Max(1, MaxFront())];
        for (int sn = 0; sn < _pivots.Length; sn++)
        {
            ReadOnlySpan<int> ri = _rows[sn];
            int m = ri.Length, np = _pivots[sn];
            var l = Block(_l, sn, m);
            for (int i = 0; i < m; i++) loc[i] = y[ri[i]];
            for (int j = 0; j < np; j++)
            {
                double yj = loc[j];
                if (yj != 0) DenseFrontKernels.Axpy(-yj, l.Slice(j * m + j + 1, m - j - 1), loc.AsSpan(j + 1, m - j - 1));
            }
            for (int i = 0; i < m; i++) y[ri[i]] = loc[i];
        }
        // Backward with U by columns: first the columns solved in ancestor fronts, then this front's pivots.
        var z = work;
        for (int sn = _pivots.Length - 1; sn >= 0; sn--)
        {
            ReadOnlySpan<int> ri = _rows[sn], ci = _cols[sn];
            int m = ri.Length, np = _pivots[sn];
            var u = Block(_u, sn, m);
            var yl = loc.AsSpan(0, np);
            for (int p = 0; p < np; p++) yl[p] = y[ri[p]];
            for (int c = np; c < m; c++)
            {
                double zc = z[ci[c]];
                if (zc != 0) DenseFrontKernels.Axpy(-zc, u.Slice(c * np, np), yl);
            }
            for (int j = np - 1; j >= 0; j--)
            {
                double zj = yl[j] / u[j * np + j];
                z[ci[j]] = zj;
                if (zj != 0 && j > 0) DenseFrontKernels.Axpy(-zj, u.Slice(j * np, j), yl[..j]);
            }
        }
        for (int v = 0; v < n; v++) x[perm[v]] = z[v];
    }

    /// <summary>x ← A⁻ᵀ·x: forward with Uᵀ (by column variables), backward with Lᵀ (by row variables), front by front with dense dot products.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void SolveTranspose(Span<double> x, Span<double> work)
    {
        var perm = _s.Perm;
        int n = _s.N;
        var g = FactorMemory.Zeroed<double>(n);
        for (int v = 0; v < n; v++) g[v] = x[perm[v]];
        var z = work;
        // Forward with Uᵀ: column j of U is row j of Uᵀ, so each unknown is one dot product with a contiguous column.
        var loc = new double[Math.Max(1, MaxFront())];
        for (int sn = 0; sn < _pivots.Length; sn++)
        {
            ReadOnlySpan<int> ri = _rows[sn], ci = _cols[sn];
            int m = ri.Length, np = _pivots[sn];
            var u = Block(_u, sn, m);
            var vp = loc.AsSpan(0, np);
            for (int j = 0; j < np; j++)
            {
                vp[j] = (g[ci[j]] - DenseFrontKernels.Dot(u.Slice(j * np, j), vp[..j])) / u[j * np + j];
                z[ri[j]] = vp[j];
            }
            for (int c = np; c < m; c++) g[ci[c]] -= DenseFrontKernels.Dot(u.Slice(c * np, np), vp);
        }
        for (int sn = _pivots.Length - 1; sn >= 0; sn--)
        {
            ReadOnlySpan<int> ri = _rows[sn];
            int m = ri.Length, np = _pivots[sn];
            var l = Block(_l, sn, m);
            for (int i = 0; i < m; i++) loc[i] = z[ri[i]];
            for (int j = np - 1; j >= 0; j--)
                loc[j] -= DenseFrontKernels.Dot(l.Slice(j * m + j + 1, m - j - 1), loc.AsSpan(j + 1, m - j - 1));
            for (int j = 0; j < np; j++) z[ri[j]] = loc[j];
        }
        for (int v = 0; v < n; v++) x[perm[v]] = z[v];
    }

    /// <summary>Front sn's m×npiv block (L) or npiv×m block (U) in <paramref name="arrays"/>.</summary>
    private ReadOnlySpan<double> Block(double[][] arrays, int sn, int m) => new(arrays[sn], (int)_off[sn], m * _pivots[sn]);

    private int MaxFront()
    {
        int k = 0;
        foreach (var r in _rows) k = Math.Max(k, r.Count);
        return k;
    }

    /// <summary>det A = sign(P)·sign(Q)·Π u_kk.</summary>
    public (double LogAbsDet, int Sign) LogDeterminant()
    {
        double sum = 0; int sign = SparseLuFactors.PermutationSign(Pinv) * SparseLuFactors.PermutationSign(Q);
        for (int sn = 0; sn < _pivots.Length; sn++)
        {
            for (int j = 0; j < _pivots[sn]; j++)
            {
                double d = _u[sn][_off[sn] + j * _pivots[sn] + j];
                sum += Math.Log(Math.Abs(d));
                if (d < 0) sign = -sign;
            }
        }
        return (sum, sign);
    }

    /// <summary>The factors in compressed columns (pivot order; exact zeros dropped unless <paramref name="keepExplicitZeros"/>:
    /// then every position of the fronts' L and U blocks, a structure closed under the fill rule).</summary>
    public SparseLuFactors ToCompressedColumns(bool keepExplicitZeros = false)
    {
        var s = _s; var rowIndex = _rows; var colIndex = _cols; var pivots = _pivots; var lBlocks = _l; var uBlocks = _u;
        int n = s.N, ns = s.SuperCount;
        var rowStep = FactorMemory.Zeroed<int>(n); var colStep = FactorMemory.Zeroed<int>(n);
        int k = 0;
        for (int sn = 0; sn < ns; sn++)
            for (int j = 0; j < pivots[sn]; j++) { rowStep[rowIndex[sn][j]] = k; colStep[colIndex[sn][j]] = k; k++; }
        // L by columns (step order = front order), diagonal first.
        var lp = FactorMemory.Zeroed<int>(n + 1);
        long lnz = 0, unz = 0;
        for (int sn = 0; sn < ns; sn++)
        {
            int m = rowIndex[sn].Count;
            for (int j = 0; j < pivots[sn]; j++)
            {
                lnz++;
                for (int i = j + 1; i < m; i++) if (keepExplicitZeros || lBlocks[sn][_off[sn] + i + (long)j * m] != 0) lnz++;
                for (int c = j; c < m; c++) if (keepExplicitZeros || uBlocks[sn][_off[sn] + (long)c * pivots[sn] + j] != 0 || c == j) unz++;
            }
        }
        if (lnz > Array.MaxLength || unz > Array.MaxLength)
            throw new InvalidOperationException($"the LU factors have {lnz:N0} + {unz:N0} entries, more than one array holds");
        var li = new int[lnz]; var lx = new double[lnz];
        // U by rows first (then transposed to columns): row k holds (step of column, value), diagonal first.
        var urp = FactorMemory.Zeroed<int>(n + 1);
        var uci = new int[unz]; var uvx = new double[unz];
        int lw = 0, uw = 0, step = 0;
        for (int sn = 0; sn < ns; sn++)
        {
            ReadOnlySpan<int> ri = rowIndex[sn], ci = colIndex[sn];
            int m = ri.Length, np = pivots[sn];
            var lb = Block(lBlocks, sn, m); var ub = Block(uBlocks, sn, m);
            for (int j = 0; j < np; j++, step++)
            {
                lp[step] = lw;
                li[lw] = step; lx[lw++] = 1;
                for (int i = j + 1; i < m; i++)
                {
                    double v = lb[i + j * m];
                    if (keepExplicitZeros || v != 0) { li[lw] = rowStep[ri[i]]; lx[lw++] = v; }
                }
                urp[step] = uw;
                for (int c = j; c < m; c++)
                {
                    double v = ub[c * np + j];
                    if (keepExplicitZeros || v != 0 || c == j) { uci[uw] = colStep[ci[c]]; uvx[uw++] = v; }
                }
            }
        }
        lp[n] = lw; urp[n] = uw;
        // Transpose U: scanning rows in increasing order leaves each column's rows ascending, so its diagonal is last.
        var up = FactorMemory.Zeroed<int>(n + 1);
        for (int t = 0; t < uw; t++) up[uci[t] + 1]++;
        for (int j = 0; j < n; j++) up[j + 1] += up[j];
        var next = (int[])up.Clone();
        var ui = new int[uw]; var ux = new double[uw];
        for (int row = 0; row < n; row++)
            for (int t = urp[row]; t < urp[row + 1]; t++) { int w = next[uci[t]]++; ui[w] = row; ux[w] = uvx[t]; }
        return new SparseLuFactors { N = n, Lp = lp, Li = li, Lx = lx, Up = up, Ui = ui, Ux = ux, Pinv = (int[])Pinv.Clone(), Q = (int[])Q.Clone(), Flops = Flops };
    }
}
