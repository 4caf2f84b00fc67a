namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// C = A·B for host CSR arrays in one pass (Gustavson, ACM TOMS 4 (1978) 250–269): each row of C
/// accumulates the rows of B named by row i of A in a dense accumulator with a marker, then
/// sorts its columns. Symbolic and numeric together, parallel over blocks of rows, nothing kept.
/// The setup uses it on the CPU, where the library's SpGEMM (built to be replayed on any device
/// through an expansion plan of one entry per scalar product) costs several times more than
/// this direct loop; hierarchies on other devices use the SpGEMM.
/// </summary>
internal static class HostProduct
{
    public static (int[] RowPtr, int[] ColInd, double[] Values) Multiply(
        int rows, int[] ap, int[] ai, double[] av, int cols, int[] bp, int[] bi, double[] bv)
    {
        int blocks = Math.Max(1, Math.Min(Environment.ProcessorCount * 4, rows / 2048));
        var blockCols = new int[blocks][];
        var blockVals = new double[blocks][];
        var rowCount = new int[rows];
        Parallel.For(0, blocks, blk =>
        {
            int r0 = (int)((long)rows * blk / blocks), r1 = (int)((long)rows * (blk + 1) / blocks);
            var marker = new int[cols];
            Array.Fill(marker, -1);
            var acc = new double[cols];
            var outCols = new List<int>();
            var outVals = new List<double>();
            var touched = new List<int>();
            for (int i = r0; i < r1; i++)
            {
                touched.Clear();
                for (int p = ap[i]; p < ap[i + 1]; p++)
                {
                    int k = ai[p]; double a = av[p];
                    for (int q = bp[k]; q < bp[k + 1]; q++)
                    {
                        int j = bi[q];
                        if (marker[j] != i) { marker[j] = i; acc[j] = 0; touched.Add(j); }
                        acc[j] += a * bv[q];
                    }
                }
                touched.Sort();
                foreach (int j in touched) { outCols.Add(j); outVals.Add(acc[j]); }
                rowCount[i] = touched.Count;
            }
            blockCols[blk] = outCols.ToArray();
            blockVals[blk] = outVals.ToArray();
        });
        var rp = new int[rows + 1];
        for (int i = 0; i < rows; i++) rp[i + 1] = checked(rp[i] + rowCount[i]);
        var ci = new int[rp[rows]];
        var cv = new double[rp[rows]];
        int offset = 0;
        for (int blk = 0; blk < blocks; blk++)
        {
            blockCols[blk].CopyTo(ci, offset);
            blockVals[blk].CopyTo(cv, offset);
            offset += blockCols[blk].Length;
        }
        return (rp, ci, cv);
    }
}
