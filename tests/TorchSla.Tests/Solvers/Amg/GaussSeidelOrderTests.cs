using TorchSla.Kernels.Cpu;
using TorchSla.Solvers;
using TorchSla.Solvers.Krylov;
using TorchSla.Solvers.Preconditioners;
using Xunit;

namespace TorchSla.Tests.Solvers.Amg;

/// <summary>
/// The Gauss–Seidel smoother's domain-decomposition order (block interiors swept at the same time, then the separator rows):
/// each sweep must equal a sequential Gauss–Seidel sweep in that order, the backward sweep in the reverse order, and the
/// V-cycle must stay a symmetric preconditioner.
/// </summary>
public class GaussSeidelOrderTests
{
    private static double[] Random(int n, int seed)
    {
        var rng = new Random(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.NextDouble() - 0.5;
        return v;
    }

    /// <summary>x_i ← (b_i − Σ_{j≠i} a_ij·x_j)/a_ii for i in <paramref name="order"/>, one row at a time (the definition).</summary>
    private static void ReferenceSweep(SparseTensor<double> a, double[] x, double[] b, IEnumerable<int> order)
    {
        var rp = a.RowPointers; var ci = a.ColumnIndices; var v = a.GetValues();
        foreach (int i in order)
        {
            double sum = b[i], d = 0;
            for (int k = rp[i]; k < rp[i + 1]; k++)
                if (ci[k] == i) d = v[k]; else sum -= v[k] * x[ci[k]];
            x[i] = sum / d;
        }
    }

    private static double MaxRelativeDifference(double[] x, double[] y)
    {
        double diff = 0, scale = 0;
        for (int i = 0; i < x.Length; i++) { diff = Math.Max(diff, Math.Abs(x[i] - y[i])); scale = Math.Max(scale, Math.Abs(y[i])); }
        return diff / scale;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ForwardThenBackwardSweepsAreGaussSeidelInTheVisitOrderAndItsReverse(bool zeroGuess)
    {
        // 3D Poisson 32³: 32 768 rows, 223 232 entries, above the smoother's parallel threshold.
        using var a = SparseTensor.Poisson3D<double>(32);
        Assert.True(a.Nnz >= GaussSeidelSmoother<double>.ParallelMinNnz);
        int n = a.Rows;
        var smoother = new GaussSeidelSmoother<double>(a);
        if (CpuBackend.Threads > 1)
        {
            Assert.Equal(CpuBackend.Threads, smoother.Blocks);
            // Lexicographic 3D grid cut into slabs: the separators are the planes beside each cut (2·32² rows per cut).
            Assert.InRange(smoother.SeparatorRows, 1, 2 * 32 * 32 * (smoother.Blocks - 1));
        }
        var order = smoother.VisitOrder(n);
        Assert.Equal(Enumerable.Range(0, n), order.Order());
        var b = Random(n, 3);
        var x0 = zeroGuess ? Random(n, 5) : Random(n, 4); // with zeroGuess the content must be ignored
        var x = Tensor<double>.FromArray((double[])x0.Clone(), n);
        var bt = Tensor<double>.FromArray(b, n);
        var expected = zeroGuess ? new double[n] : (double[])x0.Clone();

        smoother.Smooth(a, x, bt, 1, zeroGuess, backward: false);
        ReferenceSweep(a, expected, b, order);
        Assert.True(MaxRelativeDifference(x.ToArray(), expected) < 1e-13, $"forward sweep differs by {MaxRelativeDifference(x.ToArray(), expected):E2}");

        smoother.Smooth(a, x, bt, 1, zeroGuess: false, backward: true);
        ReferenceSweep(a, expected, b, order.Reverse());
        Assert.True(MaxRelativeDifference(x.ToArray(), expected) < 1e-13, $"backward sweep differs by {MaxRelativeDifference(x.ToArray(), expected):E2}");

        var y = Tensor<double>.FromArray(Random(n, 6), n);
        var fromZero = new double[n];
        smoother.Smooth(a, y, bt, 1, zeroGuess: true, backward: true);
        ReferenceSweep(a, fromZero, b, order.Reverse());
        Assert.True(MaxRelativeDifference(y.ToArray(), fromZero) < 1e-13, "backward sweep from zero");
    }

    [Fact]
    public void TheVCycleWithTheBlockOrderIsASymmetricPreconditionerAndConverges()
    {
        using var a = SparseTensor.Poisson3D<double>(40);
        using var amg = new AmgPreconditioner<double>(a, new AmgOptions { Smoother = AmgSmoother.SymmetricGaussSeidel });
        int n = a.Rows;
        var u = Tensor<double>.FromArray(Random(n, 1), n);
        var v = Tensor<double>.FromArray(Random(n, 2), n);
        var mu = Tensor<double>.Zeros([n]); var mv = Tensor<double>.Zeros([n]);
        amg.Apply(u, mu);
        amg.Apply(v, mv);
        double uMv = Dot(u, mv), vMu = Dot(v, mu);
        Assert.True(Math.Abs(uMv - vMu) <= 1e-12 * Math.Sqrt(Dot(u, mu) * Dot(v, mv)), $"⟨u, Mv⟩ = {uMv}, ⟨v, Mu⟩ = {vMu}");
        Assert.True(Dot(u, mu) > 0 && Dot(v, mv) > 0, "the preconditioner must be positive definite");
        var b = Tensor<double>.FromArray(Random(n, 9), n);
        var r = Cg.Solve(a, b, options: new SolveOptions { RelativeTolerance = 1e-8, MaxIterations = 100 }, preconditioner: amg);
        Assert.Equal(ConvergenceReason.RelativeTolerance, r.Reason);
        Assert.True((b - a * r.Solution).Norm() / b.Norm() <= 1.01e-8);
        Assert.InRange(r.Iterations, 1, 15);
    }

    private static double Dot(Tensor<double> x, Tensor<double> y)
    {
        var a = x.ToArray(); var b = y.ToArray();
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
