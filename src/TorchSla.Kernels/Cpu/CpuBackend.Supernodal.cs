using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cpu;

// The CPU twin of Backend.SupernodalSolve: the GPU kernels' per-supernode arithmetic (the diagonal block in panels of
// Panel columns, a dot product per row below it), one supernode after another in the level order.
public sealed partial class CpuBackend
{
    private const int Panel = 32;

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
            if (!transpose) Forward(l, off, r, k, f, rows, r0, xs);
            else Backward(l, off, r, k, f, rows, r0, xs);
        }
    }

    private static void Forward(double[] l, long off, int r, int k, int f, int[] rows, int r0, double[] x)
    {
        for (int p = 0; p < k; p += Panel)
        {
            int m = Math.Min(Panel, k - p);
            for (int j = 0; j < m; j++)
            {
                long c = off + (long)(p + j) * r + p;
                double xj = x[f + p + j] / l[c + j];
                x[f + p + j] = xj;
                for (int i = j + 1; i < m; i++) x[f + p + i] -= l[c + i] * xj;
            }
            for (int i = p + m; i < k; i++)
            {
                double s = 0;
                for (int j = 0; j < m; j++) s += l[off + (long)(p + j) * r + i] * x[f + p + j];
                x[f + i] -= s;
            }
        }
        for (int i = k; i < r; i++)
        {
            double s = 0;
            for (int j = 0; j < k; j++) s += l[off + (long)j * r + i] * x[f + j];
            x[rows[r0 + i]] -= s;
        }
    }

    private static void Backward(double[] l, long off, int r, int k, int f, int[] rows, int r0, double[] x)
    {
        for (int j = 0; j < k; j++)
        {
            long c = off + (long)j * r;
            double s = 0;
            for (int i = k; i < r; i++) s += l[c + i] * x[rows[r0 + i]];
            x[f + j] -= s;
        }
        for (int end = k; end > 0; end -= Panel)
        {
            int p = Math.Max(0, end - Panel), m = end - p;
            for (int j = p; j < end; j++)
            {
                long c = off + (long)j * r;
                double s = 0;
                for (int i = end; i < k; i++) s += l[c + i] * x[f + i];
                x[f + j] -= s;
            }
            for (int j = m - 1; j >= 0; j--)
            {
                double xj = x[f + p + j] / l[off + (long)(p + j) * r + p + j];
                x[f + p + j] = xj;
                for (int i = 0; i < j; i++) x[f + p + i] -= l[off + (long)(p + i) * r + p + j] * xj;
            }
        }
    }
}
