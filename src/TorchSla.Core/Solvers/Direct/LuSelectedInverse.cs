namespace TorchSla.Solvers.Direct;

/// <summary>
/// The selected inverse of a sparse LU factorization P·A·Q = L·U: the entries of Z = (L·U)⁻¹ = U⁻¹·L⁻¹ on
/// the transposed structure of L + U, without forming the dense inverse (Erisman &amp; Tinney, "On
/// computing certain elements of the inverse of a sparse matrix", CACM 18(3), 1975, the unsymmetric case).
/// <para>From U·Z = L⁻¹ (unit lower) and Z·L = U⁻¹ (upper), for t = n−1 down to 0:</para>
/// <code>
/// z_kt = −Σ_{m&gt;t} z_km·l_mt                     for the k &gt; t with u_tk ≠ 0   (column t below the diagonal)
/// z_tj = (δ_tj − Σ_{k&gt;t} u_tk·z_kj) / u_tt       for j = t and the j &gt; t with l_jt ≠ 0 (row t)
/// </code>
/// <para>Every z on the right-hand side has both indices above t and lies in the same transposed
/// structure: a path l_ji, u_ik (i &lt; j, k) makes (j, k) an entry of L + U (the fill rule of Gaussian
/// elimination, which the factorization's symbolic structure holds exactly — numerical zeros included),
/// so the set is closed and nothing outside it is needed. Storage: z_ij for i &lt; j (and the diagonal)
/// in the slots of L's column i (row j); z_ij for i &gt; j in the slots of U's column i (row j).
/// The work is Σ_t Σ over the entries of the rows and columns touched, of the order of the factorization's.</para>
/// </summary>
internal static class LuSelectedInverse
{
    /// <summary>Z on the structure: (values in L's slots, values in U's slots).</summary>
    public static (double[] InL, double[] InU) Compute(SparseLuFactors f)
    {
        int n = f.N;
        var lp = f.Lp; var li = f.Li; var lx = f.Lx; var up = f.Up; var ui = f.Ui; var ux = f.Ux;
        var zl = new double[lx.Length];
        var zu = new double[ux.Length];
        // Rows of L and U (the slots of each row, outside the diagonals): the entries z_kj of column j of Z are
        // z_ij (i < j) in L's row j and z_ij (i > j) in U's row j, plus the diagonal.
        var (lRowPtr, lRowCol, lRowSlot) = Rows(n, lp, li, skipFirst: true);
        var (uRowPtr, uRowCol, uRowSlot) = Rows(n, up, ui, skipFirst: false);
        var w = new double[n];
        for (int t = n - 1; t >= 0; t--)
        {
            // Column t below the diagonal: w = column t of L (below its unit diagonal).
            for (int p = lp[t] + 1; p < lp[t + 1]; p++) w[li[p]] = lx[p];
            for (int e = uRowPtr[t]; e < uRowPtr[t + 1]; e++)
            {
                int k = uRowCol[e];          // u_tk ≠ 0, k > t; z_kt is stored in U's column k at this slot
                double sum = 0;
                // Row k of Z: z_km for m < k (U's column k), m ≥ k (L's column k, diagonal first).
                for (int p = up[k]; p < up[k + 1] - 1; p++) sum += zu[p] * w[ui[p]];
                for (int p = lp[k]; p < lp[k + 1]; p++) sum += zl[p] * w[li[p]];
                zu[uRowSlot[e]] = -sum;
            }
            for (int p = lp[t] + 1; p < lp[t + 1]; p++) w[li[p]] = 0;

            // Row t: w = row t of U right of the diagonal.
            for (int e = uRowPtr[t]; e < uRowPtr[t + 1]; e++) w[uRowCol[e]] = ux[uRowSlot[e]];
            double utt = ux[up[t + 1] - 1];
            for (int p = lp[t]; p < lp[t + 1]; p++)
            {
                int j = li[p];               // j = t (the diagonal slot) or l_jt ≠ 0, j > t
                double sum = 0;
                // Column j of Z: z_ij for i < j (L's row j), the diagonal (L's column j, first slot), i > j (U's row j).
                for (int e = lRowPtr[j]; e < lRowPtr[j + 1]; e++) sum += w[lRowCol[e]] * zl[lRowSlot[e]];
                sum += w[j] * zl[lp[j]];
                for (int e = uRowPtr[j]; e < uRowPtr[j + 1]; e++) sum += w[uRowCol[e]] * zu[uRowSlot[e]];
                zl[p] = ((j == t ? 1.0 : 0.0) - sum) / utt;
            }
            for (int e = uRowPtr[t]; e < uRowPtr[t + 1]; e++) w[uRowCol[e]] = 0;
        }
        return (zl, zu);
    }

    /// <summary>
    /// (A⁻¹)_ji for every CSR slot (i, j) of A (<paramref name="pattern"/>) from the factors <paramref name="f"/> of A, whose
    /// columns must hold the whole structure of the elimination (explicit zeros kept): A⁻¹ = Q·Z·P, so
    /// (A⁻¹)_ji = Z[qinv j, pinv i]. The slots of A are visited by columns: a column j of A is column a = qinv j of
    /// L + U, whose Z row a is scattered once.
    /// </summary>
    public static double[] OnPattern(SparseLuFactors f, SparsePattern pattern)
    {
        var (zl, zu) = Compute(f);
        var (columns, cscSource) = pattern.Transpose();
        int[] cscPtr = columns.RowPtr, cscRow = columns.ColInd;
        int n = f.N, nnz = pattern.Nnz;
        var qinv = new int[n];
        for (int k = 0; k < n; k++) qinv[f.Q[k]] = k;
        var rowOfZ = new double[n];
        var mark = new bool[n];
        var result = new double[nnz];
        for (int j = 0; j < n; j++)
        {
            int a = qinv[j];
            for (int p = f.Up[a]; p < f.Up[a + 1] - 1; p++) { rowOfZ[f.Ui[p]] = zu[p]; mark[f.Ui[p]] = true; }
            for (int p = f.Lp[a]; p < f.Lp[a + 1]; p++) { rowOfZ[f.Li[p]] = zl[p]; mark[f.Li[p]] = true; }
            for (int t = cscPtr[j]; t < cscPtr[j + 1]; t++)
            {
                int b = f.Pinv[cscRow[t]];
                // Every entry of P·A·Q lies in the structure of L + U, so its transpose is in Z's.
                if (!mark[b]) throw new InvalidOperationException($"internal: entry ({cscRow[t]}, {j}) of A is outside the structure of its LU factors");
                result[cscSource[t]] = rowOfZ[b];
            }
            for (int p = f.Up[a]; p < f.Up[a + 1] - 1; p++) mark[f.Ui[p]] = false;
            for (int p = f.Lp[a]; p < f.Lp[a + 1]; p++) mark[f.Li[p]] = false;
        }
        return result;
    }

    /// <summary>The slots of a column-compressed triangle grouped by row: for row i, the columns and slots (diagonals left out:
    /// L's first slot of each column when <paramref name="skipFirst"/>, U's last otherwise).</summary>
    private static (int[] Ptr, int[] Col, int[] Slot) Rows(int n, int[] cp, int[] ri, bool skipFirst)
    {
        var ptr = new int[n + 1];
        for (int c = 0; c < n; c++)
            for (int p = cp[c] + (skipFirst ? 1 : 0); p < cp[c + 1] - (skipFirst ? 0 : 1); p++) ptr[ri[p] + 1]++;
        for (int i = 0; i < n; i++) ptr[i + 1] += ptr[i];
        var col = new int[ptr[n]]; var slot = new int[ptr[n]];
        var fill = (int[])ptr.Clone();
        for (int c = 0; c < n; c++)
            for (int p = cp[c] + (skipFirst ? 1 : 0); p < cp[c + 1] - (skipFirst ? 0 : 1); p++) { int e = fill[ri[p]]++; col[e] = c; slot[e] = p; }
        return (ptr, col, slot);
    }
}
