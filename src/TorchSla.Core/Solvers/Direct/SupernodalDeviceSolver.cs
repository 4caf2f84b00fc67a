using TorchSla.Kernels;
using TorchSla.Kernels.Memory;

namespace TorchSla.Solvers.Direct;

/// <summary>
/// A Cholesky factor computed on the host and uploaded once to a GPU, where right-hand sides that live there are solved
/// (x = Pᵀ·L⁻ᵀ·L⁻¹·P·b by <see cref="Backend.SupernodalSolve"/>), so b and x never cross the bus. The triangular sweeps
/// run one launch per level of the supernodal assembly tree (its height, not the N of a row-level schedule).
/// </summary>
internal sealed class SupernodalDeviceSolver : IDisposable
{
    private readonly SupernodalFactor _factor;
    private readonly Storage<int> _perm, _pinv;
    private readonly Backend _backend;
    private readonly int[] _parent;

    private SupernodalDeviceSolver(Backend backend, SupernodalFactor factor, Storage<int> perm, Storage<int> pinv, int[] parent)
    {
        _backend = backend; _factor = factor; _perm = perm; _pinv = pinv; _parent = parent;
    }

    /// <summary>The device holding the factor.</summary>
    public Device Device => _backend.Device;

    /// <summary>The level schedule and the supernodes' parents (tests).</summary>
    internal (int[] LevelPtr, int[] Nodes, int[] Parent) Schedule() => (_factor.LevelPtr, _factor.LevelNodes.ToArray(), _parent);

    /// <summary>Levels of the assembly tree (launches per sweep on a GPU).</summary>
    public int Levels => _factor.LevelPtr.Length - 1;

    /// <summary>Whether a factor of this analysis fits the device layout (its values are indexed by one storage).</summary>
    public static bool Fits(SupernodalSymbolic s) => s.ValueOffset.Length == 0 || LastValue(s) <= int.MaxValue;

    /// <summary>One past the last value any supernode's block uses.</summary>
    private static long LastValue(SupernodalSymbolic s)
    {
        long end = 0;
        for (int sn = 0; sn < s.SuperCount; sn++)
            end = Math.Max(end, s.ValueOffset[sn] + (long)(s.RowPtr[sn + 1] - s.RowPtr[sn]) * (s.SuperStart[sn + 1] - s.SuperStart[sn]));
        return end;
    }

    /// <summary>
    /// The supernodes by level: level(s) = 1 + max level of its children, leaves 0 (parents are numbered after their
    /// children, so one ascending pass suffices). The multifrontal LU's fronts follow the same tree (FrontalLuDeviceSolver).
    /// </summary>
    internal static (int[] LevelPtr, int[] Nodes) LevelSchedule(SupernodalSymbolic s)
    {
        int ns = s.SuperCount;
        var level = new int[ns];
        int depth = ns == 0 ? 0 : 1;
        for (int sn = 0; sn < ns; sn++)
        {
            int p = s.SuperParent[sn];
            if (p >= 0) { level[p] = Math.Max(level[p], level[sn] + 1); depth = Math.Max(depth, level[p] + 1); }
        }
        var levelPtr = new int[depth + 1];
        foreach (int lv in level) levelPtr[lv + 1]++;
        for (int q = 0; q < depth; q++) levelPtr[q + 1] += levelPtr[q];
        var nodes = new int[ns];
        var fill = (int[])levelPtr.Clone();
        for (int sn = 0; sn < ns; sn++) nodes[fill[level[sn]]++] = sn;
        return (levelPtr, nodes);
    }

    /// <summary>Uploads the factor <paramref name="l"/> of analysis <paramref name="s"/> with its level schedule.</summary>
    public static SupernodalDeviceSolver Upload(SupernodalSymbolic s, double[] l, Device device)
    {
        int ns = s.SuperCount;
        var (levelPtr, nodes) = LevelSchedule(s);
        int maxRows = 0;
        for (int sn = 0; sn < ns; sn++) maxRows = Math.Max(maxRows, s.RowPtr[sn + 1] - s.RowPtr[sn]);

        var be = BackendRegistry.Get(device);
        int used = ns == 0 ? 0 : checked((int)LastValue(s));
        var factor = new SupernodalFactor(s.N, ns, be.Upload<int>(s.SuperStart), be.Upload<int>(s.RowPtr), be.Upload<int>(s.Rows),
            be.Upload<long>(s.ValueOffset), be.Upload<double>(l.AsSpan(0, used)), be.Upload<int>(nodes), levelPtr, maxRows);
        return new SupernodalDeviceSolver(be, factor, be.Upload<int>(s.Perm), be.Upload<int>(s.Pinv), s.SuperParent);
    }

    /// <summary>x = A⁻¹·b for b on this solver's device (N entries, float64); b is not modified.</summary>
    public Storage<double> Solve(Storage<double> b)
    {
        int n = _factor.N;
        var y = _backend.Allocate<double>(n);
        try
        {
            _backend.Gather(b, 0, _perm, 0, y, 0, n, 1.0, accumulate: false);
            _backend.SupernodalSolve(_factor, y, transpose: false);
            _backend.SupernodalSolve(_factor, y, transpose: true);
            var x = _backend.Allocate<double>(n);
            _backend.Gather(y, 0, _pinv, 0, x, 0, n, 1.0, accumulate: false);
            return x;
        }
        finally { y.Dispose(); }
    }

    /// <summary>Frees the device copies.</summary>
    public void Dispose()
    {
        _factor.Dispose(); _perm.Dispose(); _pinv.Dispose();
    }
}
