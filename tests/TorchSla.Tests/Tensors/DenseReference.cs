using TorchSla;

namespace TorchSla.Tests.Tensors;

/// <summary>Random test matrices and plain dense-loop references for the sparse operations.</summary>
internal static class DenseReference
{
    /// <summary>A random M×N matrix with about density·M·N nonzeros in [-1, 1).</summary>
    public static double[,] Random(int m, int n, double density, Random rng)
    {
        var a = new double[m, n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                if (rng.NextDouble() < density) a[i, j] = rng.NextDouble() * 2 - 1;
        return a;
    }

    /// <summary>
    /// A batch of matrices as one sparse tensor of shape [batch..., M, N], built from COO entries
    /// in shuffled order with every value split into two duplicate entries (so that the
    /// construction path with sorting and summing is exercised). The pattern is the union of the
    /// nonzeros of all matrices.
    /// </summary>
    public static SparseTensor<double> ToSparse(double[][,] mats, int[] batchShape, Random rng)
    {
        int m = mats[0].GetLength(0), n = mats[0].GetLength(1);
        var pos = new List<(int I, int J)>();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                if (mats.Any(a => a[i, j] != 0)) pos.Add((i, j));
        var entries = new List<(int I, int J, int Part)>();
        foreach (var p in pos) { entries.Add((p.I, p.J, 0)); entries.Add((p.I, p.J, 1)); }
        var order = entries.OrderBy(_ => rng.Next()).ToArray();
        int e = order.Length;
        var vals = new double[mats.Length * e];
        for (int b = 0; b < mats.Length; b++)
            for (int k = 0; k < e; k++)
            {
                double v = mats[b][order[k].I, order[k].J];
                vals[b * e + k] = order[k].Part == 0 ? 0.25 * v : v - 0.25 * v;
            }
        return new SparseTensor<double>(vals, order.Select(o => o.I).ToArray(), order.Select(o => o.J).ToArray(), [.. batchShape, m, n]);
    }

    public static SparseTensor<double> ToSparse(double[,] a, Random rng) => ToSparse([a], [], rng);

    /// <summary>The matrices of a dense [B..., M, N] tensor.</summary>
    public static double[][,] Split(Tensor<double> t)
    {
        var s = t.Shape;
        int m = s[^2], n = s[^1], bs = t.Length / Math.Max(1, m * n);
        if (m * n == 0) bs = s[..^2].Aggregate(1, (x, y) => x * y);
        var flat = t.ToArray();
        var r = new double[bs][,];
        for (int b = 0; b < bs; b++)
        {
            r[b] = new double[m, n];
            for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) r[b][i, j] = flat[(b * m + i) * n + j];
        }
        return r;
    }

    public static double[][,] Batch(int count, int m, int n, double density, Random rng) =>
        Enumerable.Range(0, count).Select(_ => Random(m, n, density, rng)).ToArray();

    public static double[,] Add(double[,] a, double[,] b, double alpha, double beta)
    {
        var r = new double[a.GetLength(0), a.GetLength(1)];
        for (int i = 0; i < r.GetLength(0); i++) for (int j = 0; j < r.GetLength(1); j++) r[i, j] = alpha * a[i, j] + beta * b[i, j];
        return r;
    }

    public static double[,] Mul(double[,] a, double[,] b)
    {
        int m = a.GetLength(0), k = a.GetLength(1), n = b.GetLength(1);
        var r = new double[m, n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) { double s = 0; for (int q = 0; q < k; q++) s += a[i, q] * b[q, j]; r[i, j] = s; }
        return r;
    }

    public static double[,] Transpose(double[,] a)
    {
        var r = new double[a.GetLength(1), a.GetLength(0)];
        for (int i = 0; i < a.GetLength(0); i++) for (int j = 0; j < a.GetLength(1); j++) r[j, i] = a[i, j];
        return r;
    }

    public static void AssertClose(double[,] expected, double[,] actual, double tol = 1e-12)
    {
        Xunit.Assert.Equal(expected.GetLength(0), actual.GetLength(0));
        Xunit.Assert.Equal(expected.GetLength(1), actual.GetLength(1));
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int j = 0; j < expected.GetLength(1); j++)
                if (Math.Abs(expected[i, j] - actual[i, j]) > tol * (1 + Math.Abs(expected[i, j])))
                    Xunit.Assert.Fail($"entry ({i}, {j}): expected {expected[i, j]}, got {actual[i, j]}");
    }

    public static void AssertClose(double[][,] expected, Tensor<double> actual, double tol = 1e-12)
    {
        var got = Split(actual);
        Xunit.Assert.Equal(expected.Length, got.Length);
        for (int b = 0; b < expected.Length; b++) AssertClose(expected[b], got[b], tol);
    }

    /// <summary>A symmetric positive definite matrix BᵀB + shift·I with B random sparse.</summary>
    public static double[,] RandomSpd(int n, double density, double shift, Random rng)
    {
        var b = Random(n, n, density, rng);
        var r = Mul(Transpose(b), b);
        for (int i = 0; i < n; i++) r[i, i] += shift;
        return r;
    }

    /// <summary>A random symmetric matrix (B + Bᵀ) with a diagonal that leaves it indefinite.</summary>
    public static double[,] RandomSymmetric(int n, double density, Random rng)
    {
        var b = Random(n, n, density, rng);
        var r = Add(b, Transpose(b), 1, 1);
        for (int i = 0; i < n; i++) r[i, i] = i % 3 == 0 ? -1 - rng.NextDouble() : 2 + rng.NextDouble();
        return r;
    }

    public static double[,] ToArray(SparseTensor<double> a) => a.ToDense().ToArray2D();
}
