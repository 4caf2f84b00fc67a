using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// The CPU backend's plan of C = A·B (see <see cref="Gustavson"/>). Besides C's pattern it holds the
/// <i>expansion matrix</i> E, with one row per slot of C and one column per slot of B: row c lists one
/// entry per product a_ik·b_kj that lands in c = (i, j), at column slot(b_kj), in increasing k, and
/// <see cref="ExpansionMap"/> gives the slot of a_ik for each entry of E. Then C.values = E·B.values
/// with E's values gathered from A's — one gather and one SpMV. The same E drives the product's
/// gradients (its transpose carries ∂L/∂C back to B, its rows scatter back to A).
/// </summary>
public sealed class CpuSpGemmPlan : SpGemmPlan
{
    internal CpuSpGemmPlan(CsrIndices left, CsrIndices right, CsrIndices product, CsrIndices expansion, int[] expansionMap)
        : base(left, right, product, expansionMap.Length)
    {
        Expansion = expansion;
        ExpansionMap = new CpuStorage<int>(expansionMap);
    }

    /// <summary>E: nnz(C) rows, nnz(B) columns, one entry per scalar product.</summary>
    public CsrIndices Expansion { get; }

    /// <summary>For each entry of E (in E's slot order), the slot of A whose value it carries.</summary>
    public Storage<int> ExpansionMap { get; }
}
