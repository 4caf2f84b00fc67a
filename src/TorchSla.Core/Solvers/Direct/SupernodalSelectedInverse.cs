using System.Numerics.Tensors;

namespace TorchSla.Solvers.Direct;

/// <summary>
/// The selected inverse of a supernodal Cholesky factor: the entries of Z = (P·A·Pᵀ)⁻¹ on the
/// structure of L (every (i, j) with l_ij stored), without forming the dense inverse.
/// <para>Takahashi, Fagan &amp; Chen, "Formation of a sparse bus impedance matrix and its application
/// to short circuit study" (1973), and Erisman &amp; Tinney, "On computing certain elements of the
/// inverse of a sparse matrix", CACM 18(3), 1975: from Lᵀ·Z = L⁻¹, the entries of Z on the
/// structure of L are determined by entries on that structure alone, computed from the last column
/// to the first. In supernodal block form (Lin, Yang, Meza, Lu, Ying &amp; E, "SelInv — an algorithm
/// for selected inversion of a sparse symmetric matrix", ACM TOMS 37(4), 2011, Alg. 2), for a
/// supernode with columns J and the rows B below them:</para>
/// <code>
/// U    = L_BJ · L_JJ⁻¹
/// Z_BJ = −Z_BB · U
/// Z_JJ = L_JJ⁻ᵀ · L_JJ⁻¹ − Uᵀ · Z_BJ
/// </code>
/// <para>Z_BB is gathered from the blocks of the ancestors, already computed: the rows B of a supernode
/// lie in the structure of every ancestor that owns one of them (the property extend-add relies on),
/// so each (B[a], B[b]) with a ≥ b is stored in the block of the supernode owning column B[b].
/// The work is of the order of the factorization's.</para>
/// </summary>
internal static class SupernodalSelectedInverse
{
    /// <summary>Z in the layout of <see cref="MultifrontalFactor.L"/>: per supernode an r×k column-major block whose top
    /// k×k part holds the full (symmetric) Z_JJ and whose rows below hold Z_BJ.</summary>
    public static double[] Compute(MultifrontalFactor factor)
    {
        var s = factor.Symbolic;
        var l = factor.L;
        int ns = s.SuperCount, n = s.N;
        var z = new double[l.Length];
        var colToSuper = ColumnToSupernode(s);
        var pos = new int[n];
        for (int sn = ns - 1; sn >= 0; sn--)
        {
            int f = s.SuperStart[sn], k = s.SuperStart[sn + 1] - f, r0 = s.RowPtr[sn], r = s.RowPtr[sn + 1] - r0, m = r - k;
            long off = s.ValueOffset[sn];
            double Ljj(int i, int j) => l[off + (long)j * r + i];

            // Z_BB (m×m, both triangles) from the ancestors' blocks.
            var zbb = new double[(long)m * m];
            for (int b = 0; b < m;)
            {
                int sp = colToSuper[s.Rows[r0 + k + b]];
                int fp = s.SuperStart[sp], rp0 = s.RowPtr[sp], rp = s.RowPtr[sp + 1] - rp0;
                long offp = s.ValueOffset[sp];
                for (int i = 0; i < rp; i++) pos[s.Rows[rp0 + i]] = i;
                for (; b < m && colToSuper[s.Rows[r0 + k + b]] == sp; b++)
                {
                    long colBase = offp + (long)(s.Rows[r0 + k + b] - fp) * rp;
                    for (int a = b; a < m; a++)
                    {
                        double v = z[colBase + pos[s.Rows[r0 + k + a]]];
                        zbb[a + (long)b * m] = v;
                        zbb[b + (long)a * m] = v;
                    }
                }
            }

            // U = L_BJ·L_JJ⁻¹: X·L_JJ = L_BJ column by column from the last (L_JJ lower triangular), as column updates.
            var u = new double[(long)m * k];
            for (int j = k - 1; j >= 0; j--)
            {
                var uj = u.AsSpan((int)((long)j * m), m);
                l.AsSpan((int)(off + (long)j * r + k), m).CopyTo(uj);
                for (int p = j + 1; p < k; p++)
                {
                    double lpj = Ljj(p, j);
                    if (lpj != 0) TensorPrimitives.MultiplyAdd(u.AsSpan((int)((long)p * m), m), -lpj, uj, uj);
                }
                TensorPrimitives.Divide(uj, Ljj(j, j), uj);
            }

            // Z_BJ = −Z_BB·U, column by column as a sum of columns of Z_BB (vectorised axpys).
            var zbj = new double[(long)m * k];
            for (int j = 0; j < k; j++)
            {
                var zj = zbj.AsSpan((int)((long)j * m), m);
                for (int b = 0; b < m; b++)
                {
                    double ub = u[b + (long)j * m];
                    if (ub != 0) TensorPrimitives.MultiplyAdd(zbb.AsSpan((int)((long)b * m), m), -ub, zj, zj);
                }
            }

            // L_JJ⁻¹ (k×k lower), by forward substitution on the columns of I.
            var linv = new double[k * k];
            for (int c = 0; c < k; c++)
                for (int i = c; i < k; i++)
                {
                    double t = i == c ? 1.0 : 0.0;
                    for (int p = c; p < i; p++) t -= Ljj(i, p) * linv[p + c * k];
                    linv[i + c * k] = t / Ljj(i, i);
                }

            // Z_JJ = L_JJ⁻ᵀ·L_JJ⁻¹ − Uᵀ·Z_BJ, lower triangle computed, mirrored.
            for (int j = 0; j < k; j++)
                for (int i = j; i < k; i++)
                {
                    double t = 0;
                    for (int p = i; p < k; p++) t += linv[p + i * k] * linv[p + j * k];
                    if (m > 0) t -= TensorPrimitives.Dot(u.AsSpan((int)((long)i * m), m), zbj.AsSpan((int)((long)j * m), m));
                    z[off + (long)j * r + i] = t;
                    z[off + (long)i * r + j] = t;
                }
            for (int j = 0; j < k; j++)
                for (int a = 0; a < m; a++) z[off + (long)j * r + k + a] = zbj[a + (long)j * m];
        }
        return z;
    }

    /// <summary>
    /// (A⁻¹)_ji for every CSR slot (i, j) of <paramref name="pattern"/> (the analysed pattern), from the selected
    /// inverse <paramref name="z"/> of P·A·Pᵀ: (A⁻¹)_ji = Z[pinv j, pinv i], symmetric, read in its lower triangle.
    /// </summary>
    public static double[] OnPattern(SupernodalSymbolic s, double[] z, SparsePattern pattern)
    {
        var colToSuper = ColumnToSupernode(s);
        var rp = pattern.RowPtr; var ci = pattern.ColInd;
        var result = new double[pattern.Nnz];
        for (int i = 0; i < pattern.Rows; i++)
            for (int q = rp[i]; q < rp[i + 1]; q++)
            {
                int a = s.Pinv[i], b = s.Pinv[ci[q]];
                int row = Math.Max(a, b), col = Math.Min(a, b);
                int sn = colToSuper[col];
                int r0 = s.RowPtr[sn], r = s.RowPtr[sn + 1] - r0;
                int at = Array.BinarySearch(s.Rows, r0, r, row);
                // Every entry of A lies in the structure of L (its filled pattern), so the search cannot miss.
                if (at < 0) throw new InvalidOperationException($"internal: entry ({i}, {ci[q]}) of A is outside the structure of its factor");
                result[q] = z[s.ValueOffset[sn] + (long)(col - s.SuperStart[sn]) * r + (at - r0)];
            }
        return result;
    }

    private static int[] ColumnToSupernode(SupernodalSymbolic s)
    {
        var c = new int[s.N];
        for (int sn = 0; sn < s.SuperCount; sn++)
            for (int j = s.SuperStart[sn]; j < s.SuperStart[sn + 1]; j++) c[j] = sn;
        return c;
    }
}
