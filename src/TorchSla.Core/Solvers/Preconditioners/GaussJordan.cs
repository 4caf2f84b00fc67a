namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Inversion of a small dense matrix by Gauss–Jordan elimination with partial pivoting
/// (Golub &amp; Van Loan, "Matrix Computations", 4th ed., §3.2 and §3.4): the blocks of
/// block-Jacobi are a few rows wide, where this is the simplest stable choice.
/// </summary>
internal static class GaussJordan
{
    /// <summary>
    /// inverse ← a⁻¹ for the leading m×m part of <paramref name="a"/> (which is overwritten).
    /// False when a pivot is zero or below 1e-14 of the largest entry (numerically singular).
    /// </summary>
    public static bool Invert(double[,] a, double[,] inverse, int m)
    {
        double scale = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++) scale = Math.Max(scale, Math.Abs(a[i, j]));
        if (!(scale > 0) || !double.IsFinite(scale)) return false;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++) inverse[i, j] = i == j ? 1 : 0;
        for (int c = 0; c < m; c++)
        {
            int p = c;
            for (int i = c + 1; i < m; i++)
                if (Math.Abs(a[i, c]) > Math.Abs(a[p, c])) p = i;
            if (!(Math.Abs(a[p, c]) > 1e-14 * scale)) return false;
            if (p != c)
                for (int j = 0; j < m; j++)
                {
                    (a[p, j], a[c, j]) = (a[c, j], a[p, j]);
                    (inverse[p, j], inverse[c, j]) = (inverse[c, j], inverse[p, j]);
                }
            double d = 1 / a[c, c];
            for (int j = 0; j < m; j++) { a[c, j] *= d; inverse[c, j] *= d; }
            for (int i = 0; i < m; i++)
            {
                if (i == c) continue;
                double f = a[i, c];
                if (f == 0) continue;
                for (int j = 0; j < m; j++) { a[i, j] -= f * a[c, j]; inverse[i, j] -= f * inverse[c, j]; }
            }
        }
        return true;
    }
}
