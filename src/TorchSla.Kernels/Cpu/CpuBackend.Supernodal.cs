using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cpu;

// The CPU twin of Backend.SupernodalSolve: the same per-supernode arithmetic as the GPU kernels (substitution in the
// diagonal block, a dot product per row below it), one supernode after another in the level order.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public override void SupernodalSolve(SupernodalFactor factor, Storage<double> x, bool transpose)
    {
        ArgumentNullException.ThrowIfNull(factor);
        var start = ArrayOf(factor.SuperStart); var rowPtr = ArrayOf(factor.RowPtr); var rows = ArrayOf(factor.Rows);
        var offsets = ArrayOf(factor.ValueOffset); var l = ArrayOf(factor.Values); var nodes = ArrayOf(factor.LevelNodes);
        var xs = ArrayOf(x ?? throw new ArgumentNullException(nameof(x)));
        if (xs.Length < factor.N)
            throw new ArgumentException($"SupernodalSolve: x has {xs.Length} entries, the factor is {factor.N}×{factor.N}", nameof(x));
        int count = nodes.Length;
        for (int q = 0; q < count; q++)
        {
            int sn = nodes[transpose ? count - 1 - q : q];
            int f = start[sn], k = start[sn + 1] - f, r0 = rowPtr[sn], r = rowPtr[sn + 1] - r0;
            long off = offsets[sn];
            if (!transpose)
            {
                for (int j = 0; j < k; j++)
                {
                    long c = off + (long)j * r;
                    double xj = xs[f + j] / l[c + j];
                    xs[f + j] = xj;
                    for (int i = j + 1; i < k; i++) xs[f + i] -= l[c + i] * xj;
                }
                for (int i = k; i < r; i++)
                {
                    double s = 0;
                    for (int j = 0; j < k; j++) s += l[off + (long)j * r + i] * xs[f + j];
                    xs[rows[r0 + i]] -= s;
                }
            }
            else
            {
                for (int j = 0; j < k; j++)
                {
                    long c = off + (long)j * r;
                    double s = 0;
                    for (int i = k; i < r; i++) s += l[c + i] * xs[rows[r0 + i]];
                    xs[f + j] -= s;
                }
                for (int j = k - 1; j >= 0; j--)
                {
                    double xj = xs[f + j] / l[off + (long)j * r + j];
                    xs[f + j] = xj;
                    for (int i = 0; i < j; i++) xs[f + i] -= l[off + (long)i * r + j] * xj;
                }
            }
        }
    }
}
