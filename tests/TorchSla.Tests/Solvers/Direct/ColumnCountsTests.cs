using TorchSla.Solvers.Direct;
using TorchSla.Tests.Tensors;
using Xunit;

namespace TorchSla.Tests.Solvers.Direct;

/// <summary>The Gilbert–Ng–Peyton column counts against the row-subtree count, which visits every entry of L.</summary>
public class ColumnCountsTests
{
    [Theory]
    [InlineData(1, 60, 0.05)]
    [InlineData(2, 300, 0.01)]
    [InlineData(3, 500, 0.004)]
    public void GilbertNgPeytonEqualsTheRowSubtreeCount(int seed, int n, double density)
    {
        var rng = new Random(seed);
        var sym = DenseReference.ToSparse(DenseReference.RandomSymmetric(n, density, rng), rng).Pattern;
        var rp = sym.RowPtr; var ci = sym.ColInd;
        // A fill-reducing order composed with the postorder of its elimination tree, as the supernodal analysis does.
        var (perm, pinv, parent) = SupernodalSymbolic.PostorderedTree(n, rp, ci, ApproximateMinimumDegree.Order(n, rp, ci));
        for (int k = 0; k < n; k++) Assert.True(parent[k] == -1 || parent[k] > k, "postordered: parents after children");
        // The upper triangle of P·S·Pᵀ by columns, for the reference count and the reference tree.
        var cols = new List<int>[n];
        for (int k = 0; k < n; k++) cols[k] = [];
        for (int r = 0; r < n; r++)
            for (int q = rp[r]; q < rp[r + 1]; q++) { int i = pinv[r], j = pinv[ci[q]]; if (i <= j) cols[j].Add(i); }
        var cp = new int[n + 1];
        for (int k = 0; k < n; k++) cp[k + 1] = cp[k] + cols[k].Count;
        var ri = cols.SelectMany(c => c).ToArray();
        Assert.Equal(EliminationTree.Compute(n, cp, ri), parent);
        var expected = ColumnCounts.Compute(n, cp, ri, parent, long.MaxValue)!.Value;
        var actual = ColumnCounts.GilbertNgPeyton(n, rp, ci, perm, pinv, parent);
        Assert.Equal(expected.Counts, actual.Counts);
        Assert.Equal(expected.NnzL, actual.NnzL);
        Assert.True(actual.NnzL > n);
    }
}
