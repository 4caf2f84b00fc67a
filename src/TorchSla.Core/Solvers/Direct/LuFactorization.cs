using System.Runtime.CompilerServices;
using System.Diagnostics;
using System.Numerics;
using TorchSla.Kernels;
using TorchSla.Kernels.Memory;

namespace TorchSla.Solvers.Direct;

/// <summary>
/// Sparse LU factorization P·A·Q = L·U with threshold partial pivoting for square unsymmetric matrices,
/// each matrix of a batch on one shared analysis. Two numeric algorithms (<see cref="LuAlgorithm"/>):
/// <list type="bullet">
/// <item>multifrontal (<see cref="MultifrontalLu"/>): the supernodal analysis of A + Aᵀ, square dense
/// fronts, pivots chosen inside each front's fully-summed block and delayed to the parent when none
/// passes the threshold test; dense blocked kernels and parallel subtrees make it the fast one when the
/// pattern is (nearly) symmetric, as for discretized PDEs;</item>
/// <item>left-looking Gilbert–Peierls (<see cref="GilbertPeierlsLu"/>) with the column ordering of A + Aᵀ:
/// sparse column by column, no dense kernels, but it pays no fill for the symmetrization, which is what
/// strongly unsymmetric patterns (west0479, bp_1200) need.</item>
/// </list>
/// <see cref="LuAlgorithm.Automatic"/> takes the multifrontal one when at least
/// <see cref="MultifrontalSymmetryThreshold"/> of the off-diagonal entries have their transpose stored.
/// Every solve is followed by iterative refinement in float64 while it reduces the componentwise
/// backward error (at most <see cref="MaxRefinementSteps"/> steps). Created by <see cref="SparseTensor{T}.Lu"/>.
/// </summary>
/// <typeparam name="T">Element type (double or float); the factors are float64.</typeparam>
public sealed class LuFactorization<T> : SparseFactorization<T> where T : unmanaged, IFloatingPointIeee754<T>
{
        private readonly SparsePattern _pattern;
    private readonly int[] _q = [];
    private readonly int[] _cscPtr = [], _cscRow = [], _cscSource = [];
    private readonly MultifrontalLu.Plan? _plan;
    private readonly double _threshold;
    private ILuFactors[] _factors;
    private double[] _values;
    private FrontalLuDeviceSolver? _device;
    private readonly Dictionary<(Device Device, int Batch, bool Transpose), RefinementOperator> _refinement = [];

    /// <summary>
    /// <see cref="LuAlgorithm.Automatic"/> picks the multifrontal LU when at least this fraction of the off-diagonal
    /// entries (i, j) have (j, i) stored. Measured (bench/RESULTS.md, "Direct solvers"): at symmetry 0.995 (cryg2500)
    /// and 1.0 (hangGlider_2) the multifrontal factor has about the same or 4× fewer entries than the left-looking one;
    /// at 0.667 (olm1000) 2.8× more, at 0.014/0.009 (west0479, bp_1200) 6–9× more. The threshold sits between.
    /// </summary>
    public const double MultifrontalSymmetryThreshold = 0.9;

    internal LuFactorization(SparseTensor<T> a, CholeskyOrdering ordering, double pivotThreshold, LuAlgorithm algorithm)
        : base(a.Rows, a.BatchShape)
    {
        if (!(pivotThreshold > 0 && pivotThreshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(pivotThreshold), $"the pivot threshold must be in (0, 1], got {pivotThreshold}");
        _pattern = a.Pattern; _threshold = pivotThreshold;
        DirectProfile.Start();
        // The values (copied as float64 and checked finite: tens of MB of fresh memory on large matrices) are needed only
        // by the factorization: on a large matrix another core prepares them while this one analyses the pattern.
        var values = a.Nnz >= ConcurrentValuesMinEntries && Environment.ProcessorCount > 1 ? Task.Run(() => ValuesOf(a)) : Task.FromResult(ValuesOf(a));
        DirectProfile.Mark("LU: values as float64, checked finite (or started)");
        var sw = Stopwatch.StartNew();
        int n = a.Rows;
        var sym = _pattern.SymmetricPattern();
        DirectProfile.Mark("LU: pattern of A + Aᵀ");
        // A union that is the pattern itself means a structurally symmetric pattern: ratio 1 without a pass over it.
        PatternSymmetry = ReferenceEquals(sym, _pattern) ? 1 : SymmetryRatio(_pattern, sym);
        DirectProfile.Mark("LU: symmetry ratio");
        Algorithm = algorithm != LuAlgorithm.Automatic ? algorithm
            : PatternSymmetry >= MultifrontalSymmetryThreshold ? LuAlgorithm.Multifrontal : LuAlgorithm.LeftLooking;
        Ordering = ordering;
        if (Algorithm == LuAlgorithm.Multifrontal) _plan = MultifrontalLu.Plan.Analyze(_pattern, ordering);
        else
        {
            _q = ordering switch
            {
                CholeskyOrdering.ApproximateMinimumDegree or CholeskyOrdering.Automatic => ApproximateMinimumDegree.Order(n, sym.RowPtr, sym.ColInd),
                CholeskyOrdering.ReverseCuthillMcKee => ReverseCuthillMcKee.Order(n, sym.RowPtr, sym.ColInd),
                CholeskyOrdering.NestedDissection => NestedDissection.Order(n, sym.RowPtr, sym.ColInd),
                _ => Enumerable.Range(0, n).ToArray(),
            };
            var (t, map) = _pattern.Transpose();
            _cscPtr = t.RowPtr; _cscRow = t.ColInd; _cscSource = map;
        }
        AnalyzeSeconds = sw.Elapsed.TotalSeconds;
        DirectProfile.Mark("LU: analysis done");
        _factors = []; _values = [];
        var v = values.GetAwaiter().GetResult();
        DirectProfile.Mark("LU: values awaited");
        RefactorValues(v);
    }

    /// <summary>From this many stored entries the constructor copies and checks the values on another core beside the analysis.</summary>
    private const int ConcurrentValuesMinEntries = 1 << 20;

    /// <summary>The fill-reducing ordering of the columns.</summary>
    public CholeskyOrdering Ordering { get; }

    /// <summary>The numeric algorithm used (never <see cref="LuAlgorithm.Automatic"/>).</summary>
    public LuAlgorithm Algorithm { get; }

    /// <summary>Fraction of the off-diagonal entries (i, j) of A whose transpose (j, i) is stored (1 for a symmetric pattern).</summary>
    public double PatternSymmetry { get; }

    /// <summary>
    /// Column permutation of matrix <paramref name="batchIndex"/> (a copy): column k of A·Q is column q[k] of A
    /// (the fill-reducing order, or, multifrontal, the order the pivoting chose inside it).
    /// </summary>
    public int[] ColumnPermutation(int batchIndex = 0)
    {
        ThrowIfDisposed();
        return (int[])_factors[batchIndex].Q.Clone();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double SymmetryRatio(SparsePattern a, SparsePattern union)
    {
        long diag = 0;
        foreach (int d in a.DiagonalSlots()) if (d >= 0) diag++;
        long off = a.Nnz - diag, unionOff = union.Nnz - diag;
        return off == 0 ? 1 : (double)(2 * off - unionOff) / off;
    }

    /// <summary>Row permutation of matrix <paramref name="batchIndex"/> (a copy): row k of P·A is row p[k] of A.</summary>
    public int[] RowPermutation(int batchIndex = 0)
    {
        ThrowIfDisposed();
        var pinv = _factors[batchIndex].Pinv;
        var p = new int[N];
        for (int i = 0; i < N; i++) p[pinv[i]] = i;
        return p;
    }

    /// <summary>nnz(L) + nnz(U) of the first matrix (L's unit diagonal included).</summary>
    public override long NnzFactor => _factors.Length == 0 ? 0 : _factors[0].Nnz;

    /// <summary>Floating-point operations of the first matrix's factorization.</summary>
    public override double Flops => _factors.Length == 0 ? 0 : _factors[0].Flops;

    /// <summary>Columns the multifrontal algorithm delayed from a front to its parent for matrix <paramref name="batchIndex"/> (0 for the left-looking one).</summary>
    internal bool SolvesInParallel(int batchIndex = 0) => _factors[batchIndex] is MultifrontalLuFactors { SolvesInParallel: true };

    /// <summary>Columns the multifrontal algorithm delayed, see above.</summary>
    internal int DelayedPivots(int batchIndex = 0) => _factors[batchIndex] is MultifrontalLuFactors m ? m.DelayedPivots : 0;

    /// <summary>Most refinement steps per solve (default 3); 0 turns refinement off.</summary>
    public int MaxRefinementSteps { get; set; } = 3;

    /// <summary>
    /// The refinement stops once the componentwise backward error ω = maxᵢ |b − A·x|ᵢ / (|A|·|x| + |b|)ᵢ is at most this
    /// (it also stops when ω no longer halves, or after <see cref="MaxRefinementSteps"/>). Default
    /// <see cref="DefaultRefinementTolerance"/> = 16ε; LAPACK's xGERFS and SuperLU's dgsrfs use ε, which is below what the
    /// computed residual itself resolves: evaluating b − A·x in float64 errs by up to γ_{k+1}·(|A|·|x| + |b|) in a row of k
    /// entries (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., §3.5 and §12.1), so a computed ω of a few
    /// ε is already at the noise of its own evaluation, and x is then the exact solution of a system whose every entry
    /// moved by a few units in the last place — more than the data's own rounding buys. Measured (bench/RESULTS.md,
    /// session direct6): the LU of 2D Poisson 1M reaches ω = 1.8e-15 (8ε) in the first solve, where the step to ε cost a
    /// further solve and residual (≈ 0.17 s of 3.4 s); west0479, bp_1200, olm1000, cryg2500 and w156 still take their
    /// steps and reach a normwise backward error ≤ 1e-14 (tests). Set to 0 for LAPACK's rule (refine until ω stops
    /// halving or reaches ε).
    /// </summary>
    public double RefinementTolerance
    {
        get => _refinementTolerance;
        set
        {
            if (!(value >= 0)) throw new ArgumentOutOfRangeException(nameof(value), $"the refinement tolerance must be ≥ 0, got {value}");
            _refinementTolerance = value;
        }
    }

    private double _refinementTolerance = DefaultRefinementTolerance;

    /// <summary>Componentwise backward error ω of the last refined solve (of any thread; NaN before the first, or when refinement is off).</summary>
    public double LastBackwardError { get; private set; } = double.NaN;

    /// <summary>Refinement corrections (solves after the first) of the last refined solve.</summary>
    public int LastRefinementSteps { get; private set; }

    /// <summary>The default of <see cref="RefinementTolerance"/>: 16ε ≈ 3.6e-15.</summary>
    public const double DefaultRefinementTolerance = 16 * IterativeRefinement.MachineEpsilon;

    private protected override SparsePattern AnalysedPattern => _pattern;

    private protected override void RefactorValues(double[] values)
    {
        var sw = Stopwatch.StartNew();
        int nnz = _pattern.Nnz, n = N;
        var f = new ILuFactors[BatchSize];
        var csc = _plan is null ? new double[nnz] : [];
        for (int b = 0; b < BatchSize; b++)
        {
            if (_plan is not null) { f[b] = MultifrontalLu.Factor(_plan, values, b * nnz, _threshold); continue; }
            for (int t = 0; t < nnz; t++) csc[t] = values[(long)b * nnz + _cscSource[t]];
            f[b] = GilbertPeierlsLu.Factor(n, _cscPtr, _cscRow, csc, _q, _threshold);
        }
        _factors = f; _values = values;
        _criticalPivots = -1;
        DropDeviceCopies();
        FactorSeconds = sw.Elapsed.TotalSeconds;
        DirectProfile.Mark("LU: factorization done");
    }

    /// <summary>
    /// Solves in place and refines. Fresh vectors cost first touches (0.2–3.8 ms per MB on the benchmark VM, 8 MB each at
    /// 10⁶ rows), so a solve whose first iterate is already good enough (the usual case) takes three: b, the residual r
    /// (which is also the triangular solves' work vector: it is written only after them) and the factors' own one; x is
    /// the first iterate, and the refinement's second iterate and work vector are allocated only if a correction is made.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override void SolveInPlace(int batchIndex, double[] x, bool transpose)
    {
        int n = N;
        var fac = _factors[batchIndex];
        var r = FactorMemory.Allocate<double>(n);
        if (MaxRefinementSteps == 0)
        {
            if (transpose) fac.SolveTranspose(x, r); else fac.Solve(x, r);
            (LastBackwardError, LastRefinementSteps) = (double.NaN, 0);
            return;
        }
        var b = FactorMemory.Allocate<double>(n);
        x.CopyTo(b);
        DirectProfile.Start();
        if (transpose) fac.SolveTranspose(x, r); else fac.Solve(x, r);
        DirectProfile.Mark("LU solve: triangular solves");
        var steps = new HostRefinementSteps(this, batchIndex, transpose, b);
        var (best, omega, corrections) = IterativeRefinement.Run(steps, x, null, r,
            MaxRefinementSteps, Math.Max(RefinementTolerance, IterativeRefinement.MachineEpsilon));
        (LastBackwardError, LastRefinementSteps) = (omega, corrections);
        if (!ReferenceEquals(best, x)) best.CopyTo(x);
    }

    /// <summary>The refinement's steps on the host for matrix <paramref name="batchIndex"/> (op(A) read in place).</summary>
    private sealed class HostRefinementSteps(LuFactorization<T> f, int batchIndex, bool transpose, double[] b) : IRefinementSteps<double[]>
    {
        private readonly double[] _den = transpose ? FactorMemory.Allocate<double>(f.N) : [];
        private double[]? _work;

        public double Residual(double[] x, double[] r)
        {
            double omega = transpose ? f.BackwardErrorTranspose(batchIndex, b, x, r, _den) : f.BackwardError(batchIndex, b, x, r);
            DirectProfile.Mark($"LU solve: residual and backward error {omega:g2}");
            return omega;
        }

        public void Solve(double[] r)
        {
            var work = _work ??= FactorMemory.Allocate<double>(f.N);
            if (transpose) f._factors[batchIndex].SolveTranspose(r, work); else f._factors[batchIndex].Solve(r, work);
            DirectProfile.Mark("LU solve: refinement step's triangular solves");
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public double[] Correct(double[] x, double[] d, double[]? next)
        {
            next ??= FactorMemory.Allocate<double>(x.Length);
            for (int i = 0; i < next.Length; i++) next[i] = x[i] + d[i];
            return next;
        }
    }

    /// <summary>op(A) of matrix <paramref name="batchIndex"/> on the GPU <paramref name="device"/> for the refinement (built on first use).</summary>
    private RefinementOperator Refinement(Device device, int batchIndex, bool transpose)
    {
        lock (_refinement)
        {
            if (!_refinement.TryGetValue((device, batchIndex, transpose), out var op))
                _refinement[(device, batchIndex, transpose)] = op = RefinementOperator.Create(device, _pattern, _values, (long)batchIndex * _pattern.Nnz, transpose);
            return op;
        }
    }

    /// <summary>The first factor's <see cref="FrontalLuDeviceSolver.CriticalPivots"/>, computed once per factorization (reset by a refactor).</summary>
    private long CriticalPivots(MultifrontalLuFactors mf)
    {
        if (_criticalPivots < 0) _criticalPivots = FrontalLuDeviceSolver.CriticalPivotsOf(mf);
        return _criticalPivots;
    }

    private long _criticalPivots = -1;

    private void DropDeviceCopies()
    {
        _device?.Dispose(); _device = null;
        lock (_refinement)
        {
            foreach (var op in _refinement.Values) op.Dispose();
            _refinement.Clear();
        }
    }

    /// <summary>
    /// Rows from which a float64 right-hand side on a GPU may be solved there (multifrontal factors uploaded once, the
    /// refinement's residuals computed there too) instead of being copied to the host, solved and copied back: the
    /// threshold measured for the Cholesky factor (<see cref="CholeskyFactorization{T}.DeviceSolveMinRows"/>).
    /// </summary>
    public const int DeviceSolveMinRows = CholeskyFactorization<double>.DeviceSolveMinRows;

    /// <summary>
    /// The device solve is taken by default only when the sweeps' critical path (pivot steps substituted one after another,
    /// <see cref="FrontalLuDeviceSolver.CriticalPivots"/>) is at most this fraction of the rows. Measured on an H100 with a
    /// 16-thread host (bench/RESULTS.md, "LU solves of CUDA tensors"), device solve against host solve with the copies:
    /// 2D Poisson 300² (critical path 0.018·n) 1.2× and 1000² (0.006·n) 1.5× faster on the device; 2D 100² (0.064·n) 0.7×,
    /// 3D 30³ (0.10·n) 0.3× and 3D 50³ (0.056·n) 0.5×: the device sweeps run one thread group per front and substitute a
    /// front's pivots one at a time, which the large separators of 3D problems make long.
    /// </summary>
    public const double DeviceCriticalPivotFraction = 0.03;

    /// <summary>
    /// Where a float64 vector that lives on a GPU is solved when the factors are multifrontal: null (default) on the GPU
    /// from <see cref="DeviceSolveMinRows"/> rows when the critical path is short (<see cref="DeviceCriticalPivotFraction"/>),
    /// on the host otherwise; true always on the GPU; false always on the host
    /// (setting it releases a device copy of the factors). Left-looking factors are always solved on the host.
    /// </summary>
    public bool? SolveOnGpu
    {
        get => _solveOnGpu;
        set { _solveOnGpu = value; if (value == false) DropDeviceCopies(); }
    }

    private bool? _solveOnGpu;

    /// <summary>Whether the last solve of a GPU vector ran on the GPU (the factors are uploaded there).</summary>
    public bool FactorOnDevice => _device is not null;

    /// <summary>The multifrontal factors of matrix <paramref name="batchIndex"/> uploaded to <paramref name="device"/> (tests and
    /// benchmarks); null for left-looking factors or factors too large for one device storage.</summary>
    internal FrontalLuDeviceSolver? UploadFactors(Device device, int batchIndex = 0) =>
        _factors[batchIndex] is MultifrontalLuFactors mf ? FrontalLuDeviceSolver.Upload(mf, device) : null;

    private protected override Tensor<T>? SolveOnDevice(Tensor<T> b, bool transpose)
    {
        if (typeof(T) != typeof(double) || _factors[0] is not MultifrontalLuFactors mf) return null;
        if (!(SolveOnGpu ?? (N >= DeviceSolveMinRows && CriticalPivots(mf) <= DeviceCriticalPivotFraction * N))) return null;
        var bs = (Storage<double>)(object)b.Storage;
        var be = BackendRegistry.Get(b.Device);
        double m = be.Reduce(ReduceOp.MaxAbs, bs, 0, N);
        if (!double.IsFinite(m)) CheckFinite(b.Cpu().ToArray().Select(v => double.CreateChecked(v)).ToArray(), nameof(b));
        if (_device is null || _device.Device != b.Device)
        {
            DropDeviceCopies();
            _device = FrontalLuDeviceSolver.Upload(mf, b.Device);
            if (_device is null) return null;
        }
        var device = _device;
        var x = device.Solve(bs, transpose);
        if (MaxRefinementSteps == 0)
        {
            (LastBackwardError, LastRefinementSteps) = (double.NaN, 0);
            return (Tensor<T>)(object)new Tensor<double>(x, b.Shape);
        }
        using var steps = new DeviceRefinementSteps(Refinement(b.Device, 0, transpose), bs, r => device.SolveInPlace(r, transpose));
        var spare = be.Allocate<double>(N);
        using var r = be.Allocate<double>(N);
        var (best, omega, corrections) = IterativeRefinement.Run(steps, x, spare, r, MaxRefinementSteps, Math.Max(RefinementTolerance, IterativeRefinement.MachineEpsilon));
        (LastBackwardError, LastRefinementSteps) = (omega, corrections);
        (ReferenceEquals(best, x) ? spare : x).Dispose();
        return (Tensor<T>)(object)new Tensor<double>(best, b.Shape);
    }

    /// <summary>Rows per task of <see cref="BackwardError"/> (the rows are independent).</summary>
    private const int ResidualChunk = 1 << 16;

    /// <summary>
    /// r = b − A·x and the componentwise backward error max_i |r_i| / (|A|·|x| + |b|)_i (Oettli–Prager; ∞ where a
    /// denominator is 0 but r_i is not), row by row, in parallel over row chunks on large matrices (a maximum does not
    /// depend on the order it is taken in).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double BackwardError(int batchIndex, double[] b, double[] x, double[] r)
    {
        int n = N, nnz = _pattern.Nnz;
        var vals = _values; int off = batchIndex * nnz;
        var rp = _pattern.RowPtr; var ci = _pattern.ColInd;
        int chunks = (n + ResidualChunk - 1) / ResidualChunk;
        var part = new double[chunks];
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void Chunk(int c)
        {
            double omega = 0;
            for (int i = c * ResidualChunk, end = Math.Min(n, i + ResidualChunk); i < end; i++)
            {
                double ri = b[i], den = Math.Abs(b[i]);
                for (int q = rp[i]; q < rp[i + 1]; q++) { double t = vals[off + q] * x[ci[q]]; ri -= t; den += Math.Abs(t); }
                r[i] = ri;
                if (den > 0) omega = Math.Max(omega, Math.Abs(ri) / den);
                else if (ri != 0) omega = double.PositiveInfinity;
            }
            part[c] = omega;
        }
        if (chunks > 1) Parallel.For(0, chunks, Chunk); else Chunk(0);
        return part.Max();
    }

    /// <summary>As <see cref="BackwardError"/> for Aᵀ (A's rows scatter into r and den: sequential).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double BackwardErrorTranspose(int batchIndex, double[] b, double[] x, double[] r, double[] den)
    {
        int n = N, nnz = _pattern.Nnz;
        var v = new ReadOnlySpan<double>(_values, batchIndex * nnz, nnz);
        var rp = _pattern.RowPtr; var ci = _pattern.ColInd;
        for (int i = 0; i < n; i++) { r[i] = b[i]; den[i] = Math.Abs(b[i]); }
        for (int i = 0; i < n; i++)
            for (int q = rp[i]; q < rp[i + 1]; q++) { double t = v[q] * x[i]; r[ci[q]] -= t; den[ci[q]] += Math.Abs(t); }
        double omega = 0;
        for (int i = 0; i < n; i++)
            if (den[i] > 0) omega = Math.Max(omega, Math.Abs(r[i]) / den[i]);
            else if (r[i] != 0) omega = double.PositiveInfinity;
        return omega;
    }

    private protected override (double LogAbsDet, int Sign) LogDeterminant(int batchIndex) => _factors[batchIndex].LogDeterminant();

    private protected override double[] SelectedInverseTranspose(int batchIndex) =>
        LuSelectedInverse.OnPattern(_factors[batchIndex].ToCompressedColumns(keepExplicitZeros: true), _pattern);

    private protected override void ReleaseFactors() { _factors = []; _values = []; DropDeviceCopies(); }

    /// <summary>L (unit lower triangular) and U (upper triangular) of matrix <paramref name="batchIndex"/> in compressed columns, pivot order: P·A·Q = L·U.</summary>
    public (int[] LColumnPointers, int[] LRowIndices, double[] LValues, int[] UColumnPointers, int[] URowIndices, double[] UValues) GetFactors(int batchIndex = 0)
    {
        ThrowIfDisposed();
        if ((uint)batchIndex >= (uint)BatchSize) throw new ArgumentOutOfRangeException(nameof(batchIndex), $"batch index {batchIndex} is outside [0, {BatchSize})");
        var f = _factors[batchIndex].ToCompressedColumns();
        return ((int[])f.Lp.Clone(), (int[])f.Li.Clone(), (double[])f.Lx.Clone(), (int[])f.Up.Clone(), (int[])f.Ui.Clone(), (double[])f.Ux.Clone());
    }
}
