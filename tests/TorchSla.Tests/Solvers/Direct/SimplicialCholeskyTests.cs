using MathNet.Numerics.LinearAlgebra;
using TorchSla;
using TorchSla.Solvers.Direct;
using TorchSla.Tests.Tensors;
using Xunit;

namespace TorchSla.Tests.Solvers.Direct;

public class SimplicialCholeskyTests
{
    private static double[,] DenseL(SimplicialCholesky f)
    {
        int n = f.N;
        var l = new double[n, n];
        var cp = f.ColumnPointers; var ri = f.RowIndices; var v = f.Values;
        for (int j = 0; j < n; j++) for (int q = cp[j]; q < cp[j + 1]; q++) l[ri[q], j] = v[q];
        return l;
    }

    private static double[,] Permute(double[,] a, int[] p)
    {
        int n = p.Length;
        var r = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) r[i, j] = a[p[i], p[j]];
        return r;
    }

    public static TheoryData<int, CholeskyOrdering> Cases() => new()
    {
        { 1, CholeskyOrdering.Natural }, { 2, CholeskyOrdering.ReverseCuthillMcKee }, { 3, CholeskyOrdering.ReverseCuthillMcKee },
        { 4, CholeskyOrdering.ApproximateMinimumDegree }, { 5, CholeskyOrdering.ApproximateMinimumDegree },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void FactorReconstructsThePermutedMatrix(int seed, CholeskyOrdering ordering)
    {
        var rng = new Random(seed);
        var a = DenseReference.RandomSpd(30, 0.1, 0.5, rng);
        var sa = DenseReference.ToSparse(a, rng);
        var f = SimplicialCholesky.Factor(sa, ordering: ordering);
        var l = DenseL(f);
        for (int i = 0; i < f.N; i++) for (int j = i + 1; j < f.N; j++) Assert.Equal(0.0, l[i, j]); // lower triangular
        var pap = Permute(a, f.Permutation);
        var llt = DenseReference.Mul(l, DenseReference.Transpose(l));
        double err = Matrix<double>.Build.DenseOfArray(DenseReference.Add(pap, llt, 1, -1)).FrobeniusNorm();
        Assert.True(err < 1e-12 * Matrix<double>.Build.DenseOfArray(a).FrobeniusNorm(), $"‖PAPᵀ − LLᵀ‖ = {err}");
        // Column counts predicted by the symbolic analysis are exactly the stored entries.
        Assert.Equal(f.Symbolic.NnzL, f.RowIndices.Length);
    }

    [Fact]
    public void SolveHasASmallResidual()
    {
        var p = SparseTensor.Poisson3D<double>(6);
        var f = SimplicialCholesky.Factor(p);
        var b = Tensor<double>.Random([p.Rows], 3);
        var x = f.Solve(b.ToArray());
        var r = (p * Tensor<double>.FromArray(x)) - b;
        Assert.True(r.Norm() < 1e-12 * b.Norm());
    }

    [Fact]
    public void EliminationTreeMatchesTheDenseFactorStructure()
    {
        var rng = new Random(9);
        var a = DenseReference.RandomSpd(25, 0.08, 1, rng);
        var sa = DenseReference.ToSparse(a, rng);
        var s = SimplicialCholesky.Analyze(sa, CholeskyOrdering.Natural);
        var l = Matrix<double>.Build.DenseOfArray(a).Cholesky().Factor;
        // Structural nonzeros of L by symbolic elimination on the boolean pattern (no cancellation).
        int n = 25;
        var nz = new bool[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j <= i; j++) nz[i, j] = a[i, j] != 0;
        for (int k = 0; k < n; k++)
            for (int i = k + 1; i < n; i++)
                if (nz[i, k]) for (int j = k + 1; j <= i; j++) if (nz[j, k]) nz[i, j] = true;
        var parent = s.EliminationTreeParents;
        var counts = s.ColumnCounts;
        for (int j = 0; j < n; j++)
        {
            int expected = -1;
            for (int i = j + 1; i < n; i++) if (nz[i, j]) { expected = i; break; }
            Assert.Equal(expected, parent[j]);
            int c = 0;
            for (int i = j; i < n; i++) if (nz[i, j]) c++;
            Assert.Equal(c, counts[j]);
            for (int i = j; i < n; i++) if (!nz[i, j]) Assert.Equal(0.0, l[i, j], 12); // dense factor agrees with the structure
        }
    }

    [Fact]
    public void ReverseCuthillMcKeeNarrowsTheBandOfAShuffledBandMatrix()
    {
        int n = 60;
        var rng = new Random(1);
        var shuffle = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).ToArray();
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            a[shuffle[i], shuffle[i]] = 4;
            if (i + 1 < n) { a[shuffle[i], shuffle[i + 1]] = -1; a[shuffle[i + 1], shuffle[i]] = -1; }
            if (i + 2 < n) { a[shuffle[i], shuffle[i + 2]] = -0.5; a[shuffle[i + 2], shuffle[i]] = -0.5; }
        }
        var sa = DenseReference.ToSparse(a, rng);
        var s = SimplicialCholesky.Analyze(sa, CholeskyOrdering.ReverseCuthillMcKee);
        var p = s.Permutation;
        Assert.Equal(Enumerable.Range(0, n), p.OrderBy(x => x));
        var pap = Permute(a, p);
        int band = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) if (pap[i, j] != 0) band = Math.Max(band, Math.Abs(i - j));
        Assert.True(band <= 2, $"bandwidth {band}");
        // A band of width 2 fills nothing: nnz(L) = n + (n−1) + (n−2).
        Assert.Equal(3 * n - 3, s.NnzL);
        Assert.True(SimplicialCholesky.Analyze(sa, CholeskyOrdering.Natural).NnzL > s.NnzL);
    }

    [Fact]
    public void MinimumDegreeEliminatesTheHubOfAnArrowMatrixLast()
    {
        // Node 0 is joined to every other node: in natural order L is dense; eliminating the
        // leaves first (degree 1) leaves no fill at all: nnz(L) = n + (n − 1).
        int n = 40;
        var a = new double[n, n];
        for (int i = 0; i < n; i++) a[i, i] = n;
        for (int i = 1; i < n; i++) { a[0, i] = 1; a[i, 0] = 1; }
        var sa = SparseTensor.FromDense(a);
        var s = SimplicialCholesky.Analyze(sa, CholeskyOrdering.ApproximateMinimumDegree);
        Assert.Equal(Enumerable.Range(0, n), s.Permutation.OrderBy(x => x));
        Assert.Equal(2 * n - 1, s.NnzL);
        Assert.Equal((long)n * (n + 1) / 2, SimplicialCholesky.Analyze(sa, CholeskyOrdering.Natural).NnzL);
    }

    [Theory]
    [InlineData(2, 20)]
    [InlineData(3, 7)]
    public void MinimumDegreeFillsLessThanReverseCuthillMcKeeOnMeshes(int dims, int size)
    {
        var p = dims == 2 ? SparseTensor.Poisson2D<double>(size) : SparseTensor.Poisson3D<double>(size);
        var amd = SimplicialCholesky.Analyze(p, CholeskyOrdering.ApproximateMinimumDegree);
        var rcm = SimplicialCholesky.Analyze(p, CholeskyOrdering.ReverseCuthillMcKee);
        Assert.Equal(Enumerable.Range(0, p.Rows), amd.Permutation.OrderBy(x => x));
        Assert.True(amd.NnzL < rcm.NnzL, $"AMD nnz(L) {amd.NnzL}, RCM {rcm.NnzL}");
        var f = SimplicialCholesky.Factor(amd, p);
        var b = Tensor<double>.Random([p.Rows], 1);
        var x = f.Solve(b.ToArray());
        Assert.True(((p * Tensor<double>.FromArray(x)) - b).Norm() < 1e-12 * b.Norm());
    }

    [Fact]
    public void IndefiniteMatrixNamesTheFailingColumn()
    {
        // Leading minors of the natural order: 2 > 0, 2·2 − 1 > 0, then column 2 has pivot 1 − (5/... ) < 0.
        var a = new double[,] { { 2, 1, 0, 0 }, { 1, 2, 2, 0 }, { 0, 2, 1, 0 }, { 0, 0, 0, 3 } };
        var sa = SparseTensor.FromDense(a);
        var e = Assert.Throws<NotPositiveDefiniteException>(() => SimplicialCholesky.Factor(sa, ordering: CholeskyOrdering.Natural));
        Assert.Equal(2, e.Column);
        // Independent check: the pivot is the ratio of leading principal minors det(A₃)/det(A₂).
        double det2 = 2 * 2 - 1, det3 = Matrix<double>.Build.DenseOfArray(new double[,] { { 2, 1, 0 }, { 1, 2, 2 }, { 0, 2, 1 } }).Determinant();
        Assert.Equal(det3 / det2, e.Pivot, 12);
        Assert.Contains("column 2", e.Message);
    }

    [Fact]
    public void NonSquareIsRejected()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => SimplicialCholesky.Factor(SparseTensor.FromDense(new double[,] { { 1, 0, 0 }, { 0, 1, 0 } })));
        Assert.Contains("[2, 3]", e.Message);
    }
}
