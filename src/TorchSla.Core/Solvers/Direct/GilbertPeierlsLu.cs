namespace TorchSla.Solvers.Direct;

/// <summary>
/// Left-looking sparse LU with threshold partial pivoting, P·A·Q = L·U (Gilbert &amp; Peierls,
/// "Sparse partial pivoting in time proportional to arithmetic operations", SIAM J. Sci. Stat.
/// Comput. 9(5), 1988; Davis 2006, §6.3, cs_lu). Column k of L and U comes from one sparse
/// triangular solve L·x = A(:, q_k) whose nonzero pattern is the reach of A(:, q_k) in the graph
/// of L (depth-first search, §3.2), so the work is proportional to the flops. The pivot is the
/// diagonal entry when |x_diag| ≥ threshold·max|x_i| over the non-pivotal rows (keeping the
/// fill-reducing column order's structure), else the largest one. L is unit lower triangular
/// (diagonal stored first), U upper triangular (diagonal stored last), both by columns (<see cref="SparseLuFactors"/>).
/// </summary>
internal static class GilbertPeierlsLu
{
    /// <summary>Factors A given by columns (CSC: colPtr, rowInd, values) with column order q.</summary>
    public static SparseLuFactors Factor(int n, int[] ap, int[] ai, ReadOnlySpan<double> ax, int[] q, double threshold)
    {
        int lcap = 4 * ap[n] + n, ucap = 4 * ap[n] + n;
        var lp = new int[n + 1]; var li = new int[lcap]; var lx = new double[lcap];
        var up = new int[n + 1]; var ui = new int[ucap]; var ux = new double[ucap];
        var pinv = new int[n]; Array.Fill(pinv, -1);
        var x = new double[n];
        var xi = new int[2 * n];          // reach output [top, n) and DFS stack in [n, 2n)
        var mark = new int[n]; Array.Fill(mark, -1);
        int lnz = 0, unz = 0;
        double flops = 0;
        for (int k = 0; k < n; k++)
        {
            lp[k] = lnz; up[k] = unz;
            if (lnz + n > lcap) { lcap = Math.Max(2 * lcap, lnz + n); Array.Resize(ref li, lcap); Array.Resize(ref lx, lcap); }
            if (unz + n > ucap) { ucap = Math.Max(2 * ucap, unz + n); Array.Resize(ref ui, ucap); Array.Resize(ref ux, ucap); }
            int col = q[k];
            int top = Reach(n, lp, li, ap, ai, col, xi, mark, pinv, k);
            for (int p = top; p < n; p++) x[xi[p]] = 0;
            for (int p = ap[col]; p < ap[col + 1]; p++) x[ai[p]] += ax[p];
            // x = L \ A(:, col) on the reach, in topological order.
            for (int p = top; p < n; p++)
            {
                int j = xi[p], jc = pinv[j];
                if (jc < 0) continue;
                double xj = x[j];
                if (xj == 0) continue;
                for (int t = lp[jc] + 1; t < lp[jc + 1]; t++) x[li[t]] -= lx[t] * xj;
                flops += 2.0 * (lp[jc + 1] - lp[jc] - 1);
            }
            // Choose the pivot among the non-pivotal rows; U gets the pivotal ones.
            int ipiv = -1; double amax = -1;
            for (int p = top; p < n; p++)
            {
                int i = xi[p];
                if (pinv[i] < 0)
                {
                    double t = Math.Abs(x[i]);
                    if (t > amax) { amax = t; ipiv = i; }
                }
                else { ui[unz] = pinv[i]; ux[unz++] = x[i]; }
            }
            if (ipiv < 0 || !(amax > 0))
                throw new SingularMatrixException(
                    $"matrix is singular: column {col} (step {k} of the column ordering) has no nonzero pivot among the rows not yet eliminated", col);
            if (pinv[col] < 0 && Math.Abs(x[col]) >= threshold * amax) ipiv = col;
            double pivot = x[ipiv];
            ui[unz] = k; ux[unz++] = pivot;
            pinv[ipiv] = k;
            li[lnz] = ipiv; lx[lnz++] = 1;
            for (int p = top; p < n; p++)
            {
                int i = xi[p];
                if (pinv[i] < 0) { li[lnz] = i; lx[lnz++] = x[i] / pivot; }
                x[i] = 0;
            }
            flops += lnz - lp[k];
        }
        lp[n] = lnz; up[n] = unz;
        for (int p = 0; p < lnz; p++) li[p] = pinv[li[p]]; // rows of L in pivot order
        Array.Resize(ref li, lnz); Array.Resize(ref lx, lnz);
        Array.Resize(ref ui, unz); Array.Resize(ref ux, unz);
        return new SparseLuFactors { N = n, Lp = lp, Li = li, Lx = lx, Up = up, Ui = ui, Ux = ux, Pinv = pinv, Q = (int[])q.Clone(), Flops = flops };
    }

    /// <summary>
    /// Nonzero pattern of L \ A(:, col): nodes reachable from A(:, col)'s rows in the graph of L (an edge
    /// j → i for each l_ij, only from pivotal rows j), written to xi[top..n) in topological order (Davis §3.2, cs_reach/cs_dfs).
    /// </summary>
    private static int Reach(int n, int[] lp, int[] li, int[] ap, int[] ai, int col, int[] xi, int[] mark, int[] pinv, int stamp)
    {
        int top = n;
        EnsureStack(n);
        for (int p = ap[col]; p < ap[col + 1]; p++)
        {
            int start = ai[p];
            if (mark[start] == stamp) continue;
            // Iterative DFS: Stack holds the path, PStack the next edge to try at each depth.
            int head = 0;
            Stack[0] = start;
            while (head >= 0)
            {
                int j = Stack[head];
                int jc = pinv[j];
                if (mark[j] != stamp)
                {
                    mark[j] = stamp;
                    PStack[head] = jc < 0 ? 0 : lp[jc] + 1;
                }
                bool done = true;
                int end = jc < 0 ? 0 : lp[jc + 1];
                for (int t = PStack[head]; t < end; t++)
                {
                    int i = li[t];
                    if (mark[i] == stamp) continue;
                    PStack[head] = t + 1;
                    Stack[++head] = i;
                    done = false;
                    break;
                }
                if (done) { head--; xi[--top] = j; }
            }
        }
        return top;
    }

    [ThreadStatic] private static int[]? _stack;
    [ThreadStatic] private static int[]? _pstack;
    private static int[] Stack => _stack!;
    private static int[] PStack => _pstack!;

    private static void EnsureStack(int n)
    {
        if (_stack is null || _stack.Length < n) { _stack = new int[n]; _pstack = new int[n]; }
    }
}
