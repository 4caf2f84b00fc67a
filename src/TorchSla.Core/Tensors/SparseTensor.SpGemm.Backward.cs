using System.Runtime.CompilerServices;
using TorchSla.Autodiff;

namespace TorchSla;

/// <summary>
/// Backward rule of the sparse product C = A·B on C's pattern. With the expansion matrix E of the
/// product plan (C.values = E·B.values, E's entry e = (slot c of C, slot of B) holding
/// A.values[map[e]]):
/// ḡ_B = Eᵀ·ḡ_C, i.e. (Aᵀ·Ḡ_C) restricted to B's pattern; and ḡ_A[s] = Σ_{e: map[e] = s} ḡ_C[c_e]·B[b_e],
/// i.e. (Ḡ_C·Bᵀ) restricted to A's pattern — a sampled product on E followed by a sum into A's slots
/// (a SpMV with the 0/1 matrix S whose row s lists the e with map[e] = s). Both are the
/// primitives every backend has; the extra maps are built once per plan.
/// </summary>
public sealed partial class SparseTensor<T>
{
    /// <summary>Per product plan: Eᵀ's pattern, the map from Eᵀ's slots to A's slots, and S.</summary>
    private sealed record ProductAdjoint(SparsePattern ExpansionT, IndexMap ExpansionTToA, SparsePattern Scatter);

    private static readonly ConditionalWeakTable<ProductPlan, ProductAdjoint> Adjoints = [];

    private static ProductAdjoint AdjointOf(ProductPlan plan, int nnzA)
    {
        lock (Adjoints)
        {
            if (Adjoints.TryGetValue(plan, out var adj)) return adj;
            var e = plan.Expansion;
            var (et, tmap) = e.Transpose();
            var toA = new int[tmap.Length];
            var em = plan.ExpansionMap.Host;
            for (int t = 0; t < toA.Length; t++) toA[t] = em[tmap[t]];
            // S: row s of A's slots lists, in increasing order, the expansion entries e with map[e] = s (counting sort).
            var rowPtr = new int[nnzA + 1];
            foreach (int s in em) rowPtr[s + 1]++;
            for (int s = 0; s < nnzA; s++) rowPtr[s + 1] += rowPtr[s];
            var next = (int[])rowPtr.Clone();
            var col = new int[em.Length];
            for (int i = 0; i < em.Length; i++) col[next[em[i]]++] = i;
            adj = new ProductAdjoint(et, new IndexMap(toA), new SparsePattern(nnzA, em.Length, rowPtr, col));
            Adjoints.Add(plan, adj);
            return adj;
        }
    }

    internal SparseTensor<T> RecordMatmul(SparseTensor<T> other, ProductPlan plan, bool stepA, bool stepB, SparseTensor<T> result)
    {
        if (!Tracked && !other.Tracked) return result;
        GradNode<Tensor<T>>? na = _node, nb = other._node;
        int bs = result.BatchSize, nnzC = plan.Pattern.Nnz, flops = checked((int)plan.Flops);
        var a = this;
        return result.Record("spgemm", Tensor<T>.Present(na, nb), g =>
        {
            var ga = Tensor<T>.Zeros(a.ValuesShape, a.Device);
            var gb = Tensor<T>.Zeros(other.ValuesShape, a.Device);
            if (flops > 0)
            {
                var adj = AdjointOf(plan, a.Nnz);
                var backend = a.Backend;
                using var w = backend.Allocate<T>(flops);
                using var ones = backend.Allocate<T>(flops);
                backend.Fill(ones, 0, flops, T.One);
                var e = plan.Expansion.On(a.Device);
                var s = adj.Scatter.On(a.Device);
                var et = adj.ExpansionT.On(a.Device);
                var toA = adj.ExpansionTToA.On(a.Device);
                for (int b = 0; b < bs; b++)
                {
                    int aOff = stepA ? b * a.Nnz : 0, bOff = stepB ? b * other.Nnz : 0;
                    if (na is not null)
                    {
                        // w[e] = ḡ_C[c_e]·B[b_e], then ḡ_A += S·w.
                        backend.Sddmm(e, g.Storage, b * nnzC, other.Values, bOff, 1, w, 0, T.One, accumulate: false);
                        backend.SpMV(s, ones, 0, w, 0, ga.Storage, aOff, T.One, stepA || b == 0 ? T.Zero : T.One);
                    }
                    if (nb is not null)
                    {
                        // ḡ_B += Eᵀ·ḡ_C with Eᵀ's values gathered straight from A's values.
                        backend.Gather(a.Values, aOff, toA, 0, w, 0, flops, T.One, accumulate: false);
                        backend.SpMV(et, w, 0, g.Storage, b * nnzC, gb.Storage, bOff, T.One, stepB || b == 0 ? T.Zero : T.One);
                    }
                }
            }
            na?.Accumulate(ga);
            nb?.Accumulate(gb);
        });
    }
}
