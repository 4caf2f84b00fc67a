namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// The strength-of-connection graph of smoothed aggregation (Vaněk, Mandel &amp; Brezina,
/// "Algebraic multigrid by smoothed aggregation for second and fourth order elliptic
/// problems", Computing 56 (1996) 179–196, §3): j is strongly connected to i when
/// |a_ij| ≥ θ·√|a_ii·a_jj|. The test is symmetric, so the graph is undirected for a symmetric
/// A. Weak connections (e.g. the small coupling of an anisotropic problem) are left out, so
/// aggregates follow the direction of strong coupling. O(nnz), on the host.
/// </summary>
internal static class StrengthOfConnection
{
    /// <summary>The strong graph in CSR form (no diagonal entries; stored zeros are never strong).</summary>
    public static (int[] RowPtr, int[] ColInd) Build(int n, int[] rowPtr, int[] colInd, double[] values, double theta)
    {
        var diag = new double[n];
        for (int i = 0; i < n; i++)
            for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++)
                if (colInd[k] == i) diag[i] += values[k];
        double theta2 = theta * theta;
        var sp = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            int c = 0;
            for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++)
                if (IsStrong(i, colInd[k], values[k], diag, theta2)) c++;
            sp[i + 1] = sp[i] + c;
        }
        var sc = new int[sp[n]];
        for (int i = 0; i < n; i++)
        {
            int p = sp[i];
            for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++)
                if (IsStrong(i, colInd[k], values[k], diag, theta2)) sc[p++] = colInd[k];
        }
        return (sp, sc);
    }

    // Squared form of |a_ij| ≥ θ·√|a_ii·a_jj|: no square root per entry.
    private static bool IsStrong(int i, int j, double v, double[] diag, double theta2) =>
        j != i && v != 0 && v * v >= theta2 * Math.Abs(diag[i] * diag[j]);
}
