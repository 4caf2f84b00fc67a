using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TorchSla.Solvers.Direct;

/// <summary>
/// Dense kernels of a multifrontal step: the partial factorization of a frontal matrix F
/// (r×r, lower triangle, column-major, leading dimension r) over its first k columns,
/// <code>
/// F = [F11 F21ᵀ; F21 F22] → L11·L11ᵀ = F11, L21 = F21·L11⁻ᵀ, F22 ← F22 − L21·L21ᵀ
/// </code>
/// (and the Schur-complement product alone, <see cref="Update"/>, for the pivoting LDLᵀ). It is the right-looking blocked algorithm (Golub &amp; Van Loan, "Matrix
/// Computations", 4th ed., §4.2.8): a panel of nb columns is factored unblocked, the rows below
/// it are solved against it (TRSM), and the trailing lower triangle is updated by a rank-nb
/// product (SYRK) that carries almost all the flops. The SYRK packs the panel into 8-row strips
/// (GotoBLAS-style packing: Goto &amp; van de Geijn, ACM TOMS 34(3), 2008) and runs an 8×4
/// register-blocked micro-kernel with <see cref="Fma"/> on <see cref="Vector256{T}"/>; row strips
/// are grouped so a group of packed panel stays in L2 while every column block passes over it.
/// Large updates are spread over the thread pool by row groups.
/// </summary>
internal static class DenseFrontKernels
{
    private const int PanelWidth = 96;   // nb: SYRK depth; 8·nb doubles of a strip stay in L1
    private const int RowGroup = 192;    // rows of packed panel kept hot in L2 (192·96·8 B = 144 KiB)
    private const double ParallelFlops = 4e6;

    /// <summary>Outcome of a partial Cholesky factorization.</summary>
    public struct Outcome
    {
        /// <summary>Local column whose pivot was not positive, −1 if none.</summary>
        public int FailedColumn;
        /// <summary>The failing pivot value.</summary>
        public double FailedPivot;
    }

    /// <summary>
    /// Factors the first k columns of an r×r front (Cholesky) stored in two parts: its first k columns, r×k column-major
    /// with leading dimension r at l[lOff..] — they become the supernode's block of L in place — and its trailing
    /// (r−k)×(r−k) lower triangle at <paramref name="u"/> (leading dimension r−k), which becomes the Schur complement
    /// passed to the parent. Keeping the two apart lets the multifrontal factorization assemble straight into the
    /// factor's storage instead of clearing and copying an r×r front. A pivot ≤ <paramref name="tau"/> stops the
    /// factorization and is reported.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Outcome PartialCholesky(double[] l, int lOff, int r, int k, double[] u, double tau, bool parallel)
    {
        var outcome = new Outcome { FailedColumn = -1 };
        int m = r - k;
        double[]? pack = null;
        try
        {
            for (int j0 = 0; j0 < k; j0 += PanelWidth)
            {
                int jb = Math.Min(PanelWidth, k - j0);
                int bad = CholeskyBlock(l, lOff, r, j0, jb, tau, out double piv);
                if (bad >= 0) { outcome.FailedColumn = j0 + bad; outcome.FailedPivot = piv; return outcome; }
                int below = r - j0 - jb;
                if (below == 0) continue;
                SolveBelow(l, lOff, r, j0, jb, parallel);
                // Trailing update by the panel rows below it: the columns j0+jb..k still in L, then the Schur complement.
                int inL = k - j0 - jb;
                int need = (below + 7) / 8 * 8 * jb;
                if (pack is null || pack.Length < need)
                {
                    if (pack is not null) System.Buffers.ArrayPool<double>.Shared.Return(pack);
                    pack = System.Buffers.ArrayPool<double>.Shared.Rent(need);
                }
                if (inL > 0)
                {
                    Pack(l, r, lOff + j0 + jb, j0, below, jb, pack);
                    Syrk(l, r, lOff + j0 + jb, below, j0 + jb, inL, jb, pack, pack, true, parallel);
                }
                if (m > 0)
                {
                    Pack(l, r, lOff + k, j0, m, jb, pack);
                    Syrk(u, m, 0, m, 0, m, jb, pack, pack, true, parallel);
                }
            }
            return outcome;
        }
        finally
        {
            if (pack is not null) System.Buffers.ArrayPool<double>.Shared.Return(pack);
        }
    }

    /// <summary>
    /// F[rowFirst.., colFirst..] (rows × cols, leading dimension r) −= X·Wᵀ with X = F[rowFirst.., col0..col0+depth)
    /// and W (cols × depth, column-major, leading dimension <paramref name="wld"/>): the Schur-complement update of a
    /// front whose eliminated columns are given, with W = L21·D (LDLᵀ, <paramref name="lowerOnly"/>: rowFirst = colFirst,
    /// rows = cols, lower triangle only). Packed SYRK/GEMM in panels of <see cref="PanelWidth"/>.
    /// </summary>
    public static void Update(double[] f, int r, int rowFirst, int rows, int colFirst, int cols, int col0, int depth, double[] w, int wld, bool lowerOnly, bool parallel) =>
        Gemm(f, r, rowFirst, colFirst, rows, cols, f, r, rowFirst, col0, w, wld, 0, depth, lowerOnly, parallel);

    /// <summary>
    /// C −= X·Wᵀ on three column-major arrays that may differ: C = c[cRow + i + (cCol + j)·ldc] (rows × cols),
    /// X = x[xRow + i + (xCol + p)·ldx] (rows × depth), W = w[wRow + j + p·wld] (cols × depth). Array offsets fold into
    /// cRow/xRow/wRow. The multifrontal LU keeps a front in three such pieces (its L columns, U rows and Schur
    /// complement) and updates each with this. <paramref name="lowerOnly"/>: C square, only its lower triangle.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gemm(double[] c, int ldc, int cRow, int cCol, int rows, int cols, double[] x, int ldx, int xRow, int xCol,
        double[] w, int wld, int wRow, int depth, bool lowerOnly, bool parallel)
    {
        if (rows <= 0 || cols <= 0 || depth <= 0) return;
        int pw = Math.Min(PanelWidth, depth);
        var packA = System.Buffers.ArrayPool<double>.Shared.Rent((rows + 7) / 8 * 8 * pw);
        var packB = System.Buffers.ArrayPool<double>.Shared.Rent((cols + 7) / 8 * 8 * pw);
        try
        {
            for (int p0 = 0; p0 < depth; p0 += PanelWidth)
            {
                int pb = Math.Min(PanelWidth, depth - p0);
                Pack(x, ldx, xRow, xCol + p0, rows, pb, packA);
                Pack(w, wld, wRow, p0, cols, pb, packB);
                Syrk(c, ldc, cRow, rows, cCol, cols, pb, packA, packB, lowerOnly, parallel);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(packA);
            System.Buffers.ArrayPool<double>.Shared.Return(packB);
        }
    }

    /// <summary>Unblocked left-looking Cholesky of the jb×jb diagonal block at (j0, j0) of f[o..] (leading dimension r); returns the failing local column or −1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int CholeskyBlock(double[] f, int o, int r, int j0, int jb, double tau, out double pivot)
    {
        pivot = double.NaN;
        for (int j = j0; j < j0 + jb; j++)
        {
            // Column j of the block: a(j:, j) −= Σ_{t<j} l(j:, t)·l(j, t), then scale by 1/√a_jj.
            var cj = new Span<double>(f, o + j + j * r, j0 + jb - j);
            for (int t = j0; t < j; t++)
            {
                double ljt = f[o + j + t * r];
                if (ljt != 0) Axpy(-ljt, new ReadOnlySpan<double>(f, o + j + t * r, j0 + jb - j), cj);
            }
            double djj = cj[0];
            if (!(djj > tau)) { pivot = djj; return j - j0; }
            double sq = Math.Sqrt(djj);
            cj[0] = sq;
            double inv = 1 / sq;
            for (int i = 1; i < cj.Length; i++) cj[i] *= inv;
        }
        return -1;
    }

    /// <summary>
    /// Rows below the panel: X = B·L⁻ᵀ for B = F[j0+jb.., j0..j0+jb), in row groups that stay in cache. With 512-bit
    /// vectors, blocks of 32 rows are solved in registers (<see cref="SolveRows32"/>); other rows column by column
    /// with vector AXPYs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SolveBelow(double[] f, int o, int r, int j0, int jb, bool parallel)
    {
        int first = j0 + jb, rows = r - first;
        int groups = (rows + RowGroup - 1) / RowGroup;
        double[]? lt = null;
        if (Vector512.IsHardwareAccelerated && rows >= 32)
        {
            // L11ᵀ row-major (lt[j·jb + t] = l_jt, t ≤ j) with the reciprocal diagonal, so the register solve reads it contiguously.
            lt = System.Buffers.ArrayPool<double>.Shared.Rent(jb * jb);
            for (int j = 0; j < jb; j++)
            {
                for (int t = 0; t < j; t++) lt[j * jb + t] = f[o + j0 + j + (j0 + t) * r];
                lt[j * jb + j] = 1 / f[o + j0 + j + (j0 + j) * r];
            }
        }
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void Group(int g)
        {
            int i0 = first + g * RowGroup, i1 = Math.Min(r, i0 + RowGroup);
            if (lt is not null) for (; i0 + 32 <= i1; i0 += 32) SolveRows32(f, o, r, i0, j0, jb, lt);
            int len = i1 - i0;
            if (len == 0) return;
            for (int j = j0; j < j0 + jb; j++)
            {
                var cj = new Span<double>(f, o + i0 + j * r, len);
                for (int t = j0; t < j; t++)
                {
                    double ljt = f[o + j + t * r];
                    if (ljt != 0) Axpy(-ljt, new ReadOnlySpan<double>(f, o + i0 + t * r, len), cj);
                }
                double scale = 1 / f[o + j + j * r];
                for (int i = 0; i < len; i++) cj[i] *= scale;
            }
        }
        if (parallel && (double)rows * jb * jb > ParallelFlops) Parallel.For(0, groups, Group);
        else for (int g = 0; g < groups; g++) Group(g);
        if (lt is not null) System.Buffers.ArrayPool<double>.Shared.Return(lt);
    }

    /// <summary>
    /// Rows i0..i0+32 of the panel solve X·L11ᵀ = B, column by column: x_j = (b_j − Σ_{t&lt;j} x_t·l_jt)/l_jj with the 32
    /// rows of x_j in four 512-bit registers (four independent FMA chains) and the solved columns read back from L1,
    /// one store per column instead of one per AXPY.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SolveRows32(double[] f, int o, int r, int i0, int j0, int jb, double[] lt)
    {
        ref double rf = ref f[o];
        ref double rl = ref lt[0];
        for (int j = 0; j < jb; j++)
        {
            nuint cj = (nuint)(i0 + (j0 + j) * r);
            var x0 = Vector512.LoadUnsafe(ref rf, cj); var x1 = Vector512.LoadUnsafe(ref rf, cj + 8);
            var x2 = Vector512.LoadUnsafe(ref rf, cj + 16); var x3 = Vector512.LoadUnsafe(ref rf, cj + 24);
            nuint lj = (nuint)(j * jb);
            for (int t = 0; t < j; t++)
            {
                var l = Vector512.Create(-Unsafe.Add(ref rl, lj + (nuint)t));
                nuint ct = (nuint)(i0 + (j0 + t) * r);
                x0 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref rf, ct), l, x0);
                x1 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref rf, ct + 8), l, x1);
                x2 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref rf, ct + 16), l, x2);
                x3 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref rf, ct + 24), l, x3);
            }
            var d = Vector512.Create(Unsafe.Add(ref rl, lj + (nuint)j));
            (x0 * d).StoreUnsafe(ref rf, cj); (x1 * d).StoreUnsafe(ref rf, cj + 8);
            (x2 * d).StoreUnsafe(ref rf, cj + 16); (x3 * d).StoreUnsafe(ref rf, cj + 24);
        }
    }

    /// <summary>
    /// y[0..rows) −= A·x for the column-major rows×cols block A at a[aOff..] (leading dimension lda) and x[xOff..xOff+cols):
    /// 16 rows at a time in four 256-bit accumulators that take every column's FMA before one store (a GEMV of the small
    /// fronts' Schur update, where one vector AXPY per column and pivot cost more in calls and stores than in flops).
    /// Columns whose x is zero are skipped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void GemvSubtract(double[] a, int aOff, int lda, int rows, int cols, double[] x, int xOff, double[] y, int yOff)
    {
        if (rows <= 0 || cols <= 0) return;
        _ = a[aOff + (cols - 1) * lda + rows - 1]; _ = x[xOff + cols - 1]; _ = y[yOff + rows - 1];   // bounds, once
        ref double ra = ref a[aOff];
        ref double rx = ref x[xOff];
        ref double ry = ref y[yOff];
        int i = 0;
        if (Vector256.IsHardwareAccelerated && Fma.IsSupported)
        {
            for (; i + 16 <= rows; i += 16)
            {
                var y0 = Vector256.LoadUnsafe(ref ry, (nuint)i); var y1 = Vector256.LoadUnsafe(ref ry, (nuint)i + 4);
                var y2 = Vector256.LoadUnsafe(ref ry, (nuint)i + 8); var y3 = Vector256.LoadUnsafe(ref ry, (nuint)i + 12);
                for (int j = 0; j < cols; j++)
                {
                    double xj = Unsafe.Add(ref rx, j);
                    if (xj == 0) continue;
                    var v = Vector256.Create(-xj);
                    nuint c = (nuint)(i + j * lda);
                    y0 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref ra, c), v, y0);
                    y1 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref ra, c + 4), v, y1);
                    y2 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref ra, c + 8), v, y2);
                    y3 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref ra, c + 12), v, y3);
                }
                y0.StoreUnsafe(ref ry, (nuint)i); y1.StoreUnsafe(ref ry, (nuint)i + 4);
                y2.StoreUnsafe(ref ry, (nuint)i + 8); y3.StoreUnsafe(ref ry, (nuint)i + 12);
            }
            for (; i + 4 <= rows; i += 4)
            {
                var y0 = Vector256.LoadUnsafe(ref ry, (nuint)i);
                for (int j = 0; j < cols; j++)
                {
                    double xj = Unsafe.Add(ref rx, j);
                    if (xj != 0) y0 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref ra, (nuint)(i + j * lda)), Vector256.Create(-xj), y0);
                }
                y0.StoreUnsafe(ref ry, (nuint)i);
            }
        }
        for (; i < rows; i++)
        {
            double t = Unsafe.Add(ref ry, i);
            for (int j = 0; j < cols; j++) t -= Unsafe.Add(ref ra, i + j * lda) * Unsafe.Add(ref rx, j);
            Unsafe.Add(ref ry, i) = t;
        }
    }

    /// <summary>y += alpha·x, vectorized.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(alpha);
            ref double rx = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
            ref double ry = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(y);
            for (; i + 4 <= x.Length; i += 4)
            {
                var vy = Vector256.LoadUnsafe(ref ry, (nuint)i);
                var vx = Vector256.LoadUnsafe(ref rx, (nuint)i);
                (Fma.IsSupported ? Fma.MultiplyAdd(vx, va, vy) : vy + vx * va).StoreUnsafe(ref ry, (nuint)i);
            }
        }
        for (; i < x.Length; i++) y[i] += alpha * x[i];
    }

    /// <summary>Σ x_i·y_i, vectorized (four independent accumulators).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int i = 0;
        double s = 0;
        if (Vector256.IsHardwareAccelerated && x.Length >= 16)
        {
            ref double rx = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
            ref double ry = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(y);
            Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i + 16 <= x.Length; i += 16)
            {
                nuint o = (nuint)i;
                a0 += Vector256.LoadUnsafe(ref rx, o) * Vector256.LoadUnsafe(ref ry, o);
                a1 += Vector256.LoadUnsafe(ref rx, o + 4) * Vector256.LoadUnsafe(ref ry, o + 4);
                a2 += Vector256.LoadUnsafe(ref rx, o + 8) * Vector256.LoadUnsafe(ref ry, o + 8);
                a3 += Vector256.LoadUnsafe(ref rx, o + 12) * Vector256.LoadUnsafe(ref ry, o + 12);
            }
            s = Vector256.Sum((a0 + a1) + (a2 + a3));
        }
        for (; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }

    /// <summary>
    /// Packs rows [row0, row0+rows) × columns [col0, col0+cols) of F into 8-row strips: strip s holds
    /// p-major 8-tuples, pack[s·8·cols + p·8 + ii] = F[row0 + 8s + ii, col0 + p], zero-padded.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pack(double[] f, int r, int row0, int col0, int rows, int cols, double[] pack)
    {
        int strips = (rows + 7) / 8;
        for (int s = 0; s < strips; s++)
        {
            int i0 = row0 + 8 * s, h = Math.Min(8, rows - 8 * s);
            int dst = s * 8 * cols;
            for (int p = 0; p < cols; p++)
            {
                int src = i0 + (col0 + p) * r;
                int ii = 0;
                for (; ii < h; ii++) pack[dst + ii] = f[src + ii];
                for (; ii < 8; ii++) pack[dst + ii] = 0;
                dst += 8;
            }
        }
    }

    /// <summary>
    /// F[rowFirst.., colFirst..] (rows × cols) −= A·Bᵀ with A (rows × depth) and B (cols × depth) packed: column blocks
    /// of 4, row strips of 8; with <paramref name="lower"/> (square, same first) only the lower triangle, and only
    /// blocks touching it are computed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Syrk(double[] f, int r, int rowFirst, int rows, int colFirst, int cols, int depth, double[] a, double[] b, bool lower, bool parallel)
    {
        int strips = (rows + 7) / 8;
        int groupStrips = RowGroup / 8;
        int groups = (strips + groupStrips - 1) / groupStrips;
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void Group(int g)
        {
            int s0 = g * groupStrips, s1 = Math.Min(strips, s0 + groupStrips);
            int colEnd = lower ? Math.Min(cols, s1 * 8) : cols;
            if (Vector512.IsHardwareAccelerated)
            {
                // 16×8 blocks (two row strips × one column strip) where the row strips pair up; an odd last strip
                // takes the 8×4 kernel twice.
                for (int j = 0; j < colEnd; j += 8)
                {
                    int bAt = (j >> 3) * 8 * depth;
                    int s = lower ? Math.Max(s0, j >> 3) : s0;
                    for (; s + 1 < s1; s += 2)
                        MicroKernel512(f, r, rowFirst, rows, colFirst, cols, s * 8, j, depth, a, s * 8 * depth, b, bAt, lower);
                    if (s < s1)
                        for (int jj = j; jj < Math.Min(j + 8, colEnd); jj += 4)
                            MicroKernel(f, r, rowFirst, rows, colFirst, cols, s * 8, jj, depth, a, s * 8 * depth, b, bAt + (jj & 7), lower);
                }
                return;
            }
            for (int j = 0; j < colEnd; j += 4)
            {
                int bStrip = j >> 3, bOff = j & 7;
                for (int s = lower ? Math.Max(s0, j >> 3) : s0; s < s1; s++)
                    MicroKernel(f, r, rowFirst, rows, colFirst, cols, s * 8, j, depth, a, s * 8 * depth, b, bStrip * 8 * depth + bOff, lower);
            }
        }
        if (parallel && groups > 1 && (double)rows * cols * depth > ParallelFlops) Parallel.For(0, groups, Group);
        else for (int g = 0; g < groups; g++) Group(g);
    }

    /// <summary>The 8×4 block C[i0..i0+8, j0..j0+4] −= Σ_p a(i, p)·b(j, p), clipped to the block (and to the lower triangle when <paramref name="lower"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernel(double[] f, int r, int rowFirst, int rows, int colFirst, int cols, int i0, int j0, int depth, double[] a, int aOff, double[] b, int bOff, bool lower)
    {
        bool full = i0 + 8 <= rows && j0 + 4 <= cols && (!lower || i0 >= j0 + 3);
        if (Fma.IsSupported)
        {
            ref double ra = ref a[aOff];
            ref double rb = ref b[bOff];
            Vector256<double> c00 = default, c01 = default, c02 = default, c03 = default;
            Vector256<double> c10 = default, c11 = default, c12 = default, c13 = default;
            for (int p = 0; p < depth; p++)
            {
                nuint o = (nuint)(p * 8);
                var a0 = Vector256.LoadUnsafe(ref ra, o);
                var a1 = Vector256.LoadUnsafe(ref ra, o + 4);
                var b0 = Vector256.Create(Unsafe.Add(ref rb, o));
                var b1 = Vector256.Create(Unsafe.Add(ref rb, o + 1));
                var b2 = Vector256.Create(Unsafe.Add(ref rb, o + 2));
                var b3 = Vector256.Create(Unsafe.Add(ref rb, o + 3));
                c00 = Fma.MultiplyAdd(a0, b0, c00); c10 = Fma.MultiplyAdd(a1, b0, c10);
                c01 = Fma.MultiplyAdd(a0, b1, c01); c11 = Fma.MultiplyAdd(a1, b1, c11);
                c02 = Fma.MultiplyAdd(a0, b2, c02); c12 = Fma.MultiplyAdd(a1, b2, c12);
                c03 = Fma.MultiplyAdd(a0, b3, c03); c13 = Fma.MultiplyAdd(a1, b3, c13);
            }
            if (full)
            {
                ref double rf = ref f[0];
                nuint bas = (nuint)(rowFirst + i0 + (colFirst + j0) * r);
                nuint rr = (nuint)r;
                Sub(ref rf, bas, c00, c10);
                Sub(ref rf, bas + rr, c01, c11);
                Sub(ref rf, bas + 2 * rr, c02, c12);
                Sub(ref rf, bas + 3 * rr, c03, c13);
                return;
            }
            Span<double> tile = stackalloc double[32];
            c00.CopyTo(tile[0..]); c10.CopyTo(tile[4..]);
            c01.CopyTo(tile[8..]); c11.CopyTo(tile[12..]);
            c02.CopyTo(tile[16..]); c12.CopyTo(tile[20..]);
            c03.CopyTo(tile[24..]); c13.CopyTo(tile[28..]);
            Scatter(f, r, rowFirst, rows, colFirst, cols, i0, j0, tile, lower);
            return;
        }
        Span<double> t = stackalloc double[32];
        for (int p = 0; p < depth; p++)
            for (int jj = 0; jj < 4; jj++)
            {
                double bj = b[bOff + p * 8 + jj];
                for (int ii = 0; ii < 8; ii++) t[jj * 8 + ii] += a[aOff + p * 8 + ii] * bj;
            }
        Scatter(f, r, rowFirst, rows, colFirst, cols, i0, j0, t, lower);
    }

    /// <summary>
    /// The 16×8 block C[i0..i0+16, j0..j0+8] −= Σ_p a(i, p)·b(j, p) with 512-bit registers: row strips i0/8 and i0/8 + 1 of
    /// the packed A (one vector each per p) against one whole 8-column strip of the packed B (8 broadcasts), 16
    /// accumulators — twice the 8×4 kernel's work per loaded byte, on cores with two 512-bit FMA pipes twice its peak.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernel512(double[] f, int r, int rowFirst, int rows, int colFirst, int cols, int i0, int j0, int depth, double[] a, int aOff, double[] b, int bOff, bool lower)
    {
        ref double ra = ref a[aOff];
        ref double ra1 = ref a[aOff + 8 * depth];
        ref double rb = ref b[bOff];
        Vector512<double> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        Vector512<double> d0 = default, d1 = default, d2 = default, d3 = default, d4 = default, d5 = default, d6 = default, d7 = default;
        for (int p = 0; p < depth; p++)
        {
            nuint o = (nuint)(p * 8);
            var x0 = Vector512.LoadUnsafe(ref ra, o);
            var x1 = Vector512.LoadUnsafe(ref ra1, o);
            var y = Vector512.Create(Unsafe.Add(ref rb, o));
            c0 = Avx512F.FusedMultiplyAdd(x0, y, c0); d0 = Avx512F.FusedMultiplyAdd(x1, y, d0);
            y = Vector512.Create(Unsafe.Add(ref rb, o + 1));
            c1 = Avx512F.FusedMultiplyAdd(x0, y, c1); d1 = Avx512F.FusedMultiplyAdd(x1, y, d1);
            y = Vector512.Create(Unsafe.Add(ref rb, o + 2));
            c2 = Avx512F.FusedMultiplyAdd(x0, y, c2); d2 = Avx512F.FusedMultiplyAdd(x1, y, d2);
            y = Vector512.Create(Unsafe.Add(ref rb, o + 3));
            c3 = Avx512F.FusedMultiplyAdd(x0, y, c3); d3 = Avx512F.FusedMultiplyAdd(x1, y, d3);
            y = Vector512.Create(Unsafe.Add(ref rb, o + 4));
            c4 = Avx512F.FusedMultiplyAdd(x0, y, c4); d4 = Avx512F.FusedMultiplyAdd(x1, y, d4);
            y = Vector512.Create(Unsafe.Add(ref rb, o + 5));
            c5 = Avx512F.FusedMultiplyAdd(x0, y, c5); d5 = Avx512F.FusedMultiplyAdd(x1, y, d5);
            y = Vector512.Create(Unsafe.Add(ref rb, o + 6));
            c6 = Avx512F.FusedMultiplyAdd(x0, y, c6); d6 = Avx512F.FusedMultiplyAdd(x1, y, d6);
            y = Vector512.Create(Unsafe.Add(ref rb, o + 7));
            c7 = Avx512F.FusedMultiplyAdd(x0, y, c7); d7 = Avx512F.FusedMultiplyAdd(x1, y, d7);
        }
        bool full = i0 + 16 <= rows && j0 + 8 <= cols && (!lower || i0 >= j0 + 7);
        if (full)
        {
            ref double rf = ref f[0];
            nuint at = (nuint)(rowFirst + i0 + (colFirst + j0) * r), rr = (nuint)r;
            Sub512(ref rf, at, c0, d0); Sub512(ref rf, at + rr, c1, d1);
            Sub512(ref rf, at + 2 * rr, c2, d2); Sub512(ref rf, at + 3 * rr, c3, d3);
            Sub512(ref rf, at + 4 * rr, c4, d4); Sub512(ref rf, at + 5 * rr, c5, d5);
            Sub512(ref rf, at + 6 * rr, c6, d6); Sub512(ref rf, at + 7 * rr, c7, d7);
            return;
        }
        // Clipped block: the two 8×4 halves of each strip through the scalar scatter.
        Span<double> tile = stackalloc double[32];
        for (int half = 0; half < 2; half++)
        {
            var (u0, u1, u2, u3) = half == 0 ? (c0, c1, c2, c3) : (c4, c5, c6, c7);
            var (v0, v1, v2, v3) = half == 0 ? (d0, d1, d2, d3) : (d4, d5, d6, d7);
            u0.CopyTo(tile[0..]); u1.CopyTo(tile[8..]); u2.CopyTo(tile[16..]); u3.CopyTo(tile[24..]);
            Scatter(f, r, rowFirst, rows, colFirst, cols, i0, j0 + 4 * half, tile, lower);
            v0.CopyTo(tile[0..]); v1.CopyTo(tile[8..]); v2.CopyTo(tile[16..]); v3.CopyTo(tile[24..]);
            Scatter(f, r, rowFirst, rows, colFirst, cols, i0 + 8, j0 + 4 * half, tile, lower);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Sub512(ref double f, nuint at, Vector512<double> lo, Vector512<double> hi)
    {
        (Vector512.LoadUnsafe(ref f, at) - lo).StoreUnsafe(ref f, at);
        (Vector512.LoadUnsafe(ref f, at + 8) - hi).StoreUnsafe(ref f, at + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Sub(ref double f, nuint at, Vector256<double> lo, Vector256<double> hi)
    {
        (Vector256.LoadUnsafe(ref f, at) - lo).StoreUnsafe(ref f, at);
        (Vector256.LoadUnsafe(ref f, at + 4) - hi).StoreUnsafe(ref f, at + 4);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scatter(double[] f, int r, int rowFirst, int rows, int colFirst, int cols, int i0, int j0, ReadOnlySpan<double> tile, bool lower)
    {
        for (int jj = 0; jj < 4 && j0 + jj < cols; jj++)
            for (int ii = 0; ii < 8 && i0 + ii < rows; ii++)
                if (!lower || i0 + ii >= j0 + jj) f[rowFirst + i0 + ii + (colFirst + j0 + jj) * r] -= tile[jj * 8 + ii];
    }
}
