namespace TorchSla.Solvers.Direct;

/// <summary>Conversion of supernodal blocks (column-major r×k trapezoids) to compressed sparse columns.</summary>
internal static class SupernodalLayout
{
    /// <summary>L by columns: column j of supernode s holds rows Rows[s][j−f..] (the trapezoid); <paramref name="unitDiagonal"/> writes 1 on the diagonal.</summary>
    public static (int[] ColumnPointers, int[] RowIndices, double[] Values) ToCompressedColumns(SupernodalSymbolic s, double[] l, bool unitDiagonal)
    {
        int n = s.N;
        var cp = new int[n + 1];
        for (int sn = 0; sn < s.SuperCount; sn++)
        {
            int f = s.SuperStart[sn], k = s.SuperStart[sn + 1] - f, r = s.RowPtr[sn + 1] - s.RowPtr[sn];
            for (int j = 0; j < k; j++) cp[f + j + 1] = r - j;
        }
        for (int j = 0; j < n; j++) cp[j + 1] += cp[j];
        var ri = new int[cp[n]]; var v = new double[cp[n]];
        for (int sn = 0; sn < s.SuperCount; sn++)
        {
            int f = s.SuperStart[sn], k = s.SuperStart[sn + 1] - f, r0 = s.RowPtr[sn], r = s.RowPtr[sn + 1] - r0;
            long off = s.ValueOffset[sn];
            for (int j = 0; j < k; j++)
            {
                int w = cp[f + j];
                for (int i = j; i < r; i++, w++)
                {
                    ri[w] = s.Rows[r0 + i];
                    v[w] = unitDiagonal && i == j ? 1 : l[off + (long)j * r + i];
                }
            }
        }
        return (cp, ri, v);
    }
}
