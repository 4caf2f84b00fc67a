using MathNet.Numerics.LinearAlgebra;
using TorchSla;
using TorchSla.IO;
using TorchSla.Solvers.Direct;
using TorchSla.Tests.Tensors;
using Xunit;
using static TorchSla.Tests.Solvers.Direct.DirectTestHelpers;

namespace TorchSla.Tests.Solvers.Direct;

public class LuFactorizationTests
{
    [Theory]
    [InlineData(1, 40, 1.0, LuAlgorithm.LeftLooking)]
    [InlineData(2, 80, 0.1, LuAlgorithm.LeftLooking)]
    [InlineData(1, 40, 1.0, LuAlgorithm.Multifrontal)]
    [InlineData(2, 80, 0.1, LuAlgorithm.Multifrontal)]
    [InlineData(6, 120, 0.5, LuAlgorithm.Multifrontal)]
    public void FactorsReconstructPAQ(int seed, int n, double threshold, LuAlgorithm algorithm)
    {
        var rng = new Random(seed);
        var a = DenseReference.Random(n, n, 4.0 / n, rng);
        for (int i = 0; i < n; i++) a[i, (i * 7) % n] += 1 + rng.NextDouble(); // nonsingular with high probability, off-diagonal weight
        var sa = DenseReference.ToSparse(a, rng);
        using var f = sa.Lu(pivotThreshold: threshold, algorithm: algorithm);
        Assert.Equal(algorithm, f.Algorithm);
        var (lp, li, lx, up, ui, ux) = f.GetFactors();
        var l = DenseFromColumns(n, lp, li, lx);
        var u = DenseFromColumns(n, up, ui, ux);
        for (int i = 0; i < n; i++) { Assert.Equal(1.0, l[i, i]); for (int j = i + 1; j < n; j++) { Assert.Equal(0.0, l[i, j]); Assert.Equal(0.0, u[j, i]); } }
        var p = f.RowPermutation(); var q = f.ColumnPermutation();
        var paq = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) paq[i, j] = a[p[i], q[j]];
        double err = Matrix<double>.Build.DenseOfArray(DenseReference.Add(paq, DenseReference.Mul(l, u), 1, -1)).FrobeniusNorm();
        Assert.True(err < 1e-12 * Matrix<double>.Build.DenseOfArray(a).FrobeniusNorm(), $"‖PAQ − LU‖ = {err}");
        var m = Matrix<double>.Build.DenseOfArray(a);
        double det = m.Determinant();
        Assert.Equal(Math.Sign(det), f.Sign());
        Assert.Equal(Math.Log(Math.Abs(det)), f.LogAbsDet(), 1e-9 * Math.Max(1, Math.Abs(Math.Log(Math.Abs(det)))));
        var b = RandomVector(n, 2);
        var x = f.Solve(b);
        var xe = m.Solve(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(b));
        for (int i = 0; i < n; i++) Assert.Equal(xe[i], x[i], 1e-9 * (1 + Math.Abs(xe[i])));
        var xt = f.SolveTranspose(b);
        var xte = m.Transpose().Solve(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(b));
        for (int i = 0; i < n; i++) Assert.Equal(xte[i], xt[i], 1e-9 * (1 + Math.Abs(xte[i])));
    }

    [Theory]
    [InlineData("west0479.mtx", LuAlgorithm.Automatic)]
    [InlineData("bp_1200.mtx", LuAlgorithm.Automatic)]
    [InlineData("olm1000.mtx", LuAlgorithm.Automatic)]
    [InlineData("cryg2500.mtx", LuAlgorithm.Automatic)]
    [InlineData("w156.mtx", LuAlgorithm.Automatic)]
    [InlineData("west0479.mtx", LuAlgorithm.Multifrontal)]
    [InlineData("bp_1200.mtx", LuAlgorithm.Multifrontal)]
    [InlineData("olm1000.mtx", LuAlgorithm.LeftLooking)]
    [InlineData("cryg2500.mtx", LuAlgorithm.LeftLooking)]
    [InlineData("w156.mtx", LuAlgorithm.Multifrontal)]
    [InlineData("hangGlider_2.mtx", LuAlgorithm.Multifrontal)]
    public void SharedMatricesSolveToBackwardError1e14(string name, LuAlgorithm algorithm)
    {
        var a = name == "w156.mtx" ? RealPartOfComplexFile(TestPaths.Matrix(name)) : MatrixMarket.Read<double>(TestPaths.Matrix(name));
        using var f = a.Lu(algorithm: algorithm);
        var b = RandomVector(a.Rows, 4);
        var x = f.Solve(b);
        double be = BackwardError(a, x, b);
        Assert.True(be <= 1e-14, $"{name}: backward error {be}");
        // Transposed solve: check against the explicit transpose.
        var at = a.Transpose();
        var xt = f.SolveTranspose(b);
        double bet = BackwardError(at, xt, b);
        Assert.True(bet <= 1e-14, $"{name}ᵀ: backward error {bet}");
    }

    /// <summary>w156 is stored as a complex file (complex values are not supported): its real part, which is HB/west0156.</summary>
    private static SparseTensor<double> RealPartOfComplexFile(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0 && l[0] != '%').ToArray();
        var head = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        var rows = new List<int>(); var cols = new List<int>(); var vals = new List<double>();
        foreach (var l in lines.Skip(1))
        {
            var t = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            rows.Add(int.Parse(t[0]) - 1); cols.Add(int.Parse(t[1]) - 1);
            vals.Add(double.Parse(t[2], System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.Equal(head[2], vals.Count);
        return SparseTensor.FromCoo<double>(vals.ToArray(), rows.ToArray(), cols.ToArray(), [head[0], head[1]]);
    }

    [Fact]
    public void ConvectionDiffusionTakesTheMultifrontalPathAndRefactors()
    {
        // 2D convection–diffusion on a 24×24 grid: symmetric pattern, unsymmetric values (upwinded convection).
        int g = 24, n = g * g;
        var dense = new double[n, n];
        for (int gy = 0; gy < g; gy++)
            for (int gx = 0; gx < g; gx++)
            {
                int i = gy * g + gx;
                dense[i, i] = 4.5;
                if (gx > 0) dense[i, i - 1] = -1.4;
                if (gx < g - 1) dense[i, i + 1] = -0.6;
                if (gy > 0) dense[i, i - g] = -1.2;
                if (gy < g - 1) dense[i, i + g] = -0.8;
            }
        var rng = new Random(8);
        var a = DenseReference.ToSparse(dense, rng);
        using var f = a.Lu();
        Assert.Equal(LuAlgorithm.Multifrontal, f.Algorithm);
        Assert.Equal(1.0, f.PatternSymmetry);
        var m = Matrix<double>.Build.DenseOfArray(dense);
        var b = RandomVector(n, 6);
        var xe = m.Solve(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(b));
        var x = f.Solve(b);
        for (int i = 0; i < n; i++) Assert.Equal(xe[i], x[i], 1e-11 * (1 + Math.Abs(xe[i])));
        Assert.True(BackwardError(a.Transpose(), f.SolveTranspose(b), b) <= 1e-14);
        // det overflows double here (≈ e^800): compare log|det| = Σ log|u_ii| of MathNet's dense LU.
        var lu = m.LU().U;
        double logDet = 0;
        for (int i = 0; i < n; i++) logDet += Math.Log(Math.Abs(lu[i, i]));
        Assert.Equal(logDet, f.LogAbsDet(), 1e-10 * Math.Abs(logDet));
        // Refactor with other values on the same pattern equals a fresh factorization.
        var v = a.GetValues();
        for (int i = 0; i < v.Length; i++) v[i] *= 1 + 0.1 * Math.Sin(i);
        f.Refactor(v);
        var a2 = a.WithValues(v);
        using var fresh = a2.Lu();
        var x2 = f.Solve(b); var x3 = fresh.Solve(b);
        for (int i = 0; i < n; i++) Assert.Equal(x3[i], x2[i], 1e-12 * (1 + Math.Abs(x3[i])));
        Assert.Equal(fresh.LogAbsDet(), f.LogAbsDet(), 1e-9);
    }

    [Fact]
    public void SingularMatrixNamesTheColumn()
    {
        // Column 2 is a copy of column 0: elimination finds no pivot for whichever of them comes second.
        var a = new double[,] { { 1, 2, 1 }, { 3, 4, 3 }, { 5, 6, 5 } };
        var e = Assert.Throws<SingularMatrixException>(() => SparseTensor.FromDense(a).Lu(CholeskyOrdering.Natural));
        Assert.Equal(2, e.Column);
        Assert.Contains("column 2", e.Message);
        var hyper = MatrixMarket.Read<double>(TestPaths.Matrix("LFAT5_hypersparse.mtx"));
        var e2 = Assert.Throws<SingularMatrixException>(() => hyper.Lu());
        Assert.InRange(e2.Column, 0, hyper.Rows - 1);
    }

    [Fact]
    public void RefactorAndBatch()
    {
        var rng = new Random(3);
        var mats = new[] { DenseReference.Random(30, 30, 0.15, rng), DenseReference.Random(30, 30, 0.15, rng) };
        foreach (var m in mats) for (int i = 0; i < 30; i++) m[i, i] += 3;
        var sa = DenseReference.ToSparse(mats, [2], rng);
        using var f = sa.Lu();
        var b = Tensor<double>.Random([2, 30, 2], 5);
        var x = f.Solve(b).ToArray(); var bb = b.ToArray();
        for (int k = 0; k < 2; k++)
        {
            var m = Matrix<double>.Build.DenseOfArray(mats[k]);
            var bm = Matrix<double>.Build.Dense(30, 2, (i, j) => bb[k * 60 + i * 2 + j]);
            var xe = m.Solve(bm);
            for (int i = 0; i < 30; i++) for (int j = 0; j < 2; j++) Assert.Equal(xe[i, j], x[k * 60 + i * 2 + j], 1e-10);
            Assert.Equal(Math.Log(Math.Abs(m.Determinant())), f.LogAbsDet(k), 1e-9);
        }
        var v = sa.GetValues();
        for (int i = 0; i < v.Length; i++) v[i] *= -3;
        double before = f.LogAbsDet(0);
        f.Refactor(v);
        Assert.Equal(before + 30 * Math.Log(3), f.LogAbsDet(0), 1e-9);
        Assert.Throws<ArgumentOutOfRangeException>(() => sa.Lu(pivotThreshold: 0));
        Assert.Throws<ShapeMismatchException>(() => SparseTensor.FromDense(new double[,] { { 1, 2 } }).Lu());
    }

    [Theory]
    [InlineData(0.1, 160)]
    [InlineData(1.0, 160)]
    [InlineData(0.1, 0)]
    [InlineData(0.1, int.MaxValue)]
    public void LargeFrontsWithDelayedPivotsReconstructAndRefactor(double threshold, int smallFrontRows)
    {
        // smallFrontRows: fronts up to this size are eliminated unblocked, larger ones by panels (0: all blocked).
        int saved = MultifrontalLu.SmallFrontRows;
        MultifrontalLu.SmallFrontRows = smallFrontRows;
        try { LargeFronts(threshold); }
        finally { MultifrontalLu.SmallFrontRows = saved; }
    }

    /// <summary>
    /// The multifrontal factors read back from the fronts' blocks (U11 from the L blocks above their diagonals, U12 from
    /// the U blocks; fronts with delayed pivots in arrays of their own) are the LU factorization of P·A·Q: the LU of a
    /// matrix without pivoting is unique when it exists, so Gaussian elimination of the dense P·A·Q in the factor's pivot
    /// order, computed here, must give the same L and U entry by entry (to rounding: the operations are the same, summed
    /// in another order), and L·U must reproduce P·A·Q; det from the diagonal of U is MathNet's.
    /// </summary>
    [Theory]
    [InlineData("west0479.mtx", 1.0, 60)]
    [InlineData("bp_1200.mtx", 1.0, 60)]
    [InlineData("delaying", 0.1, 60)]
    [InlineData("west0479.mtx", 1.0, 0)]
    [InlineData("delaying", 0.1, 0)]
    [InlineData("delaying", 0.1, int.MaxValue)]
    public void MultifrontalBlocksHoldTheLuOfPAQ(string name, double threshold, int smallFrontRows)
    {
        // smallFrontRows: fronts up to this size are eliminated unblocked, larger ones by left-looking panels (0: all blocked).
        int saved = MultifrontalLu.SmallFrontRows;
        MultifrontalLu.SmallFrontRows = smallFrontRows;
        try { BlocksHoldTheLuOfPAQ(name, threshold); }
        finally { MultifrontalLu.SmallFrontRows = saved; }
    }

    private static void BlocksHoldTheLuOfPAQ(string name, double threshold)
    {
        var a = name == "delaying" ? DirectTestHelpers.DelayingMatrix(8) : MatrixMarket.Read<double>(TestPaths.Matrix(name));
        int n = a.Rows;
        using var f = a.Lu(name == "delaying" ? CholeskyOrdering.NestedDissection : CholeskyOrdering.Automatic, pivotThreshold: threshold, algorithm: LuAlgorithm.Multifrontal);
        Assert.True(f.DelayedPivots() > 0, $"{name} should delay pivots");
        var (lp, li, lx, up, ui, ux) = f.GetFactors();
        var p = f.RowPermutation(); var q = f.ColumnPermutation();
        var dense = a.ToDense().ToArray();
        // Right-looking elimination of P·A·Q without pivoting: w becomes L (strictly below the diagonal) and U.
        var w = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) w[i, j] = dense[p[i] * n + q[j]];
        var paq = (double[,])w.Clone();
        for (int k = 0; k < n; k++)
        {
            Assert.NotEqual(0.0, w[k, k]);
            for (int i = k + 1; i < n; i++)
            {
                if (w[i, k] == 0) continue;
                double lik = w[i, k] /= w[k, k];
                for (int j = k + 1; j < n; j++) w[i, j] -= lik * w[k, j];
            }
        }
        var l = DenseFromColumns(n, lp, li, lx);
        var u = DenseFromColumns(n, up, ui, ux);
        double uScale = 0, lScale = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) { if (j >= i) uScale = Math.Max(uScale, Math.Abs(w[i, j])); else lScale = Math.Max(lScale, Math.Abs(w[i, j])); }
        double uErr = 0, lErr = 0;
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(1.0, l[i, i]);
            for (int j = 0; j < n; j++)
                if (j >= i) { uErr = Math.Max(uErr, Math.Abs(u[i, j] - w[i, j])); Assert.True(j == i || l[i, j] == 0); }
                else { lErr = Math.Max(lErr, Math.Abs(l[i, j] - w[i, j])); Assert.Equal(0.0, u[i, j]); }
        }
        Assert.True(uErr <= 1e-10 * uScale, $"{name}: max |U − U_dense| = {uErr:E2}, max |U_dense| = {uScale:E2}");
        Assert.True(lErr <= 1e-10 * Math.Max(1, lScale), $"{name}: max |L − L_dense| = {lErr:E2}, max |L_dense| = {lScale:E2}");
        double err = Matrix<double>.Build.DenseOfArray(DenseReference.Add(paq, DenseReference.Mul(l, u), 1, -1)).FrobeniusNorm();
        double norm = Matrix<double>.Build.DenseOfArray(paq).FrobeniusNorm();
        Assert.True(err <= 1e-13 * norm, $"{name}: ‖PAQ − LU‖ = {err:E2}, ‖A‖ = {norm:E2}");
        // log|det A| from MathNet's LU (partial pivoting, another elimination); the sign from this elimination's diagonal
        // and the permutations' parities (the library's cycle count, checked against MathNet's det in FactorsReconstructPAQ).
        var m = Matrix<double>.Build.DenseOfArray(paq).LU();
        double logDet = 0;
        int sign = SparseLuFactors.PermutationSign(p) * SparseLuFactors.PermutationSign(q);
        for (int i = 0; i < n; i++) { logDet += Math.Log(Math.Abs(m.U[i, i])); if (w[i, i] < 0) sign = -sign; }
        Assert.Equal(logDet, f.LogAbsDet(), 1e-9 * Math.Max(1, Math.Abs(logDet)));
        Assert.Equal(sign, f.Sign());
    }

    [Fact]
    public void ParallelSolveOverSubtreesEqualsTheSequentialOne()
    {
        // 20³ with delayed pivots: enough flops for the factorization's schedule to cut the tree into subtrees.
        var a = DirectTestHelpers.DelayingMatrix(20);
        int n = a.Rows;
        long saved = MultifrontalLuFactors.ParallelSolveMinEntries;
        try
        {
            MultifrontalLuFactors.ParallelSolveMinEntries = 0;
            using var par = a.Lu(CholeskyOrdering.NestedDissection, algorithm: LuAlgorithm.Multifrontal);
            Assert.Equal(Environment.ProcessorCount > 1, par.SolvesInParallel());   // decided now, under the threshold 0
            MultifrontalLuFactors.ParallelSolveMinEntries = long.MaxValue;
            using var seq = a.Lu(CholeskyOrdering.NestedDissection, algorithm: LuAlgorithm.Multifrontal);
            Assert.True(par.DelayedPivots() > 0);
            var b = RandomVector(n, 31);
            par.MaxRefinementSteps = 0; seq.MaxRefinementSteps = 0;   // the triangular solves alone
            var xp = par.Solve(b); var xs = seq.Solve(b);
            Assert.False(seq.SolvesInParallel());
            double diff = 0, scale = 0;
            for (int i = 0; i < n; i++) { diff = Math.Max(diff, Math.Abs(xp[i] - xs[i])); scale = Math.Max(scale, Math.Abs(xs[i])); }
            Assert.True(diff <= 1e-10 * scale, $"parallel and sequential solves differ by {diff} (scale {scale})");
            par.MaxRefinementSteps = 3;
            Assert.True(BackwardError(a, par.Solve(b), b) <= 1e-14);
            Assert.True(BackwardError(a.Transpose(), par.SolveTranspose(b), b) <= 1e-14);
        }
        finally { MultifrontalLuFactors.ParallelSolveMinEntries = saved; }
    }

    [Theory]
    [InlineData("poisson", LuAlgorithm.Multifrontal)]
    [InlineData("west0479.mtx", LuAlgorithm.Multifrontal)]
    [InlineData("olm1000.mtx", LuAlgorithm.LeftLooking)]
    public void RefinementStopsAtItsTolerance(string name, LuAlgorithm algorithm)
    {
        var a = name == "poisson" ? SparseTensor.Poisson2D<double>(60) : MatrixMarket.Read<double>(TestPaths.Matrix(name));
        using var f = a.Lu(algorithm: algorithm);
        var b = RandomVector(a.Rows, 12);
        f.MaxRefinementSteps = 0;
        var x0 = f.Solve(b);
        double omega0 = ComponentwiseBackwardError(a, x0, b);
        Assert.True(double.IsNaN(f.LastBackwardError));
        f.MaxRefinementSteps = 3;
        // Default tolerance (16ε): no correction when the direct solve is already within it, else corrections that lower ω.
        var x = f.Solve(b);
        double omega = ComponentwiseBackwardError(a, x, b);
        Assert.Equal(omega, f.LastBackwardError, 1e-3 * omega + 1e-300);
        if (omega0 <= LuFactorization<double>.DefaultRefinementTolerance)
        {
            Assert.Equal(0, f.LastRefinementSteps);
            Assert.Equal(x0, x);
        }
        else Assert.True(f.LastRefinementSteps >= 1 && omega < omega0, $"{name}: ω {omega0} → {omega} in {f.LastRefinementSteps} steps");
        Assert.True(BackwardError(a, x, b) <= 1e-14);
        // LAPACK's rule (tolerance ε): at least as many corrections and a backward error no larger.
        f.RefinementTolerance = 0;
        var xe = f.Solve(b);
        Assert.True(f.LastRefinementSteps >= (omega0 > IterativeRefinementEpsilon ? 1 : 0));
        Assert.True(ComponentwiseBackwardError(a, xe, b) <= omega * (1 + 1e-12));
        // A tolerance above the first ω: the direct solve as it is.
        f.RefinementTolerance = 2 * omega0;
        Assert.Equal(x0, f.Solve(b));
        Assert.Equal(0, f.LastRefinementSteps);
        Assert.Throws<ArgumentOutOfRangeException>(() => f.RefinementTolerance = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => f.RefinementTolerance = double.NaN);
    }

    private const double IterativeRefinementEpsilon = 2.220446049250313e-16;

    /// <summary>maxᵢ |b − A·x|ᵢ / (|A|·|x| + |b|)ᵢ (Oettli–Prager), computed here independently of the library.</summary>
    private static double ComponentwiseBackwardError(SparseTensor<double> a, double[] x, double[] b)
    {
        var rp = a.RowPointers; var ci = a.ColumnIndices; var v = a.GetValues();
        double w = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            double r = b[i], den = Math.Abs(b[i]);
            for (int q = rp[i]; q < rp[i + 1]; q++) { r -= v[q] * x[ci[q]]; den += Math.Abs(v[q] * x[ci[q]]); }
            if (den > 0) w = Math.Max(w, Math.Abs(r) / den);
        }
        return w;
    }

    private static void LargeFronts(double threshold)
    {
        // On a 12³ grid nested dissection gives fronts of 100–300 rows with more fully-summed columns than one 64-column panel.
        var a = DirectTestHelpers.DelayingMatrix(12);
        int n = a.Rows;
        using var f = a.Lu(CholeskyOrdering.NestedDissection, pivotThreshold: threshold, algorithm: LuAlgorithm.Multifrontal);
        Assert.True(f.DelayedPivots() > 0, "the test matrix should delay pivots");
        // ‖P·A·Q·v − L·(U·v)‖ for random v: the factors reproduce A (a product with random vectors, not a dense n×n check).
        var (lp, li, lx, up, ui, ux) = f.GetFactors();
        var p = f.RowPermutation(); var q = f.ColumnPermutation();
        var dense = a.ToDense().ToArray();
        for (int trial = 0; trial < 3; trial++)
        {
            var v = RandomVector(n, 20 + trial);
            var uv = new double[n]; var luv = new double[n];
            for (int j = 0; j < n; j++) for (int t = up[j]; t < up[j + 1]; t++) uv[ui[t]] += ux[t] * v[j];
            for (int j = 0; j < n; j++) for (int t = lp[j]; t < lp[j + 1]; t++) luv[li[t]] += lx[t] * uv[j];
            double err = 0, scale = 0;
            for (int i = 0; i < n; i++)
            {
                double s = 0;
                for (int j = 0; j < n; j++) s += dense[p[i] * n + q[j]] * v[j];
                err = Math.Max(err, Math.Abs(s - luv[i])); scale = Math.Max(scale, Math.Abs(s));
            }
            Assert.True(err <= 1e-12 * scale, $"‖PAQv − LUv‖∞ = {err}, ‖PAQv‖∞ = {scale}");
        }
        var b = RandomVector(n, 9);
        Assert.True(BackwardError(a, f.Solve(b), b) <= 1e-14);
        Assert.True(BackwardError(a.Transpose(), f.SolveTranspose(b), b) <= 1e-14);
        // Against the left-looking algorithm, which shares no numeric code with the multifrontal one.
        using var gp = a.Lu(CholeskyOrdering.ApproximateMinimumDegree, pivotThreshold: threshold, algorithm: LuAlgorithm.LeftLooking);
        Assert.Equal(gp.LogAbsDet(), f.LogAbsDet(), 1e-9 * Math.Abs(gp.LogAbsDet()));
        Assert.Equal(gp.Sign(), f.Sign());
        // Refactor with other values on the same pattern equals a fresh factorization.
        var w = a.GetValues();
        for (int i = 0; i < w.Length; i++) w[i] *= 1 + 0.2 * Math.Cos(i);
        f.Refactor(w);
        using var fresh = a.WithValues(w).Lu(CholeskyOrdering.NestedDissection, pivotThreshold: threshold, algorithm: LuAlgorithm.Multifrontal);
        var x1 = f.Solve(b); var x2 = fresh.Solve(b);
        for (int i = 0; i < n; i++) Assert.Equal(x2[i], x1[i], 1e-12 * (1 + Math.Abs(x2[i])));
    }
}
