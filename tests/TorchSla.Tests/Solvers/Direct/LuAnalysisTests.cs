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
        // Independently of either construction: column j holds every (i, j), i > j, of P·A·Pᵀ, each with the CSR slot of
        // A(perm[i], perm[j]).
        var sp = fast.Symbolic.Perm; var spinv = fast.Symbolic.Pinv;
        for (int j = 0; j < n; j++)
        {
            int expected = 0;
            for (int q = p.RowPtr[sp[j]]; q < p.RowPtr[sp[j] + 1]; q++) if (spinv[p.ColInd[q]] > j) expected++;
            Assert.Equal(expected, fast.LowerPtr[j + 1] - fast.LowerPtr[j]);
            for (int w = fast.LowerPtr[j]; w < fast.LowerPtr[j + 1]; w++)
            {
                int i = fast.LowerRow[w], slot = fast.LowerSource[w];
                Assert.True(i > j);
                Assert.InRange(slot, p.RowPtr[sp[i]], p.RowPtr[sp[i] + 1] - 1);
                Assert.Equal(sp[j], p.ColInd[slot]);
            }
        }
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

    [Theory]
    [InlineData(6, 120, 0.05)]
    [InlineData(7, 300, 0.02)]
    public void StructuralSymmetryIsTestedWithoutAMapAndTheTransposeFollowsFromIt(int seed, int n, double density)
    {
        var p = RandomPattern(n, density, symmetric: true, seed);
        Assert.True(p.IsStructurallySymmetric);
        Assert.Same(p, p.SymmetricPattern());
        // The transpose asked for afterwards is the pattern itself with the counting sort's map.
        var (t, map) = p.Transpose();
        Assert.Same(p, t);
        Assert.Equal(CsrBuild.Transpose(p.RowPtr, p.ColInd, n, n).Map, map);
        for (int s = 0; s < 3; s++)
        {
            var u = RandomPattern(n, density, symmetric: false, seed + 10 * s);
            Assert.False(u.IsStructurallySymmetric);
            var union = u.SymmetricPattern();
            Assert.NotSame(u, union);
            var reference = Copy(u).SymmetryPlan().Pattern;
            Assert.Equal(reference.RowPtr, union.RowPtr);
            Assert.Equal(reference.ColInd, union.ColInd);
        }
    }

    /// <summary>2D Poisson's pattern (250² rows: large enough for the analysis' concurrent stages) with values that make it
    /// numerically unsymmetric (a convection-like skew), optionally with every 7th (i, i+1) dropped (structurally unsymmetric).</summary>
    private static SparseTensor<double> SkewedGrid(int k, bool dropSome, int seed)
    {
        var grid = SparseTensor.Poisson2D<double>(k);
        var rp = grid.Pattern.RowPtr; var ci = grid.Pattern.ColInd;
        var rng = new Random(seed);
        var rows = new List<int>(); var cols = new List<int>(); var vals = new List<double>();
        for (int i = 0; i < grid.Rows; i++)
            for (int q = rp[i]; q < rp[i + 1]; q++)
            {
                int j = ci[q];
                if (dropSome && j == i + 1 && i % 7 == 0) continue;
                rows.Add(i); cols.Add(j);
                vals.Add(i == j ? 4.5 : j > i ? -1.3 + 0.2 * rng.NextDouble() : -0.7 - 0.2 * rng.NextDouble());
            }
        return SparseTensor.FromCoo<double>([.. vals], [.. rows], [.. cols], [grid.Rows, grid.Rows]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LuOfAStructurallySymmetricOrNearlySymmetricUnsymmetricMatrixSolves(bool dropSome)
    {
        var a = SkewedGrid(250, dropSome, 11);
        Assert.Equal(!dropSome, a.Pattern.IsStructurallySymmetric);
        using var lu = a.Lu();
        Assert.Equal(LuAlgorithm.Multifrontal, lu.Algorithm);
        if (dropSome) Assert.InRange(lu.PatternSymmetry, 0.9, 0.999);
        else Assert.Equal(1.0, lu.PatternSymmetry);
        // The symmetry ratio by its definition: the fraction of off-diagonal (i, j) whose (j, i) is stored.
        var rp = a.Pattern.RowPtr; var ci = a.Pattern.ColInd;
        long off = 0, paired = 0;
        for (int i = 0; i < a.Rows; i++)
            for (int q = rp[i]; q < rp[i + 1]; q++)
            {
                int j = ci[q];
                if (j == i) continue;
                off++;
                if (Array.BinarySearch(ci, rp[j], rp[j + 1] - rp[j], i) >= 0) paired++;
            }
        Assert.Equal((double)paired / off, lu.PatternSymmetry, 12);
        var rng = new Random(3);
        var b = new double[a.Rows];
        for (int i = 0; i < b.Length; i++) b[i] = rng.NextDouble() - 0.5;
        foreach (bool transpose in new[] { false, true })
        {
            var x = transpose ? lu.SolveTranspose(b) : lu.Solve(b);
            var op = transpose ? a.Transpose() : a;
            var ax = (op * Tensor<double>.FromArray(x)).ToArray();
            double rn = 0, bn = 0;
            for (int i = 0; i < b.Length; i++) { rn += (b[i] - ax[i]) * (b[i] - ax[i]); bn += b[i] * b[i]; }
            Assert.True(Math.Sqrt(rn / bn) < 1e-13, $"transpose={transpose}: relative residual {Math.Sqrt(rn / bn):g3}");
            Assert.True(lu.LastBackwardError <= LuFactorization<double>.DefaultRefinementTolerance, $"ω = {lu.LastBackwardError:g3}");
        }
    }

    [Theory]
    [InlineData("poisson2d", 90)]
    [InlineData("poisson3d", 16)]
    public void RowStructuresBuiltInParallelEqualTheSequentialOnes(string kind, int k)
    {
        var a = kind == "poisson2d" ? SparseTensor.Poisson2D<double>(k) : SparseTensor.Poisson3D<double>(k);
        int saved = SupernodalSymbolic.ConcurrentRowsMinEntries;
        try
        {
            SupernodalSymbolic.ConcurrentRowsMinEntries = int.MaxValue;
            var sequential = SupernodalSymbolic.Analyze(a.Pattern, CholeskyOrdering.NestedDissection);
            SupernodalSymbolic.ConcurrentRowsMinEntries = 0;
            var parallel = SupernodalSymbolic.Analyze(a.Pattern, CholeskyOrdering.NestedDissection);
            Assert.Equal(sequential.Perm, parallel.Perm);
            Assert.Equal(sequential.SuperStart, parallel.SuperStart);
            Assert.Equal(sequential.RowPtr, parallel.RowPtr);
            Assert.Equal(sequential.Rows, parallel.Rows);
            Assert.Equal(sequential.ValueOffset, parallel.ValueOffset);
            Assert.Equal(sequential.NnzLStored, parallel.NnzLStored);
            Assert.Equal(sequential.MaxFrontRows, parallel.MaxFrontRows);
            // Each structure starts with its own columns, ascending, below which its rows stay ascending.
            for (int s = 0; s < parallel.SuperCount; s++)
                for (int q = parallel.RowPtr[s] + 1; q < parallel.RowPtr[s + 1]; q++) Assert.True(parallel.Rows[q - 1] < parallel.Rows[q]);
        }
        finally { SupernodalSymbolic.ConcurrentRowsMinEntries = saved; }
    }
}
