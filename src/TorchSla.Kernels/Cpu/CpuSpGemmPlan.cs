using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// The CPU backend's plan of C = A·B (see <see cref="Gustavson"/>). Besides C's pattern it holds the
/// <i>expansion matrix</i> E, with one row per slot of C and one column per slot of B: row c lists one
/// entry per product a_ik·b_kj that lands in c = (i, j), at column slot(b_kj), in increasing k, and
/// <see cref="ExpansionMap"/> gives the slot of a_ik for each entry of E. Then C.values = E·B.values
/// with E's values gathered from A's — one gather and one SpMV. E drives the product's gradients (its
/// transpose carries ∂L/∂C back to B, its rows scatter back to A); the forward numeric does not need it
/// (<see cref="Gustavson.Numeric{T}"/>), so it is built on first use: a forward-only product (e.g. an AMG
/// setup's R·A·P, ~10⁸ scalar products in 3D) never holds its 8 bytes per product.
/// </summary>
public sealed class CpuSpGemmPlan : SpGemmPlan
{
    private (CsrIndices Expansion, CpuStorage<int> Map)? _expansion;

    internal CpuSpGemmPlan(CsrIndices left, CsrIndices right, CsrIndices product, long flops)
        : base(left, right, product, flops) { }

    /// <summary>E: nnz(C) rows, nnz(B) columns, one entry per scalar product (built on first use).</summary>
    public CsrIndices Expansion => ExpansionParts().Expansion;

    /// <summary>For each entry of E (in E's slot order), the slot of A whose value it carries (built on first use).</summary>
    public Storage<int> ExpansionMap => ExpansionParts().Map;

    private (CsrIndices Expansion, CpuStorage<int> Map) ExpansionParts()
    {
        lock (this)
        {
            if (_expansion is { } x) return x;
            var (e, map) = Gustavson.Expansion(this);
            _expansion = (e, new CpuStorage<int>(map));
            return _expansion.Value;
        }
    }
}
