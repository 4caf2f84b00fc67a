using System.Runtime.CompilerServices;
using System.Numerics;

namespace TorchSla.Solvers.Direct;

/// <summary>
/// A sparse direct factorization of a square matrix (or of each matrix of a batch [B…, N, N] on one
/// shared analysis): solve with A or Aᵀ for one or many right-hand sides, refactor a new value set
/// without re-analysis, determinant. Values are factored in float64 on the host whatever
/// <typeparamref name="T"/> is; results are returned as <typeparamref name="T"/>.
/// </summary>
/// <typeparam name="T">Element type of the tensors solved with (double or float).</typeparam>
public abstract class SparseFactorization<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] _batchShape;
    private bool _disposed;

    /// <summary>Creates the common state.</summary>
    private protected SparseFactorization(int n, int[] batchShape)
    {
        N = n; _batchShape = batchShape;
        int b = 1;
        foreach (int d in batchShape) b *= d;
        BatchSize = b;
    }

    /// <summary>Order of the matrix.</summary>
    public int N { get; }

    /// <summary>Number of factored matrices (1 when not batched).</summary>
    public int BatchSize { get; }

    /// <summary>Batch dimensions B… of the factored tensor (empty when not batched).</summary>
    public int[] BatchShape => (int[])_batchShape.Clone();

    /// <summary>Stored entries of the factor(s) of one matrix: nnz(L) for Cholesky/LDLᵀ, nnz(L) + nnz(U) for LU.</summary>
    public abstract long NnzFactor { get; }

    /// <summary>Floating-point operations of one numeric factorization (as counted by the analysis).</summary>
    public abstract double Flops { get; }

    /// <summary>Wall-clock seconds of the symbolic analysis (ordering included).</summary>
    public double AnalyzeSeconds { get; private protected set; }

    /// <summary>Wall-clock seconds of the last numeric factorization (all batch entries).</summary>
    public double FactorSeconds { get; private protected set; }

    /// <summary>Solves A_b·x = b in place for one vector of length N (float64, caller's ordering).</summary>
    private protected abstract void SolveInPlace(int batchIndex, double[] x, bool transpose);

    /// <summary>
    /// Solves with a vector b that lives on a GPU without moving it to the host, when this factorization can (the
    /// factor is uploaded on first use); null: solve on the host. b's entries are checked finite first.
    /// </summary>
    private protected virtual Tensor<T>? SolveOnDevice(Tensor<T> b, bool transpose) => null;

    /// <summary>log|det A_b| and sign(det A_b) ∈ {−1, +1}.</summary>
    private protected abstract (double LogAbsDet, int Sign) LogDeterminant(int batchIndex);

    /// <summary>(A_b⁻¹)_ji for every CSR slot (i, j) of the analysed pattern, from the selected inverse of the factors.</summary>
    private protected abstract double[] SelectedInverseTranspose(int batchIndex);

    /// <summary>Factors new values of the same pattern: <paramref name="values"/> holds BatchSize × nnz values in CSR slot order.</summary>
    private protected abstract void RefactorValues(double[] values);

    /// <summary>Releases the factor storage.</summary>
    private protected abstract void ReleaseFactors();

    /// <summary>The CSR pattern this factorization was analysed for.</summary>
    private protected abstract SparsePattern AnalysedPattern { get; }

    /// <summary>Throws <see cref="ObjectDisposedException"/> after <see cref="Dispose"/>.</summary>
    private protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>
    /// Solves A·x = b. b has shape [N] or [N, K] (K right-hand sides), or [B…, N] / [B…, N, K] for a batched factorization.
    /// </summary>
    /// <exception cref="ShapeMismatchException">b's shape does not fit.</exception>
    public Tensor<T> Solve(Tensor<T> b) => SolveTensor(b, false);

    /// <summary>Solves Aᵀ·x = b (shapes as in <see cref="Solve(Tensor{T})"/>); used by adjoints.</summary>
    /// <exception cref="ShapeMismatchException">b's shape does not fit.</exception>
    public Tensor<T> SolveTranspose(Tensor<T> b) => SolveTensor(b, true);

    /// <summary>Solves A_b·x = b for one vector (b has N entries) with matrix <paramref name="batchIndex"/>.</summary>
    /// <exception cref="ShapeMismatchException">b does not have N entries.</exception>
    public T[] Solve(ReadOnlySpan<T> b, int batchIndex = 0) => SolveVector(b, batchIndex, false);

    /// <summary>Solves A_bᵀ·x = b for one vector.</summary>
    /// <exception cref="ShapeMismatchException">b does not have N entries.</exception>
    public T[] SolveTranspose(ReadOnlySpan<T> b, int batchIndex = 0) => SolveVector(b, batchIndex, true);

    private T[] SolveVector(ReadOnlySpan<T> b, int batchIndex, bool transpose)
    {
        ThrowIfDisposed();
        if (b.Length != N) throw new ShapeMismatchException($"the factorization is {N}×{N}, b has {b.Length} entries", nameof(b));
        CheckBatch(batchIndex);
        var x = FactorMemory.Allocate<double>(N);
        for (int i = 0; i < N; i++) x[i] = double.CreateChecked(b[i]);
        CheckFinite(x, nameof(b));
        SolveInPlace(batchIndex, x, transpose);
        if (typeof(T) == typeof(double)) return (T[])(object)x;   // the solution vector is the result: no second copy
        var r = new T[N];
        for (int i = 0; i < N; i++) r[i] = T.CreateChecked(x[i]);
        return r;
    }

    private Tensor<T> SolveTensor(Tensor<T> b, bool transpose)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(b);
        var shape = b.Shape;
        int br = _batchShape.Length;
        bool vector = shape.Length == br + 1 && shape[br] == N;
        bool matrix = shape.Length == br + 2 && shape[br] == N;
        for (int i = 0; i < br && (vector || matrix); i++) if (shape[i] != _batchShape[i]) { vector = matrix = false; }
        if (!vector && !matrix)
            throw new ShapeMismatchException(
                $"b has shape {ShapeMismatchException.Format(shape)}; this {N}×{N} factorization{(br > 0 ? $" of batch {ShapeMismatchException.Format(_batchShape)}" : "")} solves shapes [{string.Join(", ", [.. _batchShape.Select(d => d.ToString()), "N"])}] or [..., N, K] with N = {N}", nameof(b));
        int k = matrix ? shape[br + 1] : 1;
        if (b.Device != Device.Cpu && vector && BatchSize == 1 && SolveOnDevice(b, transpose) is { } onDevice) return onDevice;
        var data = b.Cpu().ToArray();
        var result = new T[data.Length];
        int per = N * k;
        var jobs = BatchSize * k;
        void One(int job)
        {
            int bi = job / k, col = job % k;
            var x = new double[N];
            int baseOff = bi * per;
            for (int i = 0; i < N; i++) x[i] = double.CreateChecked(data[baseOff + i * k + col]);
            CheckFinite(x, nameof(b));
            SolveInPlace(bi, x, transpose);
            for (int i = 0; i < N; i++) result[baseOff + i * k + col] = T.CreateChecked(x[i]);
        }
        if (jobs > 1 && (long)jobs * N > 200_000) Parallel.For(0, jobs, One);
        else for (int j = 0; j < jobs; j++) One(j);
        return Tensor<T>.FromArray(result, shape).To(b.Device);
    }

    /// <summary>log|det A_b| (natural logarithm); −∞ never occurs, a singular matrix fails to factor.</summary>
    public double LogAbsDet(int batchIndex = 0) { ThrowIfDisposed(); CheckBatch(batchIndex); return LogDeterminant(batchIndex).LogAbsDet; }

    /// <summary>sign(det A_b): +1 or −1.</summary>
    public int Sign(int batchIndex = 0) { ThrowIfDisposed(); CheckBatch(batchIndex); return LogDeterminant(batchIndex).Sign; }

    /// <summary>det A_b = Sign·exp(LogAbsDet) (may overflow to ±∞ or underflow to 0 for large matrices: prefer <see cref="LogAbsDet"/>).</summary>
    public double Det(int batchIndex = 0)
    {
        ThrowIfDisposed(); CheckBatch(batchIndex);
        var (l, s) = LogDeterminant(batchIndex);
        return s * Math.Exp(l);
    }

    /// <summary>
    /// (A_b⁻ᵀ)_ij = (A_b⁻¹)_ji for every stored entry (i, j) of the analysed pattern, in CSR slot order — by Jacobi's
    /// formula ∂ log|det A|/∂a_ij. Computed by the selected inverse of the factors (the entries of A⁻¹ on the structure of
    /// the factors only, Takahashi/Erisman–Tinney recurrences: see <see cref="SupernodalSelectedInverse"/> and
    /// <see cref="LuSelectedInverse"/>), never the dense inverse: the work and memory are of the order of the factorization's.
    /// </summary>
    /// <exception cref="InvalidOperationException">An LDLᵀ factorization perturbed pivots (static pivoting): its factors are
    /// those of a nearby matrix, not of A.</exception>
    public double[] InverseTransposeOnPattern(int batchIndex = 0)
    {
        ThrowIfDisposed(); CheckBatch(batchIndex);
        return SelectedInverseTranspose(batchIndex);
    }

    /// <summary>
    /// Factors the values of <paramref name="a"/> (same pattern and batch shape as analysed) without re-analysis.
    /// </summary>
    /// <exception cref="ArgumentException">A has another pattern or batch shape.</exception>
    public void Refactor(SparseTensor<T> a)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(a);
        if (!ReferenceEquals(a.Pattern, AnalysedPattern) && !a.Pattern.SameAs(AnalysedPattern))
            throw new ArgumentException($"Refactor needs the analysed pattern: got {a}, analysed {N}×{N} with {AnalysedPattern.Nnz} stored entries", nameof(a));
        if (a.BatchSize != BatchSize)
            throw new ShapeMismatchException($"the factorization holds {BatchSize} matrices, A has {a.BatchSize}", nameof(a));
        var v = a.Values.ToArray();
        var d = new double[v.Length];
        for (int i = 0; i < v.Length; i++) d[i] = double.CreateChecked(v[i]);
        RefactorValues(d);
    }

    /// <summary>
    /// Factors a new value set on the analysed pattern: <paramref name="newValues"/> holds BatchSize × nnz values
    /// in the CSR slot order of the analysed tensor (as <see cref="SparseTensor{T}.GetValues()"/> returns them).
    /// </summary>
    /// <exception cref="ShapeMismatchException">The number of values is wrong.</exception>
    /// <exception cref="NonFiniteValueException">A value is NaN or infinite.</exception>
    public void Refactor(ReadOnlySpan<T> newValues)
    {
        ThrowIfDisposed();
        long need = (long)BatchSize * AnalysedPattern.Nnz;
        if (newValues.Length != need)
            throw new ShapeMismatchException($"Refactor needs {need} values ({BatchSize} × {AnalysedPattern.Nnz} stored entries), got {newValues.Length}", nameof(newValues));
        var d = new double[newValues.Length];
        for (int i = 0; i < d.Length; i++) d[i] = double.CreateChecked(newValues[i]);
        CheckFinite(d, nameof(newValues));
        RefactorValues(d);
    }

    private void CheckBatch(int batchIndex)
    {
        if ((uint)batchIndex >= (uint)BatchSize)
            throw new ArgumentOutOfRangeException(nameof(batchIndex), $"batch index {batchIndex} is outside [0, {BatchSize})");
    }

    /// <summary>Throws <see cref="NonFiniteValueException"/> naming the first NaN/∞ entry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected static void CheckFinite(ReadOnlySpan<double> v, string what)
    {
        for (int i = 0; i < v.Length; i++)
            if (!double.IsFinite(v[i])) throw new NonFiniteValueException($"{what} has a non-finite value ({v[i]}) at index {i}", i);
    }

    /// <summary>Values of a tensor as float64 (all batch entries, slot order), checked finite.</summary>
    private protected static double[] ValuesOf(SparseTensor<T> a)
    {
        var v = a.Values.ToArray();
        double[] d;
        if (v is double[] same) d = same; // float64 already: the copy is the result
        else
        {
            d = new double[v.Length];
            for (int i = 0; i < v.Length; i++) d[i] = double.CreateChecked(v[i]);
        }
        CheckFinite(d, "A");
        return d;
    }

    /// <summary>Releases the factors; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        ReleaseFactors();
        GC.SuppressFinalize(this);
    }
}
