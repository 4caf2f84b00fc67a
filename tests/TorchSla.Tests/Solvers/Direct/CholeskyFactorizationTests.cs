using MathNet.Numerics.LinearAlgebra;
using TorchSla;
using TorchSla.IO;
using TorchSla.Solvers.Direct;
using TorchSla.Tests.Tensors;
using Xunit;
using static TorchSla.Tests.Solvers.Direct.DirectTestHelpers;

namespace TorchSla.Tests.Solvers.Direct;

public class CholeskyFactorizationTests
{
    public static TheoryData<int, CholeskyOrdering, int> Cases() => new()
    {
        { 1, CholeskyOrdering.Natural, 30 }, { 2, CholeskyOrdering.ReverseCuthillMcKee, 40 },
        { 3, CholeskyOrdering.ApproximateMinimumDegree, 60 }, { 4, CholeskyOrdering.ApproximateMinimumDegree, 250 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void FactorReconstructsThePermutedMatrix(int seed, CholeskyOrdering ordering, int n)
    {
        var rng = new Random(seed);
        var a = DenseReference.RandomSpd(n, 4.0 / n, 0.5, rng);
        var sa = DenseReference.ToSparse(a, rng);
        using var f = sa.Cholesky(ordering);
        var (cp, ri, v) = f.GetFactor();
        var l = DenseFromColumns(n, cp, ri, v);
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) Assert.Equal(0.0, l[i, j]);
        var pap = Permute(a, f.Permutation);
        double err = Matrix<double>.Build.DenseOfArray(DenseReference.Add(pap, DenseReference.Mul(l, DenseReference.Transpose(l)), 1, -1)).FrobeniusNorm();
        Assert.True(err < 1e-12 * Matrix<double>.Build.DenseOfArray(a).FrobeniusNorm(), $"‖PAPᵀ − LLᵀ‖ = {err}");
        Assert.True(f.NnzFactor >= f.NnzFactorExact);
        Assert.Equal(cp[n], f.NnzFactor);
    }

    [Theory]
    [InlineData(2, 90)]   // 8100 unknowns: fronts wide enough for the blocked kernels and the parallel subtrees
    [InlineData(3, 22)]
    public void PoissonSolvesToSmallResidualAndAgreesWithSimplicialFactor(int dims, int size)
    {
        var p = dims == 2 ? SparseTensor.Poisson2D<double>(size) : SparseTensor.Poisson3D<double>(size);
        using var f = p.Cholesky();
        var b = RandomVector(p.Rows, 5);
        var x = f.Solve(b);
        Assert.True(BackwardError(p, x, b) < 1e-15, $"backward error {BackwardError(p, x, b)}");
        // The simplicial up-looking factor of the same ordering has the same diagonal product.
        var s = SimplicialCholesky.Factor(p);
        double logdet = 0;
        var cp = s.ColumnPointers; var sv = s.Values;
        for (int j = 0; j < p.Rows; j++) logdet += 2 * Math.Log(sv[cp[j]]);
        Assert.Equal(logdet, f.LogAbsDet(), 1e-9 * Math.Abs(logdet));
        // With the same (AMD) ordering, the supernodal exact nnz(L) equals the simplicial analysis's count.
        using var fa = p.Cholesky(CholeskyOrdering.ApproximateMinimumDegree);
        Assert.Equal(SimplicialCholesky.Analyze(p).NnzL, fa.NnzFactorExact);
    }

    [Fact]
    public void SharedSpdMatrixSolves()
    {
        var a = MatrixMarket.Read<double>(TestPaths.Matrix("494_bus.mtx"));
        using var f = a.Cholesky();
        var b = RandomVector(a.Rows, 7);
        var x = f.Solve(b);
        Assert.True(BackwardError(a, x, b) < 1e-15);
    }

    [Fact]
    public void DeterminantMatchesMathNet()
    {
        var rng = new Random(11);
        var a = DenseReference.RandomSpd(40, 0.1, 0.3, rng);
        using var f = DenseReference.ToSparse(a, rng).Cholesky();
        double det = Matrix<double>.Build.DenseOfArray(a).Determinant();
        Assert.Equal(Math.Log(det), f.LogAbsDet(), 1e-10);
        Assert.Equal(1, f.Sign());
        Assert.Equal(det, f.Det(), 1e-10 * det);
    }

    [Fact]
    public void ManyRightHandSidesAndTransposeSolve()
    {
        var p = SparseTensor.Poisson2D<double>(12);
        using var f = p.Cholesky();
        int n = p.Rows, k = 3;
        var b = Tensor<double>.Random([n, k], 4);
        var x = f.Solve(b);
        Assert.Equal(new[] { n, k }, x.Shape);
        var dense = Matrix<double>.Build.DenseOfArray(p.ToDense().ToArray2D());
        var expected = dense.Solve(Matrix<double>.Build.DenseOfArray(b.ToArray2D()));
        DenseReference.AssertClose(expected.ToArray(), x.ToArray2D(), 1e-10);
        DenseReference.AssertClose(expected.ToArray(), f.SolveTranspose(b).ToArray2D(), 1e-10);
    }

    [Fact]
    public void RefactorMatchesAFreshFactorization()
    {
        var p = SparseTensor.Poisson2D<double>(15);
        using var f = p.Cholesky();
        var v = p.GetValues();
        var rp = p.RowPointers; var ci = p.ColumnIndices;
        // A new SPD value set on the same pattern: add 1 + row index/n to the diagonal.
        for (int i = 0; i < p.Rows; i++) for (int q = rp[i]; q < rp[i + 1]; q++) if (ci[q] == i) v[q] += 1 + (double)i / p.Rows;
        var p2 = SparseTensor.FromCsr<double>(rp, ci, v, [p.Rows, p.Cols]);
        f.Refactor(v);
        using var fresh = p2.Cholesky();
        var b = RandomVector(p.Rows, 3);
        var x1 = f.Solve(b); var x2 = fresh.Solve(b);
        for (int i = 0; i < x1.Length; i++) Assert.Equal(x2[i], x1[i], 1e-13);
        Assert.Equal(fresh.LogAbsDet(), f.LogAbsDet(), 1e-10);
        f.Refactor(p2);
        Assert.Equal(fresh.LogAbsDet(), f.LogAbsDet(), 1e-10);
    }

    [Fact]
    public void BatchedFactorsEachValueSet()
    {
        var rng = new Random(21);
        var mats = new[] { DenseReference.RandomSpd(20, 0.2, 0.5, rng), DenseReference.RandomSpd(20, 0.2, 0.5, rng) };
        // One pattern for the batch: ToSparse unions the patterns.
        var sa = DenseReference.ToSparse(mats, [2], rng);
        using var f = sa.Cholesky();
        Assert.Equal(2, f.BatchSize);
        var b = Tensor<double>.Random([2, 20], 8);
        var x = f.Solve(b).ToArray();
        var bb = b.ToArray();
        for (int k = 0; k < 2; k++)
        {
            var m = Matrix<double>.Build.DenseOfArray(mats[k]);
            var xe = m.Solve(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(bb[(k * 20)..((k + 1) * 20)]));
            for (int i = 0; i < 20; i++) Assert.Equal(xe[i], x[k * 20 + i], 1e-10);
            Assert.Equal(Math.Log(m.Determinant()), f.LogAbsDet(k), 1e-10);
        }
    }

    [Fact]
    public void IndefiniteMatrixNamesTheFailingColumn()
    {
        var a = new double[,] { { 2, 1, 0, 0 }, { 1, 2, 2, 0 }, { 0, 2, 1, 0 }, { 0, 0, 0, 3 } };
        var e = Assert.Throws<NotPositiveDefiniteException>(() => SparseTensor.FromDense(a).Cholesky(CholeskyOrdering.Natural));
        Assert.Equal(2, e.Column);
        double det3 = Matrix<double>.Build.DenseOfArray(new double[,] { { 2, 1, 0 }, { 1, 2, 2 }, { 0, 2, 1 } }).Determinant();
        Assert.Equal(det3 / 3.0, e.Pivot, 12);
        Assert.Contains("column 2", e.Message);
    }

    [Fact]
    public void IndefiniteLargeMatrixFailsInsideTheParallelPhase()
    {
        // A shifted Laplacian with a negative shift larger than λ_min is indefinite; the error must name a column, not be an AggregateException.
        var p = SparseTensor.Poisson2D<double>(60);
        var v = p.GetValues(); var rp = p.RowPointers; var ci = p.ColumnIndices;
        for (int i = 0; i < p.Rows; i++) for (int q = rp[i]; q < rp[i + 1]; q++) if (ci[q] == i) v[q] -= 1.0;
        var e = Assert.Throws<NotPositiveDefiniteException>(() => SparseTensor.FromCsr<double>(rp, ci, v, [p.Rows, p.Cols]).Cholesky());
        Assert.InRange(e.Column, 0, p.Rows - 1);
    }

    [Fact]
    public void BadInputsAreRejected()
    {
        Assert.Throws<ShapeMismatchException>(() => SparseTensor.FromDense(new double[,] { { 1, 0, 0 }, { 0, 1, 0 } }).Cholesky());
        var ex = Assert.Throws<ArgumentException>(() => SparseTensor.FromDense(new double[,] { { 2, 1 }, { 0, 2 } }).Cholesky());
        Assert.Contains("not symmetric", ex.Message);
        var p = SparseTensor.Poisson2D<double>(4);
        using var f = p.Cholesky();
        Assert.Throws<ShapeMismatchException>(() => f.Solve(new double[5]));
        Assert.Throws<ShapeMismatchException>(() => f.Solve(Tensor<double>.Zeros([15, 2])));
        Assert.Throws<ShapeMismatchException>(() => f.Refactor(new double[3]));
        var bad = p.GetValues(); bad[4] = double.NaN;
        Assert.Throws<NonFiniteValueException>(() => f.Refactor(bad));
        var nb = new double[16]; nb[3] = double.PositiveInfinity;
        Assert.Throws<NonFiniteValueException>(() => f.Solve(nb));
        Assert.Throws<ArgumentOutOfRangeException>(() => f.LogAbsDet(1));
        Assert.Throws<ArgumentException>(() => f.Refactor(SparseTensor.Poisson2D<double>(5)));
        f.Dispose();
        Assert.Throws<ObjectDisposedException>(() => f.Solve(new double[16]));
    }

    [Fact]
    public void FloatTensorsAreSolved()
    {
        var p = SparseTensor.Poisson2D<float>(10);
        using var f = p.Cholesky();
        var b = Tensor<float>.Random([p.Rows], 2);
        var x = f.Solve(b);
        var r = (p * x) - b;
        Assert.True(r.Norm() < 1e-5f * b.Norm());
    }
}

public class NestedDissectionTests
{
    [Theory]
    // Sizes where dissection has overtaken minimum degree (the AMD with supervariables and mass elimination matches
    // SuiteSparse's fill, and on 150² and 14³ it needs fewer flops than the multilevel dissection; 300²: 3.6e8 vs 4.9e8,
    // 20³: 2.5e8 vs 3.2e8, bench `ordering`, 2026-12-06).
    [InlineData(2, 300)]
    [InlineData(3, 20)]
    public void NestedDissectionIsAPermutationThatFillsLessThanMinimumDegreeOnMeshes(int dims, int size)
    {
        var p = dims == 2 ? SparseTensor.Poisson2D<double>(size) : SparseTensor.Poisson3D<double>(size);
        using var nd = p.Cholesky(CholeskyOrdering.NestedDissection);
        Assert.Equal(Enumerable.Range(0, p.Rows), nd.Permutation.OrderBy(x => x));
        using var amd = p.Cholesky(CholeskyOrdering.ApproximateMinimumDegree);
        Assert.True(nd.Flops < amd.Flops, $"ND flops {nd.Flops:g3}, AMD {amd.Flops:g3}");
        var b = DirectTestHelpers.RandomVector(p.Rows, 1);
        Assert.True(DirectTestHelpers.BackwardError(p, nd.Solve(b), b) < 1e-15);
    }

    [Fact]
    public void DisconnectedGraphsAreOrdered()
    {
        // Two disjoint grids (block diagonal): each piece is dissected on its own.
        var g = SparseTensor.Poisson2D<double>(20);
        var rp = g.RowPointers; var ci = g.ColumnIndices; var v = g.GetValues();
        int n = g.Rows;
        var rows = new List<int>(); var cols = new List<int>(); var vals = new List<double>();
        for (int blk = 0; blk < 2; blk++)
            for (int i = 0; i < n; i++) for (int q = rp[i]; q < rp[i + 1]; q++) { rows.Add(i + blk * n); cols.Add(ci[q] + blk * n); vals.Add(v[q]); }
        var a = SparseTensor.FromCoo<double>(vals.ToArray(), rows.ToArray(), cols.ToArray(), [2 * n, 2 * n]);
        using var f = a.Cholesky(CholeskyOrdering.NestedDissection);
        Assert.Equal(Enumerable.Range(0, 2 * n), f.Permutation.OrderBy(x => x));
        var b = DirectTestHelpers.RandomVector(2 * n, 2);
        Assert.True(DirectTestHelpers.BackwardError(a, f.Solve(b), b) < 1e-15);
    }
}
