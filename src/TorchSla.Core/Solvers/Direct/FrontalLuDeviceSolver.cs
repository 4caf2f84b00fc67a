using TorchSla.Kernels;
using TorchSla.Kernels.Memory;

namespace TorchSla.Solvers.Direct;

/// <summary>
/// Multifrontal LU factors computed on the host and uploaded once to a GPU, where right-hand sides that live there are
/// solved (x = Q·U⁻¹·L⁻¹·P·b, or the transposed solve, by <see cref="Backend.FrontalLuSolve"/>), so b and x never cross
/// the bus. The sweeps run one launch per level of the assembly tree, as the Cholesky factor's do
/// (<see cref="SupernodalDeviceSolver"/>).
/// </summary>
internal sealed class FrontalLuDeviceSolver : IDisposable
{
    private readonly FrontalLuFactor _factor;
    private readonly Storage<int> _perm, _pinv;
    private readonly Backend _backend;

    private FrontalLuDeviceSolver(Backend backend, FrontalLuFactor factor, Storage<int> perm, Storage<int> pinv, long criticalPivots)
    {
        _backend = backend; _factor = factor; _perm = perm; _pinv = pinv; CriticalPivots = criticalPivots;
    }

    /// <summary>
    /// Pivot steps on the sweeps' critical path: Σ over the tree's levels of the largest pivot count of a front there (a
    /// front's pivots are substituted one after another, and a level waits for its slowest front).
    /// </summary>
    public long CriticalPivots { get; }

    /// <summary><see cref="CriticalPivots"/> of <paramref name="factors"/> (host arithmetic, nothing uploaded).</summary>
    public static long CriticalPivotsOf(MultifrontalLuFactors factors)
    {
        var (levelPtr, nodes) = SupernodalDeviceSolver.LevelSchedule(factors.Symbolic);
        return CriticalPivotsOf(factors.Pivots, levelPtr, nodes);
    }

    private static long CriticalPivotsOf(int[] pivots, int[] levelPtr, int[] nodes)
    {
        long steps = 0;
        for (int l = 0; l + 1 < levelPtr.Length; l++)
        {
            int most = 0;
            for (int q = levelPtr[l]; q < levelPtr[l + 1]; q++) most = Math.Max(most, pivots[nodes[q]]);
            steps += most;
        }
        return steps;
    }

    /// <summary>The device holding the factors.</summary>
    public Device Device => _backend.Device;

    /// <summary>Levels of the assembly tree (launches per sweep on a GPU).</summary>
    public int Levels => _factor.LevelPtr.Length - 1;

    /// <summary>Uploads <paramref name="factors"/> to <paramref name="device"/>; null when they do not fit one device storage.</summary>
    public static FrontalLuDeviceSolver? Upload(MultifrontalLuFactors factors, Device device)
    {
        var s = factors.Symbolic;
        var (levelPtr, nodes) = SupernodalDeviceSolver.LevelSchedule(s);
        var be = BackendRegistry.Get(device);
        var factor = factors.ToDevice(be, levelPtr, nodes);
        return factor is null ? null : new FrontalLuDeviceSolver(be, factor, be.Upload<int>(s.Perm), be.Upload<int>(s.Pinv), CriticalPivotsOf(factors.Pivots, levelPtr, nodes));
    }

    /// <summary>x = A⁻¹·b (or A⁻ᵀ·b) for b on this solver's device (N entries); b is not modified.</summary>
    public Storage<double> Solve(Storage<double> b, bool transpose)
    {
        int n = _factor.N;
        using var y = _backend.Allocate<double>(n);
        using var z = _backend.Allocate<double>(n);
        _backend.Gather(b, 0, _perm, 0, y, 0, n, 1.0, accumulate: false);
        _backend.FrontalLuSolve(_factor, y, z, transpose);
        var x = _backend.Allocate<double>(n);
        _backend.Gather(z, 0, _pinv, 0, x, 0, n, 1.0, accumulate: false);
        return x;
    }

    /// <summary>r ← A⁻¹·r (or A⁻ᵀ·r) in place.</summary>
    public void SolveInPlace(Storage<double> r, bool transpose)
    {
        using var x = Solve(r, transpose);
        _backend.Copy(x, 0, r, 0, _factor.N);
    }

    /// <summary>Frees the device copies.</summary>
    public void Dispose()
    {
        _factor.Dispose(); _perm.Dispose(); _pinv.Dispose();
    }
}
