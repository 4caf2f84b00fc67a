using System.Diagnostics;
using System.Numerics;

namespace TorchSla.Solvers.Direct;

/// <summary>
/// Supernodal multifrontal Cholesky factorization P·A·Pᵀ = L·Lᵀ of a symmetric positive definite
/// matrix (or of each matrix of a batch on one shared analysis): see <see cref="MultifrontalFactor"/>
/// for the algorithm and <see cref="SupernodalSymbolic"/> for the analysis. Created by
/// <see cref="SparseTensor{T}.Cholesky"/>.
/// <para>Solve: x = Pᵀ·L⁻ᵀ·L⁻¹·P·b; Aᵀ = A, so <see cref="SparseFactorization{T}.SolveTranspose(Tensor{T})"/> is the same solve.
/// det A = Π l_jj², its sign is +1.</para>
/// </summary>
/// <typeparam name="T">Element type (double or float); the factor is float64.</typeparam>
public sealed class CholeskyFactorization<T> : SparseFactorization<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SupernodalSymbolic _symbolic;
    private readonly SparsePattern _pattern;
    private readonly double _pivotTolerance;
    private MultifrontalFactor[] _factors;
    private SupernodalDeviceSolver? _device;

    internal CholeskyFactorization(SparseTensor<T> a, CholeskyOrdering ordering, double pivotTolerance)
        : base(a.Rows, a.BatchShape)
    {
        _pattern = a.Pattern;
        _pivotTolerance = pivotTolerance;
        var values = ValuesOf(a);
        var sw = Stopwatch.StartNew();
        _symbolic = SupernodalSymbolic.Analyze(a.Pattern, ordering);
        AnalyzeSeconds = sw.Elapsed.TotalSeconds;
        _factors = [];
        RefactorValues(values);
    }

    /// <summary>The fill-reducing ordering used.</summary>
    public CholeskyOrdering Ordering => _symbolic.Ordering;

    /// <summary>The permutation p of P·A·Pᵀ (a copy): (P·A·Pᵀ)_ij = a_{p[i], p[j]} (the ordering composed with an elimination-tree postorder).</summary>
    public int[] Permutation => (int[])_symbolic.Perm.Clone();

    /// <summary>Number of supernodes after relaxed amalgamation.</summary>
    public int SupernodeCount => _symbolic.SuperCount;

    /// <summary>Stored entries of L: the supernodes' lower trapezoids (explicit zeros of relaxed amalgamation included).</summary>
    public override long NnzFactor => _symbolic.NnzLStored;

    /// <summary>Entries of L in the exact (unamalgamated) structure: Σ column counts.</summary>
    public long NnzFactorExact => _symbolic.NnzLExact;

    /// <summary>Floating-point operations of one numeric factorization: Σ_j c_j², c_j = entries of column j of L.</summary>
    public override double Flops => _symbolic.Flops;

    private protected override SparsePattern AnalysedPattern => _pattern;

    private protected override void RefactorValues(double[] values)
    {
        var sw = Stopwatch.StartNew();
        int nnz = _pattern.Nnz;
        var f = new MultifrontalFactor[BatchSize];
        double scale = 0;
        var diag = _pattern.DiagonalSlots();
        for (int b = 0; b < BatchSize; b++)
        {
            double s = 0;
            foreach (int d in diag) if (d >= 0) s = Math.Max(s, Math.Abs(values[(long)b * nnz + d]));
            scale = s;
            f[b] = MultifrontalFactor.Factor(_symbolic, values, b * nnz, _pivotTolerance * scale);
        }
        _factors = f;
        DropDeviceCopy();
        FactorSeconds = sw.Elapsed.TotalSeconds;
    }

    private protected override void SolveInPlace(int batchIndex, double[] x, bool transpose)
    {
        var work = new double[N];
        _factors[batchIndex].Solve(x, work);
    }

    private protected override (double LogAbsDet, int Sign) LogDeterminant(int batchIndex) => _factors[batchIndex].LogDeterminant();

    private protected override double[] SelectedInverseTranspose(int batchIndex) =>
        SupernodalSelectedInverse.OnPattern(_symbolic, SupernodalSelectedInverse.Compute(_factors[batchIndex]), _pattern);

    private protected override void ReleaseFactors() { _factors = []; DropDeviceCopy(); }

    private void DropDeviceCopy() { _device?.Dispose(); _device = null; }

    /// <summary>
    /// Rows from which a right-hand side on a GPU is solved there, with the factor uploaded once, instead of being
    /// copied to the host, solved and copied back. Measured with bench mode direct-device on an H100 with a 16-thread
    /// host (bench/RESULTS.md "Direct solves of CUDA tensors"): at 10⁴ rows (2D Poisson) one solve costs 0.99 ms on the
    /// host with the copies against 0.65 ms upload + 0.89 ms on the device; at 2.7·10⁴ rows (3D Poisson 30³) the device
    /// wins even the first solve (7.1 + 9.4 ms against 21.5 ms), and at 10⁶ rows it is 8.6× faster per solve.
    /// </summary>
    public const int DeviceSolveMinRows = 20_000;

    /// <summary>
    /// Where a float64 vector that lives on a GPU is solved: null (default) on the GPU from
    /// <see cref="DeviceSolveMinRows"/> rows, on the host below; true always on the GPU; false always on the host
    /// (setting it releases a device copy of the factor).
    /// </summary>
    public bool? SolveOnGpu
    {
        get => _solveOnGpu;
        set { _solveOnGpu = value; if (value == false) DropDeviceCopy(); }
    }

    private bool? _solveOnGpu;

    /// <summary>Whether the last solve of a GPU vector ran on the GPU (the factor is uploaded there).</summary>
    public bool FactorOnDevice => _device is not null;


    /// <summary>The factor of matrix <paramref name="batchIndex"/> uploaded to <paramref name="device"/> (tests and benchmarks).</summary>
    internal SupernodalDeviceSolver UploadFactor(Device device, int batchIndex = 0) =>
        SupernodalDeviceSolver.Upload(_symbolic, _factors[batchIndex].L, device);

    private protected override Tensor<T>? SolveOnDevice(Tensor<T> b, bool transpose)
    {
        if (typeof(T) != typeof(double) || !(SolveOnGpu ?? N >= DeviceSolveMinRows) || !SupernodalDeviceSolver.Fits(_symbolic)) return null;
        var bs = (Kernels.Memory.Storage<double>)(object)b.Storage;
        var be = Kernels.BackendRegistry.Get(b.Device);
        double m = be.Reduce(Kernels.ReduceOp.MaxAbs, bs, 0, N);
        if (!double.IsFinite(m)) CheckFinite(b.Cpu().ToArray().Select(v => double.CreateChecked(v)).ToArray(), nameof(b));
        if (_device is null || _device.Device != b.Device) { DropDeviceCopy(); _device = UploadFactor(b.Device); }
        var x = _device.Solve(bs); // Aᵀ = A: the transpose solve is the same
        return (Tensor<T>)(object)new Tensor<double>(x, b.Shape);
    }

    /// <summary>
    /// L of matrix <paramref name="batchIndex"/> in compressed columns (ordered numbering, rows ascending, the
    /// diagonal first in each column; explicit zeros of amalgamation included), so that P·A·Pᵀ = L·Lᵀ.
    /// </summary>
    public (int[] ColumnPointers, int[] RowIndices, double[] Values) GetFactor(int batchIndex = 0)
    {
        ThrowIfDisposed();
        if ((uint)batchIndex >= (uint)BatchSize) throw new ArgumentOutOfRangeException(nameof(batchIndex), $"batch index {batchIndex} is outside [0, {BatchSize})");
        return SupernodalLayout.ToCompressedColumns(_symbolic, _factors[batchIndex].L, unitDiagonal: false);
    }
}
