using TorchSla.Kernels;
using TorchSla.Kernels.Memory;

namespace TorchSla.Solvers.Direct;

/// <summary>
/// Iterative refinement in float64 after a direct solve, written once over <see cref="Backend"/> so that a solve on the
/// host and one on a GPU refine alike: x ← x + op(A)⁻¹·(b − op(A)·x) while the componentwise backward error
/// ω = maxᵢ |b − op(A)·x|ᵢ / (|op(A)|·|x| + |b|)ᵢ (Oettli &amp; Prager 1964; the stopping rule of Arioli, Demmel &amp; Duff,
/// SIAM J. Matrix Anal. Appl. 10 (1989) 165–190) keeps falling by at least half, at most <c>maxSteps</c> corrections;
/// the best iterate seen is returned. One host read-back per step (ω).
/// </summary>
internal static class IterativeRefinement
{
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>
    /// Refines <paramref name="x"/> (on entry the direct solution of op(A)·x = b; on exit the iterate with the smallest ω)
    /// with <paramref name="solve"/> (r ← op(A)⁻¹·r in place, the factorization's solve). Returns the final ω.
    /// </summary>
    public static double Run(RefinementOperator op, Storage<double> b, Storage<double> x, int maxSteps, Action<Storage<double>> solve)
    {
        var be = op.Backend;
        int n = op.Pattern.Rows;
        using var r = be.Allocate<double>(n);
        using var den = be.Allocate<double>(n);
        using var t = be.Allocate<double>(n);
        using var absB = be.Allocate<double>(n);
        using var best = be.Allocate<double>(n);
        be.Map(UnaryOp.Abs, 1.0, b, 0, absB, 0, n);
        be.Copy(x, 0, best, 0, n);
        double bestOmega = double.PositiveInfinity;
        for (int step = 0; ; step++)
        {
            // r = b − op(A)·x and the denominators |op(A)|·|x| + |b| (+ the smallest subnormal, so that a zero row of the
            // denominator, where r is 0 too, gives 0 and not 0/0).
            be.Copy(b, 0, r, 0, n);
            be.SpMV(op.Pattern, op.Values, 0, x, 0, r, 0, -1.0, 1.0);
            be.Map(UnaryOp.Abs, 1.0, x, 0, t, 0, n);
            be.SpMV(op.Pattern, op.AbsValues, 0, t, 0, den, 0, 1.0, 0.0);
            be.Axpby(1.0, absB, 0, 1.0, den, 0, n);
            be.Pointwise(PointwiseOp.AddScalar, double.Epsilon, den, 0, den, 0, n);
            be.Binary(BinaryOp.Divide, r, 0, den, 0, t, 0, n);
            double omega = be.Reduce(ReduceOp.MaxAbs, t, 0, n);
            if (!(omega < bestOmega)) break;
            bool fast = omega < 0.5 * bestOmega;
            bestOmega = omega;
            be.Copy(x, 0, best, 0, n);
            if (step >= maxSteps || omega <= MachineEpsilon || (step > 0 && !fast)) break;
            solve(r);
            be.Axpby(1.0, r, 0, 1.0, x, 0, n);
        }
        be.Copy(best, 0, x, 0, n);
        return bestOmega;
    }
}

/// <summary>op(A) (A or Aᵀ, one value set) and |op(A)| on one backend, for <see cref="IterativeRefinement"/>.</summary>
internal sealed class RefinementOperator : IDisposable
{
    private readonly bool _ownsPattern;

    private RefinementOperator(Backend backend, CsrIndices pattern, Storage<double> values, Storage<double> absValues, bool ownsPattern)
    {
        Backend = backend; Pattern = pattern; Values = values; AbsValues = absValues; _ownsPattern = ownsPattern;
    }

    public Backend Backend { get; }
    public CsrIndices Pattern { get; }
    public Storage<double> Values { get; }
    public Storage<double> AbsValues { get; }

    /// <summary>
    /// op(A) for the value set values[offset, offset + nnz) of <paramref name="pattern"/> on <paramref name="device"/>
    /// (Aᵀ when <paramref name="transpose"/>: the transposed pattern, values gathered through its map).
    /// </summary>
    public static RefinementOperator Create(Device device, SparsePattern pattern, double[] values, long offset, bool transpose)
    {
        var be = BackendRegistry.Get(device);
        int nnz = pattern.Nnz;
        var v = new double[nnz];
        SparsePattern p = pattern;
        if (transpose)
        {
            (p, var map) = pattern.Transpose();
            for (int s = 0; s < nnz; s++) v[s] = values[offset + map[s]];
        }
        else Array.Copy(values, offset, v, 0, nnz);
        var abs = new double[nnz];
        for (int s = 0; s < nnz; s++) abs[s] = Math.Abs(v[s]);
        if (device.IsCpu)
            return new RefinementOperator(be, p.On(device), new CpuStorage<double>(v), new CpuStorage<double>(abs), ownsPattern: false);
        // A pattern's own device copy is cached on it (SparsePattern.On); the transposed one is private to this operator.
        var indices = transpose ? new CsrIndices(p.Rows, p.Cols, be.Upload<int>(p.RowPtr), be.Upload<int>(p.ColInd)) : p.On(device);
        return new RefinementOperator(be, indices, be.Upload<double>(v), be.Upload<double>(abs), ownsPattern: transpose);
    }

    public void Dispose()
    {
        Values.Dispose(); AbsValues.Dispose();
        if (_ownsPattern) Pattern.Dispose();
    }
}
