using System.Runtime.CompilerServices;
namespace TorchSla.Solvers.Direct;

/// <summary>
/// The factors of <see cref="MultifrontalLu"/>, kept as the fronts left them: per front its row and column
/// variables (ordered numbering, after pivoting), the number of pivots npiv, the m×npiv block of L and U11
/// (column-major, leading dimension m: L strictly below the diagonal, unit diagonal implied; U11 on and above it, as the
/// in-place LU of the pivot block leaves them) and U12, the npiv×(m−npiv) rest of U's rows (column-major, leading
/// dimension npiv): u_jc is l[j + c·m] for c &lt; npiv and u[j + (c−npiv)·npiv] for c ≥ npiv. Pivot steps are numbered
/// front by front; the triangular solves walk the fronts with indirect addressing, as the multifrontal solve phase does.
/// </summary>
internal sealed class MultifrontalLuFactors : ILuFactors
{
    private readonly SupernodalSymbolic _s;
    private readonly ArraySegment<int>[] _rows, _cols;
    private readonly int[] _pivots;
    private readonly double[][] _l, _u;
    private readonly long[] _lOff, _uOff;

    /// <summary>
    /// Wraps the fronts' output: front s's block of L and U11 is l[s][lOff[s]..] (m×npiv, column-major) and its U12
    /// u[s][uOff[s]..] (npiv×(m−npiv), column-major); fronts may share one array at different offsets.
    /// </summary>
    public MultifrontalLuFactors(SupernodalSymbolic s, ArraySegment<int>[] rowIndex, ArraySegment<int>[] colIndex, int[] pivots, double[][] l, double[][] u, long[] lOff, long[] uOff, double flops, int delayed)
    {
        _s = s; _rows = rowIndex; _cols = colIndex; _pivots = pivots; _l = l; _u = u; _lOff = lOff; _uOff = uOff; Flops = flops; DelayedPivots = delayed;
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
    /// <para>On a large factor the independent subtrees of the factorization's schedule
    /// (<see cref="MultifrontalFactor.Schedule"/>) are solved in parallel, as they were factored. A row of a subtree's front
    /// is pivoted either in that subtree, whose fronts only that subtree's worker touches, or in a front above the cut:
    /// the forward updates to those rows are summed per subtree in a buffer of their own and added to y in subtree order
    /// (deterministic) before the fronts above the cut run. The backward solve only writes each front's own pivots and
    /// reads its ancestors', so the fronts above the cut go first and then the subtrees, in parallel.</para>
    /// <para><paramref name="work"/> holds z (every entry is written, by the front that pivots it, before it is read), so
    /// a solve takes one fresh vector (y), not two: on the benchmark VM each fresh MB costs 0.2–3.8 ms of first touch.</para>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Solve(Span<double> x, double[] work)
    {
        var perm = _s.Perm;
        int n = _s.N;
        var y = FactorMemory.Allocate<double>(n);
        for (int v = 0; v < n; v++) y[v] = x[perm[v]];
        var z = work;
        DirectProfile.Mark("LU solve: gather, y allocated");
        var plan = ParallelPlan();
        DirectProfile.Mark("LU solve: parallel plan");
        int maxFront = Math.Max(1, MaxFront());
        if (plan is null)
        {
            var loc = new double[maxFront];
            for (int sn = 0; sn < _pivots.Length; sn++) ForwardFront(sn, y, loc, null, null);
            for (int sn = _pivots.Length - 1; sn >= 0; sn--) BackwardFront(sn, y, z, loc);
        }
        else
        {
            var (subtrees, top, topIndex, topRows) = plan;
            var deltas = new double[subtrees.Count][];
            Parallel.For(0, subtrees.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, k =>
            {
                var loc = new double[maxFront];
                var d = new double[topRows.Length];
                for (int sn = subtrees[k].First; sn <= subtrees[k].Last; sn++) ForwardFront(sn, y, loc, topIndex, d);
                deltas[k] = d;
            });
            DirectProfile.Mark("LU solve: forward, subtrees");
            foreach (var d in deltas) for (int t = 0; t < d.Length; t++) y[topRows[t]] += d[t];
            var locTop = new double[maxFront];
            foreach (int sn in top) ForwardFront(sn, y, locTop, null, null);
            for (int t = top.Count - 1; t >= 0; t--) BackwardFront(top[t], y, z, locTop);
            DirectProfile.Mark("LU solve: forward and backward above the cut");
            Parallel.For(0, subtrees.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, k =>
            {
                var loc = new double[maxFront];
                for (int sn = subtrees[k].Last; sn >= subtrees[k].First; sn--) BackwardFront(sn, y, z, loc);
            });
            DirectProfile.Mark("LU solve: backward, subtrees");
        }
        for (int v = 0; v < n; v++) x[perm[v]] = z[v];
    }

    /// <summary>
    /// The forward step of front sn: y's entries at its rows gathered, the unit-lower solve and the update of its other
    /// rows, scattered back — the updates to rows pivoted above the cut (<paramref name="topIndex"/> ≥ 0) into
    /// <paramref name="delta"/> instead, when given.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ForwardFront(int sn, double[] y, double[] loc, int[]? topIndex, double[]? delta)
    {
        ReadOnlySpan<int> ri = _rows[sn];
        int m = ri.Length, np = _pivots[sn];
        var l = LBlock(sn, m);
        if (topIndex is null) for (int i = 0; i < m; i++) loc[i] = y[ri[i]];
        else for (int i = 0; i < m; i++) loc[i] = topIndex[ri[i]] >= 0 ? 0 : y[ri[i]];
        for (int j = 0; j < np; j++)
        {
            double yj = loc[j];
            if (yj != 0) DenseFrontKernels.Axpy(-yj, l.Slice(j * m + j + 1, m - j - 1), loc.AsSpan(j + 1, m - j - 1));
        }
        if (topIndex is null) for (int i = 0; i < m; i++) y[ri[i]] = loc[i];
        else
            for (int i = 0; i < m; i++)
            {
                int t = topIndex[ri[i]];
                if (t >= 0) delta![t] += loc[i]; else y[ri[i]] = loc[i];
            }
    }

    /// <summary>The backward step of front sn with U by columns: first the columns solved in ancestor fronts (U12), then
    /// its pivots (U11, whose column j is column j of L's block above the diagonal).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BackwardFront(int sn, double[] y, double[] z, double[] loc)
    {
        ReadOnlySpan<int> ri = _rows[sn], ci = _cols[sn];
        int m = ri.Length, np = _pivots[sn];
        var l = LBlock(sn, m);
        var yl = loc.AsSpan(0, np);
        for (int p = 0; p < np; p++) yl[p] = y[ri[p]];
        // y_piv −= U12·z_rest as one register-blocked GEMV over the gathered z (the same FMAs in the same order as one AXPY
        // per column, so the same result, without a call per column: U12 is np rows high, mostly 1–4, and those calls took
        // the backward solve of 2D Poisson 1M to 123 ms against 25 ms for the forward one; 82–90 ms with the GEMV).
        for (int c = np; c < m; c++) loc[c] = z[ci[c]];
        DenseFrontKernels.GemvSubtract(_u[sn], (int)_uOff[sn], np, np, m - np, loc, np, loc, 0);
        for (int j = np - 1; j >= 0; j--)
        {
            double zj = yl[j] / l[j * m + j];
            z[ci[j]] = zj;
            if (zj != 0 && j > 0) DenseFrontKernels.Axpy(-zj, l.Slice(j * m, j), yl[..j]);
        }
    }

    /// <summary>Factors with fewer stored entries are solved on one thread (settable for tests) (the parallel solve's buffers and tasks would cost more).</summary>
    internal static long ParallelSolveMinEntries { get; set; } = 4_000_000;

    /// <summary>Whether <see cref="Solve"/> runs the subtrees in parallel (decided on the first solve).</summary>
    internal bool SolvesInParallel => ParallelPlan() is not null;

    private SolvePlan? _solvePlan;
    private bool _solvePlanDone;

    /// <summary>The subtrees, the fronts above them, and the rows pivoted in those fronts (<c>TopIndex[v]</c>: position in <c>TopRows</c>, or −1).</summary>
    private sealed record SolvePlan(List<(int First, int Last)> Subtrees, List<int> Top, int[] TopIndex, int[] TopRows);

    /// <summary>The parallel solve's schedule, or null when the solve runs on one thread.</summary>
    private SolvePlan? ParallelPlan()
    {
        if (_solvePlanDone) return _solvePlan;
        lock (_pivots)
        {
            if (_solvePlanDone) return _solvePlan;
            if (Nnz >= ParallelSolveMinEntries && Environment.ProcessorCount > 1)
            {
                var (subtrees, top) = MultifrontalFactor.Schedule(_s);
                int rowsAbove = 0;
                foreach (int sn in top) rowsAbove += _pivots[sn];
                // One buffer of the rows above the cut per subtree: worth it only while those are few (a few vectors' worth).
                if (subtrees.Count > 1 && (long)subtrees.Count * rowsAbove <= 4L * _s.N + (1 << 20))
                {
                    var topIndex = FactorMemory.Allocate<int>(_s.N);
                    Array.Fill(topIndex, -1);
                    var topRows = new int[rowsAbove];
                    int t = 0;
                    foreach (int sn in top)
                        for (int j = 0; j < _pivots[sn]; j++) { int v = _rows[sn][j]; topIndex[v] = t; topRows[t++] = v; }
                    _solvePlan = new SolvePlan(subtrees, top, topIndex, topRows);
                }
            }
            _solvePlanDone = true;
            return _solvePlan;
        }
    }

    /// <summary>x ← A⁻ᵀ·x: forward with Uᵀ (by column variables), backward with Lᵀ (by row variables), front by front with dense dot products.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void SolveTranspose(Span<double> x, double[] work)
    {
        var perm = _s.Perm;
        int n = _s.N;
        var g = FactorMemory.Allocate<double>(n);
        for (int v = 0; v < n; v++) g[v] = x[perm[v]];
        var z = work;
        // Forward with Uᵀ: column j of U is row j of Uᵀ, so each unknown is one dot product with a contiguous column
        // (U11's in L's block above the diagonal, U12's in U's block).
        var loc = new double[Math.Max(1, MaxFront())];
        for (int sn = 0; sn < _pivots.Length; sn++)
        {
            ReadOnlySpan<int> ri = _rows[sn], ci = _cols[sn];
            int m = ri.Length, np = _pivots[sn];
            var u = UBlock(sn, m);
            var l = LBlock(sn, m);
            var vp = loc.AsSpan(0, np);
            for (int j = 0; j < np; j++)
            {
                vp[j] = (g[ci[j]] - DenseFrontKernels.Dot(l.Slice(j * m, j), vp[..j])) / l[j * m + j];
                z[ri[j]] = vp[j];
            }
            for (int c = np; c < m; c++) g[ci[c]] -= DenseFrontKernels.Dot(u.Slice((c - np) * np, np), vp);
        }
        for (int sn = _pivots.Length - 1; sn >= 0; sn--)
        {
            ReadOnlySpan<int> ri = _rows[sn];
            int m = ri.Length, np = _pivots[sn];
            var l = LBlock(sn, m);
            for (int i = 0; i < m; i++) loc[i] = z[ri[i]];
            for (int j = np - 1; j >= 0; j--)
                loc[j] -= DenseFrontKernels.Dot(l.Slice(j * m + j + 1, m - j - 1), loc.AsSpan(j + 1, m - j - 1));
            for (int j = 0; j < np; j++) z[ri[j]] = loc[j];
        }
        for (int v = 0; v < n; v++) x[perm[v]] = z[v];
    }

    /// <summary>Pivots eliminated in each front.</summary>
    internal int[] Pivots => _pivots;

    /// <summary>The analysis the fronts follow (ordering, assembly tree).</summary>
    internal SupernodalSymbolic Symbolic => _s;

    /// <summary>
    /// The factors in the layout of <see cref="Kernels.Memory.FrontalLuFactor"/> on <paramref name="backend"/>, with the
    /// level schedule <paramref name="levelPtr"/>/<paramref name="levelNodes"/> of the assembly tree. The fronts' blocks
    /// are not repacked: each distinct host array holding them (the shared L and U arrays, and the arrays of fronts that
    /// received delayed columns) is copied once, and a front's offset is its array's place plus its offset there. Null
    /// when the arrays add up to more than one device storage can index.
    /// </summary>
    internal Kernels.Memory.FrontalLuFactor? ToDevice(Kernels.Backend backend, int[] levelPtr, int[] levelNodes)
    {
        int nf = _pivots.Length;
        var indexPtr = new int[nf + 1];
        for (int f = 0; f < nf; f++) indexPtr[f + 1] = checked(indexPtr[f] + _rows[f].Count);
        var ri = new int[indexPtr[nf]]; var ci = new int[indexPtr[nf]];
        for (int f = 0; f < nf; f++) { _rows[f].CopyTo(ri, indexPtr[f]); _cols[f].CopyTo(ci, indexPtr[f]); }
        var lOff = Place(_l, _lOff, out var lArrays, out long lLength);
        var uOff = Place(_u, _uOff, out var uArrays, out long uLength);
        if (lLength > Array.MaxLength || uLength > Array.MaxLength) return null;
        var l = Concatenate(backend, lArrays, (int)lLength);
        var u = Concatenate(backend, uArrays, (int)uLength);
        return new Kernels.Memory.FrontalLuFactor(_s.N, nf, backend.Upload<int>(indexPtr), backend.Upload<int>(ri), backend.Upload<int>(ci),
            backend.Upload<int>(_pivots), backend.Upload<long>(lOff), backend.Upload<long>(uOff), l, u, backend.Upload<int>(levelNodes), levelPtr);
    }

    /// <summary>Each front's offset in the concatenation of the distinct arrays of <paramref name="arrays"/> (in first-use
    /// order), its block starting at <paramref name="offsets"/> in its array.</summary>
    private static long[] Place(double[][] arrays, long[] offsets, out List<double[]> distinct, out long length)
    {
        var start = new Dictionary<double[], long>(ReferenceEqualityComparer.Instance);
        distinct = [];
        length = 0;
        var off = new long[arrays.Length];
        for (int f = 0; f < arrays.Length; f++)
        {
            if (!start.TryGetValue(arrays[f], out long s)) { s = length; start[arrays[f]] = s; distinct.Add(arrays[f]); length += arrays[f].Length; }
            off[f] = s + offsets[f];
        }
        return off;
    }

    private static Kernels.Memory.Storage<double> Concatenate(Kernels.Backend backend, List<double[]> arrays, int length)
    {
        var d = backend.Allocate<double>(length);
        int at = 0;
        foreach (var a in arrays) { d.CopyFrom(a, at); at += a.Length; }
        return d;
    }

    /// <summary>Front sn's m×npiv block of L and U11.</summary>
    private ReadOnlySpan<double> LBlock(int sn, int m) => new(_l[sn], (int)_lOff[sn], m * _pivots[sn]);

    /// <summary>Front sn's npiv×(m−npiv) block U12.</summary>
    private ReadOnlySpan<double> UBlock(int sn, int m) => new(_u[sn], (int)_uOff[sn], (m - _pivots[sn]) * _pivots[sn]);

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
                double d = _l[sn][_lOff[sn] + (long)j * _rows[sn].Count + j];
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
        var s = _s; var rowIndex = _rows; var colIndex = _cols; var pivots = _pivots;
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
            int m = rowIndex[sn].Count, np = pivots[sn];
            var lb = LBlock(sn, m); var ub = UBlock(sn, m);
            for (int j = 0; j < np; j++)
            {
                lnz++;
                for (int i = j + 1; i < m; i++) if (keepExplicitZeros || lb[i + j * m] != 0) lnz++;
                for (int c = j; c < m; c++) if (keepExplicitZeros || c == j || UEntry(lb, ub, m, np, j, c) != 0) unz++;
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
            var lb = LBlock(sn, m); var ub = UBlock(sn, m);
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
                    double v = UEntry(lb, ub, m, np, j, c);
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

    /// <summary>u_jc (c ≥ j) of a front with m rows and np pivots: in U11, stored in its L block (<paramref name="lb"/>)
    /// above the diagonal, or in U12 (<paramref name="ub"/>).</summary>
    private static double UEntry(ReadOnlySpan<double> lb, ReadOnlySpan<double> ub, int m, int np, int j, int c) =>
        c < np ? lb[j + c * m] : ub[j + (c - np) * np];
}
