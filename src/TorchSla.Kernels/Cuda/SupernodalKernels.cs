using ILGPU;
using ILGPU.Algorithms;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// One level of the supernodal triangular sweeps of <see cref="Backend.SupernodalSolve"/>: one group per supernode of
/// the level. The diagonal block is solved by substitution, one column per step with a barrier between steps (the
/// steps are dependent: this is the sequential part of a supernodal solve, its length the supernode's width); the
/// rectangular part below the diagonal block is a dense product whose reads are coalesced: the block is stored
/// column-major, so consecutive threads read consecutive rows of one column.
/// </summary>
internal static class SupernodalKernels
{
    public const int GroupSize = 128;

    /// <summary>
    /// Forward sweep x ← L⁻¹·x over the supernodes nodes[first …]: substitution in the diagonal block, then each row i
    /// below it subtracts Σ_j l_ij·x_j from its (ancestor's) entry, atomically, since the supernodes of a level may share
    /// ancestor rows.
    /// </summary>
    public static void Forward(ArrayView<int> start, ArrayView<int> rowPtr, ArrayView<int> rows, ArrayView<long> offsets,
        ArrayView<double> l, ArrayView<int> nodes, ArrayView<double> x, int first)
    {
        var pivot = SharedMemory.Allocate<double>(1);
        int t = Group.IdxX, g = Group.DimX;
        int sn = nodes[first + Grid.IdxX];
        int f = start[sn], k = start[sn + 1] - f, r0 = rowPtr[sn], r = rowPtr[sn + 1] - r0;
        long off = offsets[sn];
        for (int j = 0; j < k; j++)
        {
            long c = off + (long)j * r;
            if (t == 0) { double xj = x[f + j] / l[c + j]; x[f + j] = xj; pivot[0] = xj; }
            Group.Barrier();
            double v = pivot[0];
            for (int i = j + 1 + t; i < k; i += g) x[f + i] -= l[c + i] * v;
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
    /// column with a shuffle reduction, then substitution in the diagonal block from its last column up.
    /// </summary>
    public static void Backward(ArrayView<int> start, ArrayView<int> rowPtr, ArrayView<int> rows, ArrayView<long> offsets,
        ArrayView<double> l, ArrayView<int> nodes, ArrayView<double> x, int first)
    {
        var pivot = SharedMemory.Allocate<double>(1);
        int t = Group.IdxX, g = Group.DimX;
        int lane = Warp.LaneIdx, warps = g / Warp.WarpSize, w = t / Warp.WarpSize;
        int sn = nodes[first + Grid.IdxX];
        int f = start[sn], k = start[sn + 1] - f, r0 = rowPtr[sn], r = rowPtr[sn + 1] - r0;
        long off = offsets[sn];
        for (int j = w; j < k; j += warps)
        {
            long c = off + (long)j * r;
            double s = 0;
            for (int i = k + lane; i < r; i += Warp.WarpSize) s += l[c + i] * x[rows[r0 + i]];
            for (int d = Warp.WarpSize >> 1; d > 0; d >>= 1) s += Warp.ShuffleDown(s, d);
            if (lane == 0) x[f + j] -= s;
        }
        Group.Barrier();
        for (int j = k - 1; j >= 0; j--)
        {
            if (t == 0) { double xj = x[f + j] / l[off + (long)j * r + j]; x[f + j] = xj; pivot[0] = xj; }
            Group.Barrier();
            double v = pivot[0];
            for (int i = t; i < j; i += g) x[f + i] -= l[off + (long)i * r + j] * v;
            Group.Barrier();
        }
    }
}
