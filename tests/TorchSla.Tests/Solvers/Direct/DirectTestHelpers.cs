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
}
