using TorchSla.Kernels.Cpu;
using TorchSla.Solvers.Preconditioners;
using Xunit;

namespace TorchSla.Tests.Solvers.Amg;

/// <summary>Greedy aggregation from the strong graph as a matrix and from A's pattern with a mask of its strong entries.</summary>
public class AggregationTests
{
    public static TheoryData<string, double> Problems => new()
    {
        { "anisotropic", 0.08 },  // weak couplings across the strong direction
        { "jumping", 0.08 },      // weak couplings across the coefficient jumps
        { "anisotropic", 0.0 },   // every nonzero off-diagonal entry strong
        { "poisson3d", 0.1 },     // |a_ij| = 1 ≥ 0.1·6: every coupling strong
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void TheMaskOverAGivesTheAggregatesOfTheStrongGraph(string problem, double theta)
    {
        using var a = problem switch
        {
            "anisotropic" => DiffusionProblem.Diffusion2D(40, (_, _) => (1.0, 1e-3)),
            "jumping" => DiffusionProblem.Diffusion2D(48, (i, j) => ((i / 12 + j / 12) % 2 == 0 ? 1.0 : 1e4, (i / 12 + j / 12) % 2 == 0 ? 1.0 : 1e4)),
            _ => SparseTensor.Poisson3D<double>(14),
        };
        int n = a.Rows;
        var rp = a.RowPointers; var ci = a.ColumnIndices; var v = a.GetValues();
        var diag = new double[n];
        for (int i = 0; i < n; i++) for (int k = rp[i]; k < rp[i + 1]; k++) if (ci[k] == i) diag[i] = v[k];
        var (sp, sc) = AmgGraph.Strength(n, rp, ci, v, diag, theta);
        var mask = AmgGraph.StrengthMask(n, rp, ci, v, diag, theta);
        // The mask marks exactly the strong graph's entries.
        int marked = 0;
        for (int i = 0; i < n; i++)
        {
            var strong = new List<int>();
            for (int k = rp[i]; k < rp[i + 1]; k++) if (mask[k] != 0) { strong.Add(ci[k]); marked++; }
            Assert.Equal(sc[sp[i]..sp[i + 1]], strong);
        }
        Assert.Equal(sp[n], marked);
        if (theta > 0 && problem != "poisson3d") Assert.True(marked < rp[n] - n, "the problem should have weak couplings");
        var (fromGraph, countGraph) = Aggregation.Greedy(n, sp, sc);
        var (fromMask, countMask) = Aggregation.Greedy(n, rp, ci, mask);
        Assert.Equal(countGraph, countMask);
        Assert.Equal(fromGraph, fromMask);
        Assert.InRange(countMask, 1, n - 1);
    }
}
