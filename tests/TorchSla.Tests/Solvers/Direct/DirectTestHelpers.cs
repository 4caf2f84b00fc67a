using TorchSla;

namespace TorchSla.Tests.Solvers.Direct;

/// <summary>Dense helpers shared by the direct-solver tests.</summary>
internal static class DirectTestHelpers
{
    public static double[,] DenseFromColumns(int n, int[] cp, int[] ri, double[] v)
    {
        var l = new double[n, n];
        for (int j = 0; j < n; j++) for (int q = cp[j]; q < cp[j + 1]; q++) l[ri[q], j] += v[q];
        return l;
    }

    public static double[,] Permute(double[,] a, int[] p)
    {
        int n = p.Length;
        var r = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) r[i, j] = a[p[i], p[j]];
        return r;
    }

    /// <summary>Normwise backward error ‖b − A·x‖∞ / (‖A‖∞·‖x‖∞ + ‖b‖∞) computed from the CSR tensor.</summary>
    public static double BackwardError(SparseTensor<double> a, double[] x, double[] b)
    {
        var rp = a.RowPointers; var ci = a.ColumnIndices; var v = a.GetValues();
        double rmax = 0, anorm = 0, xmax = 0, bmax = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            double s = b[i], row = 0;
            for (int q = rp[i]; q < rp[i + 1]; q++) { s -= v[q] * x[ci[q]]; row += Math.Abs(v[q]); }
            rmax = Math.Max(rmax, Math.Abs(s)); anorm = Math.Max(anorm, row);
            xmax = Math.Max(xmax, Math.Abs(x[i])); bmax = Math.Max(bmax, Math.Abs(b[i]));
        }
        return rmax / (anorm * xmax + bmax);
    }

    public static double[] RandomVector(int n, int seed)
    {
        var rng = new Random(seed);
        var b = new double[n];
        for (int i = 0; i < n; i++) b[i] = rng.NextDouble() * 2 - 1;
        return b;
    }

    /// <summary>
    /// 3-D 7-point pattern on a g³ grid with unsymmetric values and a tiny diagonal on every third variable, which makes
    /// the threshold test reject diagonal pivots, so that columns are delayed from fronts to their parents.
    /// </summary>
    public static SparseTensor<double> DelayingMatrix(int g)
    {
        int n = g * g * g;
        var rows = new List<int>(); var cols = new List<int>(); var vals = new List<double>();
        var rng = new Random(11);
        for (int z = 0; z < g; z++)
            for (int y = 0; y < g; y++)
                for (int x = 0; x < g; x++)
                {
                    int i = (z * g + y) * g + x;
                    rows.Add(i); cols.Add(i); vals.Add(i % 3 == 0 ? 1e-3 * (1 + rng.NextDouble()) : 6 + rng.NextDouble());
                    void Edge(int j) { rows.Add(i); cols.Add(j); vals.Add(-1 - rng.NextDouble()); }
                    if (x > 0) Edge(i - 1);
                    if (x < g - 1) Edge(i + 1);
                    if (y > 0) Edge(i - g);
                    if (y < g - 1) Edge(i + g);
                    if (z > 0) Edge(i - g * g);
                    if (z < g - 1) Edge(i + g * g);
                }
        return SparseTensor.FromCoo<double>(vals.ToArray(), rows.ToArray(), cols.ToArray(), [n, n]);
    }
}
