using System.Diagnostics;
using System.Numerics;

namespace TorchSla.Solvers.Direct;

/// <summary>
/// Multifrontal LDLᵀ factorization P·A·Pᵀ = L·D·Lᵀ of a symmetric (possibly indefinite) matrix with
/// <b>1×1/2×2 threshold pivoting inside each front and delayed pivots</b> (Duff &amp; Reid 1983; the
/// pivot rule, threshold u = 0.01, and the Bunch–Kaufman fallback at the roots are described in
/// <see cref="MultifrontalLdlt"/>). P is the fill-reducing ordering modified by the pivoting, so it
/// depends on the values (<see cref="Permutation"/>); D is block diagonal with 1×1 and 2×2 blocks.
/// Every solve is followed by iterative refinement x ← x + F⁻¹(b − A·x) while it reduces the
/// componentwise backward error (Arioli, Demmel &amp; Duff 1989), usually one step.
/// det A = Π det(D_j); the inertia comes from D (Sylvester's law).
/// Created by <see cref="SparseTensor{T}.Ldlt"/>.
/// </summary>
/// <typeparam name="T">Element type (double or float); the factor is float64.</typeparam>
public sealed class LdltFactorization<T> : SparseFactorization<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SupernodalSymbolic _symbolic;
    private readonly SparsePattern _pattern;
    private const double MachineEpsilon = 2.220446049250313e-16;
    private MultifrontalLdlt[] _factors;
    private double[] _values;

    internal LdltFactorization(SparseTensor<T> a, CholeskyOrdering ordering)
        : base(a.Rows, a.BatchShape)
    {
        _pattern = a.Pattern;
        var values = ValuesOf(a);
        var sw = Stopwatch.StartNew();
        _symbolic = SupernodalSymbolic.Analyze(a.Pattern, ordering);
        AnalyzeSeconds = sw.Elapsed.TotalSeconds;
        _factors = []; _values = [];
        RefactorValues(values);
    }

    /// <summary>The fill-reducing ordering used.</summary>
    public CholeskyOrdering Ordering => _symbolic.Ordering;

    /// <summary>The elimination order of matrix <paramref name="batchIndex"/> (a copy): p[k] = column of A eliminated at step k.</summary>
    public int[] Permutation(int batchIndex = 0) { ThrowIfDisposed(); CheckIndex(batchIndex); return _factors[batchIndex].ToCompressedColumns().Perm; }

    /// <summary>Stored entries of L of the first matrix (unit diagonal included; delayed pivots can make it exceed the analysis).</summary>
    public override long NnzFactor => _factors.Length == 0 ? _symbolic.NnzLStored : _factors[0].NnzL;

    /// <summary>Floating-point operations of one numeric factorization.</summary>
    public override double Flops => _symbolic.Flops;

    /// <summary>Most refinement steps per solve (default 10); 0 turns refinement off.</summary>
    public int MaxRefinementSteps { get; set; } = 10;

    /// <summary>Columns of matrix <paramref name="batchIndex"/> passed uneliminated from a front to its parent (summed over fronts).</summary>
    public int DelayedPivots(int batchIndex = 0) { ThrowIfDisposed(); CheckIndex(batchIndex); return _factors[batchIndex].Delayed; }

    /// <summary>Number of 2×2 blocks of D of matrix <paramref name="batchIndex"/>.</summary>
    public int TwoByTwoPivots(int batchIndex = 0) { ThrowIfDisposed(); CheckIndex(batchIndex); return _factors[batchIndex].TwoByTwoPivots; }

    /// <summary>Componentwise backward error max_i |b − A·x|_i / (|A|·|x| + |b|)_i of the last solve.</summary>
    public double LastBackwardError { get; private set; }

    /// <summary>Number of negative eigenvalues of A (Sylvester's law of inertia: those of the 1×1 and 2×2 blocks of D).</summary>
    public int NegativeEigenvalues(int batchIndex = 0) { ThrowIfDisposed(); CheckIndex(batchIndex); return _factors[batchIndex].Determinant().Negative; }

    private void CheckIndex(int batchIndex)
    {
        if ((uint)batchIndex >= (uint)BatchSize) throw new ArgumentOutOfRangeException(nameof(batchIndex), $"batch index {batchIndex} is outside [0, {BatchSize})");
    }

    private protected override SparsePattern AnalysedPattern => _pattern;

    private protected override void RefactorValues(double[] values)
    {
        var sw = Stopwatch.StartNew();
        int nnz = _pattern.Nnz;
        var f = new MultifrontalLdlt[BatchSize];
        for (int b = 0; b < BatchSize; b++) f[b] = MultifrontalLdlt.Factor(_symbolic, new ReadOnlySpan<double>(values, b * nnz, nnz));
        _factors = f; _values = values;
        FactorSeconds = sw.Elapsed.TotalSeconds;
    }

    private protected override void SolveInPlace(int batchIndex, double[] x, bool transpose)
    {
        int n = N, nnz = _pattern.Nnz;
        var work = new double[n];
        var b = x.ToArray();
        var fac = _factors[batchIndex];
        fac.Solve(x, work);
        var rp = _pattern.RowPtr; var ci = _pattern.ColInd;
        var v = new ReadOnlySpan<double>(_values, batchIndex * nnz, nnz);
        var r = new double[n];
        double bestOmega = double.PositiveInfinity;
        var best = x.ToArray();
        for (int step = 0; ; step++)
        {
            // r = b − A·x and the componentwise backward error ω = max |r_i| / (|A|·|x| + |b|)_i.
            double omega = 0;
            for (int i = 0; i < n; i++)
            {
                double s = b[i], den = Math.Abs(b[i]);
                for (int q = rp[i]; q < rp[i + 1]; q++) { double t = v[q] * x[ci[q]]; s -= t; den += Math.Abs(t); }
                r[i] = s;
                if (den > 0) omega = Math.Max(omega, Math.Abs(s) / den);
                else if (s != 0) omega = double.PositiveInfinity;
            }
            if (!(omega < bestOmega)) break;           // no progress: keep the best iterate
            bool fast = omega < 0.5 * bestOmega;
            bestOmega = omega;
            x.CopyTo(best);
            if (step >= MaxRefinementSteps || omega <= MachineEpsilon || (step > 0 && !fast)) break;
            fac.Solve(r, work);
            for (int i = 0; i < n; i++) x[i] += r[i];
        }
        best.CopyTo(x);
        LastBackwardError = bestOmega;
    }

    private protected override (double LogAbsDet, int Sign) LogDeterminant(int batchIndex)
    {
        var (l, sign, _) = _factors[batchIndex].Determinant();
        return (l, sign);
    }

    /// <summary>
    /// From a left-looking LU (threshold partial pivoting) of the same values, not from these factors: the selected
    /// inverse recurrences here are written for triangular factors with a diagonal pivot, and D's 2×2 blocks couple
    /// pairs of columns; the LU costs one more factorization, done only when the entries are asked for.
    /// </summary>
    private protected override double[] SelectedInverseTranspose(int batchIndex)
    {
        int nnz = _pattern.Nnz;
        var (t, map) = _pattern.Transpose();
        var csc = new double[nnz];
        for (int s = 0; s < nnz; s++) csc[s] = _values[(long)batchIndex * nnz + map[s]];
        var sym = _pattern.SymmetryPlan().Pattern;
        var q = ApproximateMinimumDegree.Order(N, sym.RowPtr, sym.ColInd);
        return LuSelectedInverse.OnPattern(GilbertPeierlsLu.Factor(N, t.RowPtr, t.ColInd, csc, q, 0.1), _pattern);
    }

    private protected override void ReleaseFactors() { _factors = []; _values = []; }

    /// <summary>
    /// The factors of matrix <paramref name="batchIndex"/> in the elimination order p (<see cref="Permutation"/>):
    /// L unit lower triangular in compressed columns (rows ascending), D's diagonal and its subdiagonal (nonzero at
    /// the first column of each 2×2 block), with A[p, p] = L·D·Lᵀ.
    /// </summary>
    public (int[] Permutation, int[] ColumnPointers, int[] RowIndices, double[] Values, double[] Diagonal, double[] Subdiagonal) GetFactor(int batchIndex = 0)
    {
        ThrowIfDisposed();
        CheckIndex(batchIndex);
        return _factors[batchIndex].ToCompressedColumns();
    }
}
