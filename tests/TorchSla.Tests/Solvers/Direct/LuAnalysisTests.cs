using TorchSla;
using TorchSla.Kernels.Cpu;
using TorchSla.Solvers.Direct;
using Xunit;

namespace TorchSla.Tests.Solvers.Direct;

/// <summary>
/// The shortcuts of the LU analysis for structurally symmetric patterns: the exact one-pass symmetry check that makes
/// a pattern its own transpose (no A + Aᵀ union, no counting-sort transpose), and the LU plan's strictly lower part taken
/// from the supernodal analysis' triangle — each against the general construction it replaces.
/// </summary>
public class LuAnalysisTests
{
    /// <summary>A random n×n pattern: a random set of off-diagonal pairs, each stored as (i, j) and, if symmetric, (j, i).</summary>
    private static SparsePattern RandomPattern(int n, double density, bool symmetric, int seed, bool diagonal = true)
    {
        var rng = new Random(seed);
        var rows = new SortedSet<int>[n];
        for (int i = 0; i < n; i++) { rows[i] = []; if (diagonal) rows[i].Add(i); }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
                if (rng.NextDouble() < density)
                {
                    rows[i].Add(j);
                    if (symmetric || rng.NextDouble() < 0.5) rows[j].Add(i);
                }
        var rp = new int[n + 1];
        for (int i = 0; i < n; i++) rp[i + 1] = rp[i] + rows[i].Count;
        var ci = new int[rp[n]];
        for (int i = 0, w = 0; i < n; i++) foreach (int j in rows[i]) ci[w++] = j;
        return new SparsePattern(n, n, rp, ci);
    }

    private static SparsePattern Copy(SparsePattern p) => new(p.Rows, p.Cols, (int[])p.RowPtr.Clone(), (int[])p.ColInd.Clone());

    [Theory]
    [InlineData(1, 60, 0.1, true)]
    [InlineData(2, 200, 0.02, false)]
    [InlineData(3, 1, 1.0, true)]
    public void SymmetricPatternIsItsOwnTransposeWithTheCountingSortMap(int seed, int n, double density, bool diagonal)
    {
        var p = RandomPattern(n, density, symmetric: true, seed, diagonal);
        var plan = p.SymmetryPlan();
        Assert.Same(p, plan.Pattern);
        var (t, map) = p.Transpose();
        Assert.Same(p, t);
        var (_, _, expected) = CsrBuild.Transpose(p.RowPtr, p.ColInd, n, n);
        Assert.Equal(expected, map);
        Assert.Equal(Enumerable.Range(0, p.Nnz), plan.MapA.Host);
        Assert.Equal(expected, plan.MapB.Host);
    }

    [Fact]
    public void PatternsWithEqualRowAndColumnCountsButNoTransposeAreNotSymmetric()
    {
        // A cycle 0 → 1 → 2 → 0: every row and every column holds one entry, yet no (j, i) is stored.
        var cycle = new SparsePattern(3, 3, [0, 1, 2, 3], [1, 2, 0]);
        var plan = cycle.SymmetryPlan();
        Assert.Equal(6, plan.Pattern.Nnz);
        Assert.NotSame(cycle, cycle.Transpose().Pattern);
        for (int seed = 0; seed < 5; seed++)
        {
            var p = RandomPattern(80, 0.05, symmetric: false, seed);
            var expected = Copy(p);
            expected.Transpose();   // computed first: the union is then built the general way
            var union = p.SymmetryPlan();
            var reference = expected.SymmetryPlan();
            Assert.Equal(reference.Pattern.RowPtr, union.Pattern.RowPtr);
            Assert.Equal(reference.Pattern.ColInd, union.Pattern.ColInd);
            Assert.Equal(reference.MapB.Host, union.MapB.Host);
        }
    }

    [Theory]
    [InlineData(4, 150, 0.03)]
    [InlineData(5, 400, 0.01)]
    public void LuPlanOfASymmetricPatternEqualsTheTransposeBasedOne(int seed, int n, double density)
    {
        var p = RandomPattern(n, density, symmetric: true, seed);
        var general = Copy(p);
        general.Transpose();   // its transpose is then another object: the plan takes the general path
        int[] perm = [.. Enumerable.Range(0, n).OrderBy(i => (i * 7919L + seed) % n)];   // 7919 is prime: distinct keys
        p.SymmetryPlan();
        var fast = MultifrontalLu.Plan.Analyze(p, CholeskyOrdering.Natural, perm);
        var slow = MultifrontalLu.Plan.Analyze(general, CholeskyOrdering.Natural, perm);
        Assert.Same(p, p.Transpose().Pattern);
        Assert.NotSame(general, general.Transpose().Pattern);
        Assert.Equal(slow.LowerPtr, fast.LowerPtr);
        Assert.Equal(slow.LowerRow, fast.LowerRow);
        Assert.Equal(slow.LowerSource, fast.LowerSource);
        Assert.Equal(slow.Symbolic.AColPtr, fast.Symbolic.AColPtr);
        Assert.Equal(slow.Symbolic.ASource, fast.Symbolic.ASource);
    }

    [Fact]
    public void PopulatedArraysHoldWhatIsWritten()
    {
        foreach (int length in new[] { 10, 1 << 18, 3_000_001 })
        {
            var a = FactorMemory.Allocate<double>(length);
            Assert.Equal(length, a.Length);
            for (int i = 0; i < length; i += 997) a[i] = i + 0.5;
            for (int i = 0; i < length; i += 997) Assert.Equal(i + 0.5, a[i]);
            var b = FactorMemory.Allocate<int>(length);
            b[^1] = 7;
            Assert.Equal(7, b[^1]);
        }
    }

    [Fact]
    public void FactorArraysPopulatedInTheBackgroundHoldWhatIsWritten()
    {
        // 5M doubles (40 MB) each: above the size from which the arrays get huge pages and a background populate.
        foreach (int length in new[] { 1000, 5_000_000 })
        {
            double[][] arrays = [FactorMemory.AllocateFactor(length), FactorMemory.AllocateFactor(length)];
            Assert.Equal(2, arrays.Length);
            Assert.NotSame(arrays[0], arrays[1]);
            foreach (var a in arrays)
            {
                Assert.Equal(length, a.Length);
                for (int i = 0; i < length; i += 613) a[i] = i - 0.25;
            }
            Thread.Sleep(50);   // let the background populate run over what was written
            foreach (var a in arrays) for (int i = 0; i < length; i += 613) Assert.Equal(i - 0.25, a[i]);
        }
    }
}
