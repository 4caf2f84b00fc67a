using System.Runtime.CompilerServices;
using TorchSla.Kernels;
using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Memory;

namespace TorchSla;

/// <summary>
/// The symbolic half of C = A·B for one pair of patterns, computed once and kept as long as both
/// patterns live, so that repeated products of the same patterns (new values) skip it.
/// <para><see cref="Pattern"/> is the pattern of C, found by the backend of the device the product
/// is first asked on (<see cref="Backend.SpGemmSymbolic"/>: Gustavson on the host, a hash SpGEMM on a
/// GPU, which leaves C's indices on the GPU). <see cref="On"/> gives the backend plan of a device for
/// <see cref="Backend.SpGemmNumeric{T}"/>. The gradients use the host plan's <i>expansion matrix</i> E
/// (<see cref="CpuSpGemmPlan"/>: one row per slot of C, one entry per scalar product), built on first use.</para>
/// </summary>
internal sealed class ProductPlan
{
    private readonly SparsePattern _left, _right;
    private readonly Dictionary<Device, SpGemmPlan> _plans = [];
    private (SparsePattern Expansion, IndexMap Map)? _expansion;

    public ProductPlan(SparsePattern left, SparsePattern right, Device device)
    {
        _left = left; _right = right;
        var plan = Symbolic(device);
        var c = plan.Product;
        // On a GPU C's indices stay there; the host copy is made only if something asks for it.
        Pattern = new SparsePattern(c);
        Flops = plan.Flops;
        _plans[device] = plan;
    }

    /// <summary>The pattern of C.</summary>
    public SparsePattern Pattern { get; }

    /// <summary>Scalar products a_ik·b_kj of one numeric phase.</summary>
    public long Flops { get; }

    private SpGemmPlan Symbolic(Device device) =>
        BackendRegistry.Get(device).SpGemmSymbolic(_left.On(device), _right.On(device));

    /// <summary>The plan of <paramref name="device"/>'s backend (its symbolic phase runs there on first use).</summary>
    public SpGemmPlan On(Device device)
    {
        lock (_plans)
        {
            if (_plans.TryGetValue(device, out var p)) return p;
            p = Symbolic(device);
            _plans[device] = p;
            return p;
        }
    }

    /// <summary>The host plan's expansion matrix E (nnz(C) × nnz(B)).</summary>
    public SparsePattern Expansion => ExpansionParts().Expansion;

    /// <summary>For each entry of E, the slot of A whose value it carries.</summary>
    public IndexMap ExpansionMap => ExpansionParts().Map;

    private (SparsePattern Expansion, IndexMap Map) ExpansionParts()
    {
        lock (_plans)
        {
            if (_expansion is { } x) return x;
            var host = (CpuSpGemmPlan)On(Device.Cpu);
            var e = host.Expansion;
            x = (new SparsePattern(e.Rows, e.Cols, CpuBackend.ArrayOf(e.RowPtr), CpuBackend.ArrayOf(e.ColInd)),
                new IndexMap(CpuBackend.ArrayOf(host.ExpansionMap)));
            _expansion = x;
            return x;
        }
    }
}

internal sealed partial class SparsePattern
{
    private readonly ConditionalWeakTable<SparsePattern, ProductPlan> _products = [];

    /// <summary>
    /// The plan of this·<paramref name="right"/> (this is M×K, right is K×N), cached per pair; the symbolic
    /// phase runs on <paramref name="device"/> when the pair is new.
    /// </summary>
    public ProductPlan ProductWith(SparsePattern right, Device device)
    {
        lock (_products)
        {
            if (_products.TryGetValue(right, out var cached)) return cached;
            if (Cols != right.Rows)
                throw new ShapeMismatchException($"patterns of shapes [{Rows}, {Cols}] and [{right.Rows}, {right.Cols}] cannot be multiplied");
            var plan = new ProductPlan(this, right, device);
            _products.Add(right, plan);
            return plan;
        }
    }

    /// <summary>Drops the cached plan of this·<paramref name="right"/> (the next such product runs its symbolic phase again).</summary>
    public void ForgetProductWith(SparsePattern right)
    {
        lock (_products) _products.Remove(right);
    }
}
