using ILGPU;
using ILGPU.Algorithms;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// One level of the supernodal triangular sweeps of <see cref="Backend.SupernodalSolve"/>: one group per supernode of
/// the level. The diagonal block is solved in panels of one warp's width (blocked TRSV, Golub &amp; Van Loan §3.1.3):
/// inside a panel one warp substitutes with the panel's entries of x in registers, passed between lanes by shuffles (the
/// column-by-column dependency chain costs no barrier), then the whole group applies the panel to the rows below it.
/// The rectangular part below the diagonal block is a dense product whose reads are coalesced: the block is stored
/// column-major, so consecutive threads read consecutive rows of one column.
/// </summary>
internal static class SupernodalKernels
{
    public const int GroupSize = 128;

    /// <summary>
    /// Forward sweep x ← L⁻¹·x over the supernodes nodes[first …]: the diagonal block panel by panel, then each row i
    /// below it subtracts Σ_j l_ij·x_j from its (ancestor's) entry, atomically, since the supernodes of a level may share
    /// ancestor rows.
    /// </summary>
    public static void Forward(ArrayView<int> start, ArrayView<int> rowPtr, ArrayView<int> rows, ArrayView<long> offsets,
        ArrayView<double> l, ArrayView<int> nodes, ArrayView<double> x, int first)
    {
        int t = Group.IdxX, g = Group.DimX, lane = Warp.LaneIdx, width = Warp.WarpSize;
        int sn = nodes[first + Grid.IdxX];
        int f = start[sn], k = start[sn + 1] - f, r0 = rowPtr[sn], r = rowPtr[sn + 1] - r0;
        long off = offsets[sn];
        for (int p = 0; p < k; p += width)
        {
            int m = IntrinsicMath.Min(width, k - p);
            if (t < width)
            {
                double xv = lane < m ? x[f + p + lane] : 0.0;
                for (int j = 0; j < m; j++)
                {
                    long c = off + (long)(p + j) * r + p;
                    double xj = Warp.Shuffle(xv, j) / l[c + j];
                    if (lane == j) xv = xj;
                    else if (lane > j && lane < m) xv -= l[c + lane] * xj;
                }
                if (lane < m) x[f + p + lane] = xv;
            }
            Group.Barrier();
            for (int i = p + m + t; i < k; i += g)
            {
                double s = 0;
                for (int j = 0; j < m; j++) s += l[off + (long)(p + j) * r + i] * x[f + p + j];
                x[f + i] -= s;
            }
            Group.Barrier();
        }
        for (int i = k + t; i < r; i += g)
        {
            double s = 0;
            for (int j = 0; j < k; j++) s += l[off + (long)j * r + i] * x[f + j];
            Atomic.Add(ref x[rows[r0 + i]], -s);
        }
    }

    /// <summary>
    /// Backward sweep x ← L⁻ᵀ·x over the supernodes nodes[first …]: each column j of the block gathers
    /// Σ_i l_ij·x_rows[i] over the rows below the diagonal block (ancestors' entries, final at this level), one warp per
    /// column with a shuffle reduction; then the diagonal block panel by panel from the last: the panel's columns gather
    /// the rows of the block below the panel (warp per column), and one warp substitutes inside the panel.
    /// </summary>
    public static void Backward(ArrayView<int> start, ArrayView<int> rowPtr, ArrayView<int> rows, ArrayView<long> offsets,
        ArrayView<double> l, ArrayView<int> nodes, ArrayView<double> x, int first)
    {
        int t = Group.IdxX, g = Group.DimX;
        int lane = Warp.LaneIdx, width = Warp.WarpSize, warps = g / width, w = t / width;
        int sn = nodes[first + Grid.IdxX];
        int f = start[sn], k = start[sn + 1] - f, r0 = rowPtr[sn], r = rowPtr[sn + 1] - r0;
        long off = offsets[sn];
        for (int j = w; j < k; j += warps)
        {
            long c = off + (long)j * r;
            double s = 0;
            for (int i = k + lane; i < r; i += width) s += l[c + i] * x[rows[r0 + i]];
            s = WarpSum(s, width);
            if (lane == 0) x[f + j] -= s;
        }
        Group.Barrier();
        for (int end = k; end > 0; end -= width)
        {
            int p = IntrinsicMath.Max(0, end - width), m = end - p;
            for (int j = p + w; j < end; j += warps)
            {
                long c = off + (long)j * r;
                double s = 0;
                for (int i = end + lane; i < k; i += width) s += l[c + i] * x[f + i];
                s = WarpSum(s, width);
                if (lane == 0) x[f + j] -= s;
            }
            Group.Barrier();
            if (t < width)
            {
                double xv = lane < m ? x[f + p + lane] : 0.0;
                for (int j = m - 1; j >= 0; j--)
                {
                    double xj = Warp.Shuffle(xv, j) / l[off + (long)(p + j) * r + p + j];
                    if (lane == j) xv = xj;
                    else if (lane < j) xv -= l[off + (long)(p + lane) * r + p + j] * xj; // l_{p+j, p+lane}
                }
                if (lane < m) x[f + p + lane] = xv;
            }
            Group.Barrier();
        }
    }

    private static double WarpSum(double s, int width)
    {
        for (int d = width >> 1; d > 0; d >>= 1) s += Warp.ShuffleDown(s, d);
        return s;
    }
}
