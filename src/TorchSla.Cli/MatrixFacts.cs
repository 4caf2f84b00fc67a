using System.Numerics;
using TorchSla.Solvers;

namespace TorchSla.Cli;

/// <summary>
/// What <c>torchsla info</c> says about a matrix: symmetry (pattern and values through the
/// transposition map) and definiteness where a cheap sufficient test decides it.
/// </summary>
internal static class MatrixFacts
{
    public static bool IsSymmetric<T>(SparseTensor<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < a.BatchSize; b++)
            if (!Symmetry.IsSymmetric(a, b)) return false;
        return true;
    }

    /// <summary>
    /// Definiteness of a symmetric matrix, decided only where a theorem does it without a
    /// factorization: a non-positive diagonal entry rules positive definiteness out; a positive
    /// diagonal with weak diagonal dominance, strict in at least one row of every connected
    /// component of the graph, proves it (each irreducible block is nonsingular by Taussky's
    /// theorem, Horn &amp; Johnson, Matrix Analysis, Thm 6.2.27, and its Gershgorin discs lie in
    /// Re z ≥ 0). Otherwise "unknown".
    /// </summary>
    public static string Definiteness<T>(SparseTensor<T> a, bool symmetric) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!a.IsSquare) return "n/a (not square)";
        if (!symmetric) return "n/a (not symmetric)";
        int n = a.Rows;
        if (n == 0) return "n/a (empty)";
        var rp = a.RowPointers; var ci = a.ColumnIndices;
        for (int b = 0; b < a.BatchSize; b++)
        {
            var v = a.GetValues(b);
            var strict = new bool[n];
            for (int i = 0; i < n; i++)
            {
                double diag = 0, off = 0;
                for (int k = rp[i]; k < rp[i + 1]; k++)
                    if (ci[k] == i) diag = double.CreateTruncating(v[k]); else off += Math.Abs(double.CreateTruncating(v[k]));
                string where = a.IsBatched ? $" in matrix {b}" : "";
                if (diag <= 0) return $"not positive definite (a[{i},{i}] = {diag:G6} ≤ 0{where})";
                if (diag < off) return "unknown (not diagonally dominant; needs a factorization test)";
                strict[i] = diag > off;
            }
            if (!EveryComponentHasStrictRow(n, rp, ci, v, strict))
                return "positive semidefinite (weakly diagonally dominant); definiteness unknown";
        }
        return "positive definite (symmetric, positive diagonal, irreducibly diagonally dominant)";
    }

    private static bool EveryComponentHasStrictRow<T>(int n, int[] rp, int[] ci, T[] v, bool[] strict) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var seen = new bool[n];
        var stack = new Stack<int>();
        for (int s = 0; s < n; s++)
        {
            if (seen[s]) continue;
            bool found = false;
            seen[s] = true; stack.Push(s);
            while (stack.Count > 0)
            {
                int i = stack.Pop();
                found |= strict[i];
                for (int k = rp[i]; k < rp[i + 1]; k++) // stored zeros do not connect the graph
                    if (v[k] != T.Zero && !seen[ci[k]]) { seen[ci[k]] = true; stack.Push(ci[k]); }
            }
            if (!found) return false;
        }
        return true;
    }
}
