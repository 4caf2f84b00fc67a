using TorchSla.Autodiff;
using Xunit;

namespace TorchSla.Tests.Autodiff;

/// <summary>
/// Finite-difference gradient checker: builds a scalar loss from parameter arrays, takes the
/// gradient by <c>Backward()</c>, and compares it with central differences in float64,
/// (L(p + h·e_j) − L(p − h·e_j)) / 2h for every parameter element j; the norm-wise relative
/// error must be ≤ 1e-6. Parameters enter the loss through <see cref="Leaves"/>, which marks the
/// tensors built from them as leaves and reads their gradients (a sparse tensor's gradient per
/// entry the caller gave).
/// </summary>
public static class GradCheck
{
    /// <summary>Registers the leaves of one evaluation (null while taking finite differences).</summary>
    public sealed class Leaves
    {
        internal readonly List<Func<double[]>> Grads = [];

        public Tensor<double> Leaf(Tensor<double> t)
        {
            t.RequiresGrad = true;
            Grads.Add(() => t.Grad?.ToArray() ?? new double[t.Length]);
            return t;
        }

        public SparseTensor<double> Leaf(SparseTensor<double> a)
        {
            a.RequiresGrad = true;
            Grads.Add(() => a.Grad?.ToArray() ?? new double[a.InputEntries * a.BatchSize]);
            return a;
        }
    }

    /// <summary>Checks the gradient of <paramref name="loss"/> with respect to every parameter array.</summary>
    /// <param name="loss">Builds L from the parameters; call <c>leaves?.Leaf(…)</c> on the tensor built from each parameter, in order.</param>
    /// <param name="parameters">The point at which to differentiate (not modified).</param>
    /// <param name="h">Step of the central differences.</param>
    /// <param name="tolerance">Largest accepted ‖g − g_fd‖ / ‖g_fd‖ per parameter.</param>
    public static void Check(Func<double[][], Leaves?, Tensor<double>> loss, double[][] parameters, double h = 1e-6, double tolerance = 1e-6)
    {
        var leaves = new Leaves();
        var l = loss(Copy(parameters), leaves);
        Assert.Equal(parameters.Length, leaves.Grads.Count);
        l.Backward();
        var analytic = leaves.Grads.Select(g => g()).ToArray();
        using (GradMode.NoGrad())
        {
            for (int p = 0; p < parameters.Length; p++)
            {
                Assert.Equal(parameters[p].Length, analytic[p].Length);
                var fd = new double[parameters[p].Length];
                for (int j = 0; j < fd.Length; j++)
                {
                    var plus = Copy(parameters); plus[p][j] += h;
                    var minus = Copy(parameters); minus[p][j] -= h;
                    fd[j] = (loss(plus, null).ToScalar() - loss(minus, null).ToScalar()) / (2 * h);
                }
                double num = 0, den = 0;
                for (int j = 0; j < fd.Length; j++) { num += Sq(analytic[p][j] - fd[j]); den += Sq(fd[j]); }
                double rel = Math.Sqrt(num) / Math.Max(Math.Sqrt(den), 1e-300);
                if (den == 0) rel = Math.Sqrt(num);
                Assert.True(rel <= tolerance, $"parameter {p}: relative error {rel:g3} of the gradient (‖g_fd‖ = {Math.Sqrt(den):g3}); analytic [{string.Join(", ", analytic[p].Take(6).Select(v => v.ToString("g6")))}…], fd [{string.Join(", ", fd.Take(6).Select(v => v.ToString("g6")))}…]");
            }
        }
    }

    private static double Sq(double v) => v * v;

    private static double[][] Copy(double[][] p) => p.Select(a => (double[])a.Clone()).ToArray();

    /// <summary>Reproducible values in [lo, hi).</summary>
    public static double[] Random(int n, int seed, double lo = -1, double hi = 1)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => lo + (hi - lo) * rng.NextDouble()).ToArray();
    }

    /// <summary>L = Σ w ∘ y with fixed pseudo-random weights, so that every output element matters differently.</summary>
    public static Tensor<double> Weighted(Tensor<double> y, int seed = 99) =>
        TensorMath.Dot(y, Tensor<double>.FromArray(Random(y.Length, seed), y.Shape));
}
