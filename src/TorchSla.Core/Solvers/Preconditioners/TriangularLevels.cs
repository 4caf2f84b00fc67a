namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// The level schedule of a sparse triangular solve (Anderson &amp; Saad, "Solving sparse triangular linear systems on
/// parallel computers", Int. J. High Speed Computing 1 (1989); Naumov, "Parallel solution of sparse triangular linear
/// systems in the preconditioned iterative methods on the GPU", NVIDIA NVR-2011-001): level(i) = 1 + max level(k) over
/// the rows k that row i refers to, so the rows of one level are independent and a level needs only earlier ones.
/// Computed once per factor on the host, O(nnz). A 2D grid in natural order has about 2·√n levels (its wavefronts):
/// the GPU then launches that many small kernels per sweep, the known price of level scheduling.
/// </summary>
internal static class TriangularLevels
{
    /// <summary>
    /// (levelPtr, levelRows) of the strictly lower (<paramref name="lower"/>) or upper triangular CSR part: the rows of level l
    /// are levelRows[levelPtr[l] … levelPtr[l+1]), ascending within a level.
    /// </summary>
    public static (int[] LevelPtr, int[] LevelRows) Of(int[] rowPtr, int[] colInd, int n, bool lower)
    {
        var level = new int[n];
        int depth = 0;
        for (int step = 0; step < n; step++)
        {
            int i = lower ? step : n - 1 - step;
            int l = 0;
            for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) l = Math.Max(l, level[colInd[k]] + 1);
            level[i] = l;
            depth = Math.Max(depth, l + 1);
        }
        var ptr = new int[depth + 1];
        for (int i = 0; i < n; i++) ptr[level[i] + 1]++;
        for (int l = 0; l < depth; l++) ptr[l + 1] += ptr[l];
        var rows = new int[n];
        var fill = (int[])ptr.Clone();
        for (int i = 0; i < n; i++) rows[fill[level[i]]++] = i;
        return (ptr, rows);
    }
}
