using MathNet.Numerics.LinearAlgebra;
using TorchSla.Autodiff;
using TorchSla.Solvers;
using TorchSla.Solvers.Direct;
using Xunit;

namespace TorchSla.Tests.Autodiff;

/// <summary>
/// Det and log|det| with their gradients: the selected inverse of every factorization against MathNet's dense inverse,
/// the values against MathNet's determinant, the gradients against finite differences, one node per call.
/// </summary>
public class DeterminantGradTests
{
    /// <summary>COO rows of a CSR pattern.</summary>
    private static int[] RowsOf(SparseTensor<double> a)
    {
        var rp = a.RowPointers;
        var r = new int[a.Nnz];
        for (int i = 0; i < a.Rows; i++) for (int s = rp[i]; s < rp[i + 1]; s++) r[s] = i;
        return r;
    }

    /// <summary>2D Poisson g×g with the diagonal shifted by −shift and symmetric noise: SPD for shift 0, indefinite for a large shift.</summary>
    private static SparseTensor<double> SymmetricPoisson(int g, double shift, int seed, double noiseAmplitude = 0.3)
    {
        var p = SparseTensor.Poisson2D<double>(g);
        var r = RowsOf(p); var c = p.ColumnIndices; var v = p.GetValues();
        var noise = GradCheck.Random(v.Length, seed, -noiseAmplitude, noiseAmplitude);
        var half = new double[v.Length];
        for (int s = 0; s < v.Length; s++) half[s] = 0.5 * (r[s] == c[s] ? v[s] - shift : v[s]) + noise[s];
        var h = SparseTensor.FromCoo<double>(half, r, c, [g * g, g * g]);
        return h + h.Transpose();
    }

    /// <summary>An unsymmetric n×n matrix whose diagonal is mostly absent, so that LU has to pivot: a random sparse part plus a
    /// weighted random permutation that keeps it nonsingular.</summary>
    private static SparseTensor<double> Unsymmetric(int n, int seed)
    {
        var rng = new Random(seed);
        var perm = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).ToArray();
        var entries = new Dictionary<(int, int), double>();
        for (int i = 0; i < n; i++) entries[(i, perm[i])] = 3 + rng.NextDouble();
        for (int e = 0; e < 3 * n; e++) entries[(rng.Next(n), rng.Next(n))] = rng.NextDouble() * 2 - 1;
        var keys = entries.Keys.ToArray();
        return SparseTensor.FromCoo<double>(keys.Select(k => entries[k]).ToArray(), keys.Select(k => k.Item1).ToArray(), keys.Select(k => k.Item2).ToArray(), [n, n]);
    }

    private static Matrix<double> Dense(SparseTensor<double> a, int batch = 0)
    {
        var m = Matrix<double>.Build.Dense(a.Rows, a.Cols);
        var rp = a.RowPointers; var ci = a.ColumnIndices; var v = a.GetValues(batch);
        for (int i = 0; i < a.Rows; i++) for (int s = rp[i]; s < rp[i + 1]; s++) m[i, ci[s]] += v[s];
        return m;
    }

    private static void AssertInverseTransposeOnPattern(SparseTensor<double> a, SparseFactorization<double> f, int batch = 0)
    {
        var dense = Dense(a, batch);
        var inv = dense.Inverse();
        var z = f.InverseTransposeOnPattern(batch);
        var rp = a.RowPointers; var ci = a.ColumnIndices;
        // Agreement to 1e-14 of the largest entry, or to the rounding both inverses carry, ~ε·cond(A), on an ill-conditioned A.
        double scale = inv.Enumerate().Max(Math.Abs) * Math.Max(1e-3, 1e-4 * dense.ConditionNumber());
        for (int i = 0; i < a.Rows; i++)
            for (int s = rp[i]; s < rp[i + 1]; s++)
                Assert.True(Math.Abs(z[s] - inv[ci[s], i]) <= 1e-11 * scale, $"slot ({i}, {ci[s]}): selected {z[s]}, dense (A⁻¹)ᵀ {inv[ci[s], i]}");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(15)] // 225 unknowns: supernodes of several columns, relaxed amalgamation and a deep tree
    public void CholeskySelectedInverseMatchesDenseInverse(int g)
    {
        var a = SymmetricPoisson(g, 0, 3, noiseAmplitude: 0.01);
        using var f = a.Cholesky();
        AssertInverseTransposeOnPattern(a, f);
    }

    [Fact]
    public void LdltSelectedInverseOfAnIndefiniteMatrixMatchesDenseInverse()
    {
        var a = SymmetricPoisson(12, 2.9, 4);
        using var f = a.Ldlt();
        Assert.True(f.NegativeEigenvalues() > 0);
        AssertInverseTransposeOnPattern(a, f);
    }

    [Theory]
    [InlineData(12, 5)]
    [InlineData(150, 6)]
    public void LuSelectedInverseOfAPivotingMatrixMatchesDenseInverse(int n, int seed)
    {
        var a = Unsymmetric(n, seed);
        using var f = a.Lu();
        Assert.Equal(LuAlgorithm.LeftLooking, f.Algorithm);
        Assert.False(f.RowPermutation().SequenceEqual(f.ColumnPermutation())); // rows were pivoted off the diagonal
        AssertInverseTransposeOnPattern(a, f);
    }

    [Fact]
    public void MultifrontalLuSelectedInverseMatchesDenseInverse()
    {
        // A structurally symmetric, numerically unsymmetric matrix on the 15×15 grid with a weak diagonal, so that the
        // fronts pivot off the diagonal: the selected inverse needs the fronts' whole structure (zeros included).
        var p = SparseTensor.Poisson2D<double>(15);
        var r = RowsOf(p); var c = p.ColumnIndices;
        var v = GradCheck.Random(c.Length, 13, -1, 1);
        for (int s = 0; s < v.Length; s++) if (r[s] == c[s]) v[s] *= 0.05;
        var a = SparseTensor.FromCoo<double>(v, r, c, [225, 225]);
        using var f = a.Lu(algorithm: LuAlgorithm.Multifrontal);
        Assert.False(f.RowPermutation().SequenceEqual(f.ColumnPermutation()));
        AssertInverseTransposeOnPattern(a, f);
        Assert.Equal(Math.Log(Math.Abs(Dense(a).Determinant())), a.LogDet().ToScalar(), 1e-9);
    }

    [Fact]
    public void ValuesMatchTheDenseDeterminant()
    {
        foreach (var a in new[] { SymmetricPoisson(3, 0, 7), SymmetricPoisson(3, 3.1, 8), Unsymmetric(9, 9) })
        {
            double det = Dense(a).Determinant();
            Assert.Equal(det, a.Det().ToScalar(), Math.Abs(det) * 1e-12);
            Assert.Equal(Math.Log(Math.Abs(det)), a.LogDet().ToScalar(), 1e-12);
            var (sign, logAbs) = a.SlogDet(SolveMethod.Lu);
            Assert.Equal(Math.Sign(det), sign.ToScalar());
            Assert.Equal(Math.Log(Math.Abs(det)), logAbs.ToScalar(), 1e-12);
        }
    }

    [Theory]
    [InlineData(0.0, SolveMethod.Cholesky)]
    [InlineData(0.0, SolveMethod.Auto)]
    [InlineData(3.1, SolveMethod.Ldlt)]
    [InlineData(3.1, SolveMethod.Lu)]
    [InlineData(3.1, SolveMethod.Auto)]
    public void SymmetricGradientsMatchFiniteDifferences(double shift, SolveMethod method)
    {
        // The parameters are one triangle's worth of values; A = H + Hᵀ stays symmetric under every perturbation.
        var a0 = SymmetricPoisson(3, shift, 10);
        var r = RowsOf(a0); var c = a0.ColumnIndices;
        var half = a0.GetValues().Select(v => 0.5 * v).ToArray();
        GradCheck.Check((p, l) =>
        {
            var h = SparseTensor.FromCoo<double>(p[0], r, c, [9, 9]);
            l?.Leaf(h);
            var a = h + h.Transpose();
            return a.LogDet(method) * 0.7 + a.Det(method) * 1e-4;
        }, [half], h: 1e-6);
    }

    [Fact]
    public void UnsymmetricBatchedGradientsMatchFiniteDifferences()
    {
        var a1 = Unsymmetric(8, 11);
        var r = RowsOf(a1); var c = a1.ColumnIndices;
        var v1 = a1.GetValues();
        var v = v1.Concat(v1.Select((x, i) => x * (1 + 0.1 * Math.Sin(i)))).ToArray();
        GradCheck.Check((p, l) =>
        {
            var a = SparseTensor.FromCoo<double>(p[0], r, c, [2, 8, 8]);
            l?.Leaf(a);
            var (sign, logAbs) = a.SlogDet();
            return GradCheck.Weighted(logAbs) + GradCheck.Weighted(a.Det() * sign, 5);
        }, [v], h: 1e-6);
    }

    [Fact]
    public void OneNodePerCallAndNoGradientWithoutRecording()
    {
        var a = SymmetricPoisson(6, 0, 12).Detach().RequireGrad();
        var ld = a.LogDet();
        // leaf A and the logdet node
        Assert.Equal(2, Tape.CountNodes(ld.GradFn!));
        ld.Backward();
        // ∂log det/∂A = A⁻ᵀ on the pattern: Σ_s a_s·(A⁻ᵀ)_s = tr(A⁻¹A) = n.
        var g = a.ValuesGrad!.ToArray(); var v = a.GetValues();
        Assert.Equal(a.Rows, g.Zip(v, (x, y) => x * y).Sum(), 1e-9);
        using (GradMode.NoGrad()) Assert.Null(a.Det().GradFn);
    }

    [Fact]
    public void BadInputIsNamed()
    {
        var rect = SparseTensor.FromCoo<double>([1.0, 2.0], [0, 1], [0, 2], [2, 3]);
        Assert.Throws<ShapeMismatchException>(() => rect.Det());
        var singular = SparseTensor.FromCoo<double>([1.0, 2.0, 2.0, 4.0], [0, 0, 1, 1], [0, 1, 0, 1], [2, 2]);
        Assert.Throws<SingularMatrixException>(() => singular.Det(SolveMethod.Lu));
        Assert.Throws<ArgumentException>(() => Unsymmetric(5, 1).Det(SolveMethod.Cholesky));
        Assert.Throws<NotPositiveDefiniteException>(() => SymmetricPoisson(3, 3.1, 2).Det(SolveMethod.Cholesky));
        var e = Assert.Throws<ArgumentException>(() => SymmetricPoisson(3, 0, 2).Det(SolveMethod.CG));
        Assert.Contains("factorization", e.Message);
    }
}
