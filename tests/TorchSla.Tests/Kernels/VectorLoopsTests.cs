using System.Numerics;
using TorchSla.Kernels.Cpu;
using Xunit;

namespace TorchSla.Tests.Kernels;

/// <summary>
/// The CPU backend's BLAS-1 SIMD loops (<see cref="VectorLoops"/>) against the scalar definitions, for every length from
/// 0 to 130 (each vector width's main loop, its tails, the four-accumulator dot's remainders) and a long one, in double
/// and float: the elementwise results bit for bit (no fused multiply-add), the dot within its rounding bound
/// (2(n + 1)·u·Σ|x_i·y_i|, Higham, "Accuracy and Stability of Numerical Algorithms", §3.1), and aliased operands.
/// </summary>
public class VectorLoopsTests
{
    private static IEnumerable<int> Lengths() => Enumerable.Range(0, 131).Append(10_007);

    private static T[] Values<T>(int n, int seed) where T : IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        var v = new T[n];
        for (int i = 0; i < n; i++) v[i] = T.CreateTruncating(rng.NextDouble() * 4 - 2);
        return v;
    }

    [Fact] public void DoubleLoopsMatchTheDefinitions() => Check<double>();

    [Fact] public void FloatLoopsMatchTheDefinitions() => Check<float>();

    private static void Check<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        T a = T.CreateTruncating(-0.75), b = T.CreateTruncating(1.25);
        foreach (int n in Lengths())
        {
            var x = Values<T>(n, n + 1);
            var y = Values<T>(n, n + 1000);
            double exact = 0, magnitude = 0;
            for (int i = 0; i < n; i++) { double p = double.CreateTruncating(x[i]) * double.CreateTruncating(y[i]); exact += p; magnitude += Math.Abs(p); }
            double dot = double.CreateTruncating(VectorLoops.Dot<T>(x, y));
            // Unit roundoff u of T; the reference is summed in double (exact products for float, its own n·u for double).
            double u = double.CreateTruncating(T.One - T.BitDecrement(T.One));
            Assert.True(Math.Abs(dot - exact) <= 2 * (n + 1) * u * magnitude, $"n = {n}: dot {dot}, exact {exact}");

            foreach (var beta in new[] { T.Zero, T.One, b })
            {
                var z = (T[])y.Clone();
                VectorLoops.Axpby<T>(x, a, beta, z);
                for (int i = 0; i < n; i++)
                {
                    T expected = beta == T.Zero ? a * x[i] : beta == T.One ? a * x[i] + y[i] : a * x[i] + beta * y[i];
                    Assert.Equal(expected, z[i]);
                }
            }
            // In place (x is y): y ← a·y, as Map(Identity) calls it.
            var w = (T[])x.Clone();
            VectorLoops.Axpby<T>(w, a, T.Zero, w);
            for (int i = 0; i < n; i++) Assert.Equal(a * x[i], w[i]);

            var m = new T[n];
            VectorLoops.Multiply<T>(x, y, m);
            for (int i = 0; i < n; i++) Assert.Equal(x[i] * y[i], m[i]);
            var inPlace = (T[])y.Clone();
            VectorLoops.Multiply<T>(x, inPlace, inPlace);
            Assert.Equal(m, inPlace);
        }
        // b = 0 does not read y: NaN there does not propagate.
        var nan = new T[40]; Array.Fill(nan, T.NaN);
        VectorLoops.Axpby<T>(Values<T>(40, 7), a, T.Zero, nan);
        Assert.DoesNotContain(nan, T.IsNaN);
        Assert.Throws<ArgumentException>(() => VectorLoops.Dot<T>(new T[3], new T[4]));
    }
}
