using TorchSla.Kernels;
using TorchSla.Kernels.Memory;

namespace TorchSla.Solvers.Direct;

/// <summary>
/// The steps of <see cref="IterativeRefinement"/> on one kind of vector (host arrays, device storages): the residual
/// with its backward error, the factorization's solve, and the correction.
/// </summary>
internal interface IRefinementSteps<TVector>
{
    /// <summary>r = b − op(A)·x; returns the componentwise backward error ω = maxᵢ |r|ᵢ / (|op(A)|·|x| + |b|)ᵢ
    /// (∞ where a denominator is 0 and r is not).</summary>
    double Residual(TVector x, TVector r);

    /// <summary>r ← op(A)⁻¹·r with the factorization.</summary>
    void Solve(TVector r);

    /// <summary>next = x + d, into <paramref name="next"/> or, when it is null, a new vector; returns the vector written.</summary>
    TVector Correct(TVector x, TVector d, TVector? next);
}

/// <summary>
/// Iterative refinement in float64 after a direct solve, written once for the host and the devices
/// (<see cref="IRefinementSteps{TVector}"/>): x ← x + op(A)⁻¹·(b − op(A)·x) while the componentwise backward error
/// ω (Oettli &amp; Prager 1964; the stopping rule of Arioli, Demmel &amp; Duff, SIAM J. Matrix Anal. Appl. 10 (1989)
/// 165–190) keeps falling by at least half and is above the caller's tolerance (LAPACK's xGERFS and SuperLU's dgsrfs
/// use ε), at most <c>maxSteps</c> corrections; the iterate with the smallest ω is kept.
/// </summary>
internal static class IterativeRefinement
{
    /// <summary>Unit roundoff of float64 (2⁻⁵²), the unit of the refinement tolerances.</summary>
    public const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>
    /// Refines the direct solution <paramref name="x"/> with the scratch vectors <paramref name="spare"/> and
    /// <paramref name="r"/> (the iterates alternate between x and spare) until ω ≤ <paramref name="tolerance"/>, ω stops
    /// halving, or <paramref name="maxSteps"/> corrections. Returns the vector that holds the best iterate (x itself when
    /// even the first ω is not a number), its ω and the corrections applied (solves after the first). A null
    /// <paramref name="spare"/> is created by the first correction (<see cref="IRefinementSteps{TVector}.Correct"/>), so a
    /// solve that needs none (the usual case) never allocates it.
    /// </summary>
    public static (TVector Best, double Omega, int Corrections) Run<TVector>(IRefinementSteps<TVector> steps, TVector x, TVector? spare, TVector r, int maxSteps,
        double tolerance = MachineEpsilon) where TVector : class
    {
        TVector? cur = x, best = spare;
        bool any = false;
        double bestOmega = double.PositiveInfinity;
        int corrections = 0;
        for (int step = 0; ; step++)
        {
            double omega = steps.Residual(cur!, r);
            if (!(omega < bestOmega)) break;
            bool fast = omega < 0.5 * bestOmega;
            bestOmega = omega;
            (best, cur) = (cur, best);
            any = true;
            if (step >= maxSteps || omega <= tolerance || (step > 0 && !fast)) break;
            steps.Solve(r);
            cur = steps.Correct(best!, r, cur);
            corrections++;
        }
        return (any ? best! : cur!, bestOmega, corrections);
    }
}

/// <summary>The refinement's steps on a device (<see cref="Backend"/> operations; one host read-back per step, ω).</summary>
internal sealed class DeviceRefinementSteps : IRefinementSteps<Storage<double>>, IDisposable
{
    private readonly RefinementOperator _op;
    private readonly Storage<double> _b, _absB, _den, _t;
    private readonly Action<Storage<double>> _solve;
    private readonly int _n;

    public DeviceRefinementSteps(RefinementOperator op, Storage<double> b, Action<Storage<double>> solve)
    {
        _op = op; _b = b; _solve = solve;
        var be = op.Backend;
        _n = op.Pattern.Rows;
        _absB = be.Allocate<double>(_n); _den = be.Allocate<double>(_n); _t = be.Allocate<double>(_n);
        be.Map(UnaryOp.Abs, 1.0, b, 0, _absB, 0, _n);
    }

    public double Residual(Storage<double> x, Storage<double> r)
    {
        var be = _op.Backend;
        int n = _n;
        be.Copy(_b, 0, r, 0, n);
        be.SpMV(_op.Pattern, _op.Values, 0, x, 0, r, 0, -1.0, 1.0);
        be.Map(UnaryOp.Abs, 1.0, x, 0, _t, 0, n);
        be.SpMV(_op.Pattern, _op.AbsValues, 0, _t, 0, _den, 0, 1.0, 0.0);
        be.Axpby(1.0, _absB, 0, 1.0, _den, 0, n);
        // + the smallest subnormal: a zero denominator (where r is 0 too) gives 0 and not 0/0.
        be.Pointwise(PointwiseOp.AddScalar, double.Epsilon, _den, 0, _den, 0, n);
        be.Binary(BinaryOp.Divide, r, 0, _den, 0, _t, 0, n);
        return be.Reduce(ReduceOp.MaxAbs, _t, 0, n);
    }

    public void Solve(Storage<double> r) => _solve(r);

    public Storage<double> Correct(Storage<double> x, Storage<double> d, Storage<double>? next)
    {
        next ??= _op.Backend.Allocate<double>(_n);
        var be = _op.Backend;
        be.Copy(x, 0, next, 0, _n);
        be.Axpby(1.0, d, 0, 1.0, next, 0, _n);
        return next;
    }

    public void Dispose() { _absB.Dispose(); _den.Dispose(); _t.Dispose(); }
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
