using System.Runtime.CompilerServices;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cpu;

// The CPU twin of Backend.FrontalLuSolve: the per-front arithmetic of the GPU kernels (Cuda/FrontalLuKernels.cs) in the
// same order within a front (substitution in the pivot block; a dot product per row or column beyond it), one front
// after another in the level order. U11 is read from the L blocks (above their diagonals), U12 from the U blocks. The
// host LU solve of CPU tensors (Solvers.Direct.MultifrontalLuFactors) works on the factorization's own arrays instead
// of this uploaded layout.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void FrontalLuSolve(FrontalLuFactor factor, Storage<double> y, Storage<double> z, bool transpose)
    {
        ArgumentNullException.ThrowIfNull(factor);
        var ip = ArrayOf(factor.IndexPtr); var ri = ArrayOf(factor.RowIndex); var ci = ArrayOf(factor.ColIndex);
        var piv = ArrayOf(factor.Pivots); var lOff = ArrayOf(factor.LOffset); var uOff = ArrayOf(factor.UOffset);
        var l = ArrayOf(factor.L); var u = ArrayOf(factor.U); var nodes = ArrayOf(factor.LevelNodes);
        var ys = ArrayOf(y ?? throw new ArgumentNullException(nameof(y)));
        var zs = ArrayOf(z ?? throw new ArgumentNullException(nameof(z)));
        if (ys.Length < factor.N || zs.Length < factor.N)
            throw new ArgumentException($"FrontalLuSolve: y and z need {factor.N} entries, they have {ys.Length} and {zs.Length}");
        int count = nodes.Length;
        for (int q = 0; q < count; q++)
        {
            int f = nodes[q], p0 = ip[f], m = ip[f + 1] - p0, np = piv[f];
            if (!transpose)
            {
                long off = lOff[f];
                for (int j = 0; j < np; j++)
                {
                    double v = ys[ri[p0 + j]];
                    long c = off + (long)j * m;
                    for (int i = j + 1; i < np; i++) ys[ri[p0 + i]] -= l[c + i] * v;
                }
                for (int i = np; i < m; i++)
                {
                    double s = 0;
                    for (int j = 0; j < np; j++) s += l[off + (long)j * m + i] * ys[ri[p0 + j]];
                    ys[ri[p0 + i]] -= s;
                }
            }
            else
            {
                long off = uOff[f], lo = lOff[f];
                for (int j = 0; j < np; j++)
                {
                    double v = ys[ci[p0 + j]] / l[lo + (long)j * m + j];
                    zs[ri[p0 + j]] = v;
                    for (int i = j + 1; i < np; i++) ys[ci[p0 + i]] -= l[lo + (long)i * m + j] * v;
                }
                for (int c = np; c < m; c++)
                {
                    long col = off + (long)(c - np) * np;
                    double s = 0;
                    for (int j = 0; j < np; j++) s += u[col + j] * zs[ri[p0 + j]];
                    ys[ci[p0 + c]] -= s;
                }
            }
        }
        for (int q = count - 1; q >= 0; q--)
        {
            int f = nodes[q], p0 = ip[f], m = ip[f + 1] - p0, np = piv[f];
            if (!transpose)
            {
                long off = uOff[f], lo = lOff[f];
                for (int p = 0; p < np; p++)
                {
                    double s = 0;
                    for (int c = np; c < m; c++) s += u[off + (long)(c - np) * np + p] * zs[ci[p0 + c]];
                    ys[ri[p0 + p]] -= s;
                }
                for (int j = np - 1; j >= 0; j--)
                {
                    long c = lo + (long)j * m;
                    double v = ys[ri[p0 + j]] / l[c + j];
                    zs[ci[p0 + j]] = v;
                    for (int i = 0; i < j; i++) ys[ri[p0 + i]] -= l[c + i] * v;
                }
            }
            else
            {
                long off = lOff[f];
                for (int j = 0; j < np; j++)
                {
                    long c = off + (long)j * m;
                    double s = 0;
                    for (int i = np; i < m; i++) s += l[c + i] * zs[ri[p0 + i]];
                    zs[ri[p0 + j]] -= s;
                }
                for (int j = np - 1; j >= 0; j--)
                {
                    double v = zs[ri[p0 + j]];
                    for (int i = 0; i < j; i++) zs[ri[p0 + i]] -= l[off + (long)i * m + j] * v;
                }
            }
        }
    }
}
