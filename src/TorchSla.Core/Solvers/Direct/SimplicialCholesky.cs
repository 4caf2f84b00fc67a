using System.Numerics;
using System.Runtime.CompilerServices;

namespace TorchSla.Solvers.Direct;

/// <summary>
/// Up-looking simplicial sparse Cholesky factorization P·A·Pᵀ = L·Lᵀ of a symmetric positive
/// definite matrix (Davis, "Direct Methods for Sparse Linear Systems", 2006, §4.2, cs_chol):
/// row k of L is found by a sparse triangular solve L₁₁·x = c₁₂ whose pattern is the reach of
/// column k in the elimination tree, then l_kk = √(c_kk − x·x). Values are computed in float64
/// on the host whatever the tensor's element type. The analysis (<see cref="CholeskySymbolic"/>)
/// is shared by every value set of a pattern.
/// </summary>
public sealed class SimplicialCholesky
{
    private readonly double[] _lx;
    private readonly int[] _li;

    private SimplicialCholesky(CholeskySymbolic symbolic, int[] li, double[] lx)
    {
        Symbolic = symbolic; _li = li; _lx = lx;
    }

    /// <summary>The analysis this factor was computed with.</summary>
    public CholeskySymbolic Symbolic { get; }

    /// <summary>Order of the matrix.</summary>
    public int N => Symbolic.N;

    /// <summary>L in compressed columns: column pointers (a copy, length N+1).</summary>
    public int[] ColumnPointers => (int[])Symbolic.LColPtr.Clone();

    /// <summary>L in compressed columns: row index of each entry, the diagonal first in each column (a copy).</summary>
    public int[] RowIndices => (int[])_li.Clone();

    /// <summary>L in compressed columns: the values (a copy).</summary>
    public double[] Values => (double[])_lx.Clone();

    /// <summary>The permutation p of P·A·Pᵀ (a copy): (P·A·Pᵀ)_ij = a_{p[i], p[j]}.</summary>
    public int[] Permutation => Symbolic.Permutation;

    /// <summary>
    /// Analyses the pattern of <paramref name="a"/> (square, treated as symmetric: its entries on
    /// or above the diagonal of P·A·Pᵀ are used) with the given ordering.
    /// </summary>
    /// <exception cref="ShapeMismatchException">A is not square.</exception>
    public static CholeskySymbolic Analyze<T>(SparseTensor<T> a, CholeskyOrdering ordering = CholeskyOrdering.ApproximateMinimumDegree)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ShapeMismatchException($"Cholesky needs square matrices, got shape {ShapeMismatchException.Format(a.Shape)}", nameof(a));
        return CholeskySymbolic.Analyze(a.Pattern, ordering, long.MaxValue)!;
    }

    /// <summary>
    /// Factors matrix <paramref name="batchIndex"/> of <paramref name="a"/> (analysing its pattern first).
    /// </summary>
    /// <param name="a">A symmetric positive definite matrix (or batch of them).</param>
    /// <param name="batchIndex">Which matrix of the batch.</param>
    /// <param name="ordering">The fill-reducing ordering.</param>
    /// <param name="pivotTolerance">A pivot d_k = c_kk − Σ l_kj² is accepted only when
    /// d_k &gt; pivotTolerance · max_i |a_ii| (0: only positivity is required).</param>
    /// <exception cref="NotPositiveDefiniteException">A pivot failed; the exception names the column of A.</exception>
    /// <exception cref="ShapeMismatchException">A is not square.</exception>
    public static SimplicialCholesky Factor<T>(SparseTensor<T> a, int batchIndex = 0, CholeskyOrdering ordering = CholeskyOrdering.ApproximateMinimumDegree, double pivotTolerance = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = Analyze(a, ordering);
        return Factor(s, a, batchIndex, pivotTolerance);
    }

    /// <summary>Factors matrix <paramref name="batchIndex"/> of <paramref name="a"/> with an analysis of its pattern.</summary>
    /// <exception cref="NotPositiveDefiniteException">A pivot failed; the exception names the column of A.</exception>
    /// <exception cref="ArgumentException">The analysis belongs to a matrix of another order.</exception>
    public static SimplicialCholesky Factor<T>(CholeskySymbolic symbolic, SparseTensor<T> a, int batchIndex = 0, double pivotTolerance = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(symbolic); ArgumentNullException.ThrowIfNull(a);
        if (a.Rows != symbolic.N || a.Cols != symbolic.N)
            throw new ShapeMismatchException($"the analysis is for {symbolic.N}×{symbolic.N} matrices, A has shape {ShapeMismatchException.Format(a.Shape)}", nameof(a));
        var v = a.GetValues(batchIndex);
        var values = new double[v.Length];
        for (int i = 0; i < v.Length; i++) values[i] = double.CreateChecked(v[i]);
        return Factor(symbolic, values, a.Pattern.DiagonalSlots(), pivotTolerance);
    }

    // Optimized at first call: the AMG coarse solve factors once per setup, so in a young process this loop would otherwise
    // run as tier-0 code (amg7, bench/RESULTS.md "AMG, session 7").
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static SimplicialCholesky Factor(CholeskySymbolic s, double[] values, int[] diagonalSlots, double pivotTolerance)
    {
        int n = s.N;
        double scale = 0;
        foreach (int d in diagonalSlots) if (d >= 0) scale = Math.Max(scale, Math.Abs(values[d]));
        double threshold = pivotTolerance * scale;
        var lp = s.LColPtr;
        var li = new int[lp[n]];
        var lx = new double[lp[n]];
        var next = new int[n];           // next free slot of each column of L
        Array.Copy(lp, next, n);
        var x = new double[n];           // dense work column, zero between steps
        var stack = new int[n];
        var mark = new int[n];
        Array.Fill(mark, -1);
        for (int k = 0; k < n; k++)
        {
            int top = EliminationTree.Reach(k, s.CColPtr, s.CRowInd, s.Parent, stack, mark);
            for (int p = s.CColPtr[k]; p < s.CColPtr[k + 1]; p++) x[s.CRowInd[p]] += values[s.CSource[p]];
            double d = x[k];
            x[k] = 0;
            // Sparse triangular solve for row k of L, columns in topological order.
            for (; top < n; top++)
            {
                int i = stack[top];
                double lki = x[i] / lx[lp[i]];
                x[i] = 0;
                for (int q = lp[i] + 1; q < next[i]; q++) x[li[q]] -= lx[q] * lki;
                d -= lki * lki;
                int slot = next[i]++;
                li[slot] = k; lx[slot] = lki;
            }
            if (!(d > threshold)) // also catches NaN
                throw new NotPositiveDefiniteException(
                    $"matrix is not positive definite: the Cholesky pivot of column {s.Perm[k]} (step {k} of the ordered matrix) is {d:g6}" +
                    (threshold > 0 ? $", not above the tolerance {threshold:g3}" : ""),
                    s.Perm[k], d);
            int ds = next[k]++;
            li[ds] = k; lx[ds] = Math.Sqrt(d);
        }
        return new SimplicialCholesky(s, li, lx);
    }

    /// <summary>Solves A·x = b with the factor: x = Pᵀ·L⁻ᵀ·L⁻¹·P·b.</summary>
    /// <exception cref="ShapeMismatchException">b does not have N entries.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double[] Solve(ReadOnlySpan<double> b)
    {
        int n = N;
        if (b.Length != n) throw new ShapeMismatchException($"the factor is {n}×{n}, b has {b.Length} entries", nameof(b));
        var lp = Symbolic.LColPtr; var perm = Symbolic.Perm;
        var y = new double[n];
        for (int i = 0; i < n; i++) y[i] = b[perm[i]];
        for (int j = 0; j < n; j++) // L y = P b, column-oriented forward substitution
        {
            y[j] /= _lx[lp[j]];
            for (int q = lp[j] + 1; q < lp[j + 1]; q++) y[_li[q]] -= _lx[q] * y[j];
        }
        for (int j = n - 1; j >= 0; j--) // Lᵀ z = y
        {
            double t = y[j];
            for (int q = lp[j] + 1; q < lp[j + 1]; q++) t -= _lx[q] * y[_li[q]];
            y[j] = t / _lx[lp[j]];
        }
        var xOut = new double[n];
        for (int i = 0; i < n; i++) xOut[perm[i]] = y[i];
        return xOut;
    }
}
