namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// The tentative prolongator of smoothed aggregation (Vaněk, Mandel &amp; Brezina 1996, §3;
/// Vaněk, Brezina &amp; Mandel, Numer. Math. 88 (2001) 559–579, §4): the near-null space B
/// (n × k, e.g. the constant vector for a scalar diffusion problem, rigid body modes for
/// elasticity) is cut into the rows of each aggregate, and each block is orthonormalised,
/// B_a = Q_a·R_a (thin QR by modified Gram–Schmidt, applied twice — "twice is enough",
/// Giraud et al., Numer. Math. 101 (2005)). Q_a becomes the aggregate's block of P̂ (one coarse
/// unknown per kept column), and the stacked R_a are the coarse near-null space, so that
/// P̂·B_c = B exactly. A column that is dependent inside its aggregate (an aggregate of fewer
/// nodes than k) is dropped rather than kept as a zero column, which would make the coarse
/// operator singular. Unaggregated nodes get empty rows. O(n·k²), on the host.
/// </summary>
internal static class TentativeProlongator
{
    /// <summary>P̂ in CSR (n × coarse) and the coarse near-null space B_c (coarse × k, row-major).</summary>
    public static (int[] RowPtr, int[] ColInd, double[] Values, int Coarse, double[] CoarseNullSpace) Build(
        int n, int[] aggregate, int count, double[] nullSpace, int k)
    {
        // Nodes of each aggregate, by a counting sort on the aggregate number.
        var start = new int[count + 1];
        for (int i = 0; i < n; i++) if (aggregate[i] >= 0) start[aggregate[i] + 1]++;
        for (int a = 0; a < count; a++) start[a + 1] += start[a];
        var nodes = new int[start[count]];
        var next = (int[])start.Clone();
        for (int i = 0; i < n; i++) if (aggregate[i] >= 0) nodes[next[aggregate[i]]++] = i;

        var q = new double[checked(n * k)];         // Q, row-major per node
        var firstCoarse = new int[count + 1];        // coarse unknowns of aggregate a: firstCoarse[a] ...
        var kept = new List<int>(count * k);         // for each coarse unknown, the column of B it came from
        var coarseB = new List<double>(count * k * k);
        var col = Array.Empty<double>();
        for (int a = 0; a < count; a++)
        {
            int s = start[a], m = start[a + 1] - s;
            if (col.Length < m) col = new double[m];
            firstCoarse[a] = kept.Count;
            int keptHere = 0;
            for (int j = 0; j < k; j++)
            {
                double norm0 = 0;
                for (int t = 0; t < m; t++) { col[t] = nullSpace[nodes[s + t] * k + j]; norm0 += col[t] * col[t]; }
                norm0 = Math.Sqrt(norm0);
                for (int pass = 0; pass < 2; pass++)
                    for (int c = 0; c < keptHere; c++)
                    {
                        double dot = 0;
                        for (int t = 0; t < m; t++) dot += q[nodes[s + t] * k + c] * col[t];
                        for (int t = 0; t < m; t++) col[t] -= dot * q[nodes[s + t] * k + c];
                    }
                double norm = 0;
                for (int t = 0; t < m; t++) norm += col[t] * col[t];
                norm = Math.Sqrt(norm);
                if (norm0 == 0 || norm <= 1e-10 * norm0) continue; // dependent here: no coarse unknown
                for (int t = 0; t < m; t++) q[nodes[s + t] * k + keptHere] = col[t] / norm;
                keptHere++;
                kept.Add(j);
            }
            // R_a = Q_aᵀ·B_a, one row per kept column.
            for (int c = 0; c < keptHere; c++)
                for (int j = 0; j < k; j++)
                {
                    double dot = 0;
                    for (int t = 0; t < m; t++) dot += q[nodes[s + t] * k + c] * nullSpace[nodes[s + t] * k + j];
                    coarseB.Add(dot);
                }
        }
        firstCoarse[count] = kept.Count;

        var rowPtr = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            int a = aggregate[i];
            rowPtr[i + 1] = rowPtr[i] + (a < 0 ? 0 : firstCoarse[a + 1] - firstCoarse[a]);
        }
        var colInd = new int[rowPtr[n]];
        var values = new double[rowPtr[n]];
        for (int i = 0; i < n; i++)
        {
            int a = aggregate[i];
            if (a < 0) continue;
            int width = firstCoarse[a + 1] - firstCoarse[a];
            for (int c = 0; c < width; c++)
            {
                colInd[rowPtr[i] + c] = firstCoarse[a] + c;
                values[rowPtr[i] + c] = q[i * k + c];
            }
        }
        return (rowPtr, colInd, values, kept.Count, coarseB.ToArray());
    }
}
