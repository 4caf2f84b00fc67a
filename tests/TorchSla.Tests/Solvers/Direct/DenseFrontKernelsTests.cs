using TorchSla.Solvers.Direct;
using Xunit;

namespace TorchSla.Tests.Solvers.Direct;

/// <summary>
/// The dense front kernels against the definitions: a partial Cholesky of F over k columns must satisfy
/// L11·L11ᵀ = F11, L21·L11ᵀ = F21 and F22' = F22 − L21·L21ᵀ (checked by multiplying back, not by a second
/// factorization), and the Schur update must equal the triple loop. Sizes straddle the 8/16-row strips, the 8-column
/// blocks, the 32-row register solve and the 96-column panels, so every clipped edge runs.
/// </summary>
public class DenseFrontKernelsTests
{
    private static double[] RandomSpdFront(int r, Random rng)
    {
        // F = G·Gᵀ + r·I (lower triangle stored, column-major).
        var g = new double[r * r];
        for (int i = 0; i < g.Length; i++) g[i] = rng.NextDouble() - 0.5;
        var f = new double[r * r];
        for (int j = 0; j < r; j++)
            for (int i = j; i < r; i++)
            {
                double s = i == j ? r : 0;
                for (int p = 0; p < r; p++) s += g[i + p * r] * g[j + p * r];
                f[i + j * r] = s;
            }
        return f;
    }

    [Theory]
    [InlineData(1, 1, false)]
    [InlineData(37, 20, false)]
    [InlineData(150, 100, false)]
    [InlineData(211, 97, true)]
    [InlineData(300, 130, true)]
    [InlineData(260, 260, false)]
    public void PartialCholeskyMultipliesBack(int r, int k, bool parallel)
    {
        var rng = new Random(r * 31 + k);
        var f0 = RandomSpdFront(r, rng);
        // The front in its two parts: the first k columns at an offset inside a larger array (as in the factor's storage),
        // the trailing (r−k)×(r−k) block apart.
        int off = 7, m = r - k;
        var l = new double[off + r * k + 3];
        Array.Copy(f0, 0, l, off, r * k);
        var u = new double[m * m];
        for (int j = 0; j < m; j++) for (int i = j; i < m; i++) u[i + j * m] = f0[k + i + (k + j) * r];
        var outcome = DenseFrontKernels.PartialCholesky(l, off, r, k, u, 0, parallel);
        Assert.Equal(-1, outcome.FailedColumn);
        double scale = r * r, worst = 0;
        for (int j = 0; j < r; j++)
            for (int i = j; i < r; i++)
            {
                // (L·Lᵀ)_ij over the eliminated columns, plus the Schur complement where both indices are ≥ k.
                double s = 0;
                for (int p = 0; p < Math.Min(j + 1, k); p++) s += l[off + i + p * r] * l[off + j + p * r];
                if (j >= k) s += u[i - k + (j - k) * m];
                worst = Math.Max(worst, Math.Abs(s - f0[i + j * r]));
            }
        Assert.True(worst < 1e-13 * scale, $"max |F − L·Lᵀ − S| = {worst}");
        Assert.Equal(0.0, l[off - 1]);
        Assert.Equal(0.0, l[off + r * k]);
    }

    [Fact]
    public void PartialCholeskyReportsTheFirstNonPositivePivot()
    {
        int r = 120, k = 100;
        var f = RandomSpdFront(r, new Random(3));
        f[50 + 50 * r] = -1e6; // column 50 cannot be positive after any update
        var outcome = DenseFrontKernels.PartialCholesky(f, 0, r, k, new double[(r - k) * (r - k)], 0, parallel: false);
        Assert.Equal(50, outcome.FailedColumn);
        Assert.True(outcome.FailedPivot < 0);
    }

    [Theory]
    [InlineData(45, 45, 13, true)]
    [InlineData(200, 170, 120, false)]
    [InlineData(100, 33, 7, false)]
    [InlineData(331, 331, 100, true)]
    public void UpdateEqualsTheTripleLoop(int rows, int cols, int depth, bool lowerOnly)
    {
        var rng = new Random(rows + cols + depth);
        int r = Math.Max(rows, cols) + depth + 5, rowFirst = depth + 3, colFirst = lowerOnly ? rowFirst : depth + 1;
        var f = new double[r * r];
        for (int i = 0; i < f.Length; i++) f[i] = rng.NextDouble();
        var w = new double[cols * depth];
        for (int i = 0; i < w.Length; i++) w[i] = rng.NextDouble() - 0.5;
        var expect = (double[])f.Clone();
        for (int j = 0; j < cols; j++)
            for (int i = 0; i < rows; i++)
            {
                if (lowerOnly && i < j) continue;
                double s = 0;
                for (int p = 0; p < depth; p++) s += f[rowFirst + i + p * r] * w[j + p * cols];
                expect[rowFirst + i + (colFirst + j) * r] -= s;
            }
        DenseFrontKernels.Update(f, r, rowFirst, rows, colFirst, cols, 0, depth, w, cols, lowerOnly, parallel: rows > 300);
        for (int q = 0; q < f.Length; q++) Assert.True(Math.Abs(f[q] - expect[q]) < 1e-12 * depth, $"entry {q}: {f[q]} vs {expect[q]}");
    }
}
