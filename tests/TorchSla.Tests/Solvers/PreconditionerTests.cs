using System.Numerics;
using TorchSla.Solvers;
using TorchSla.Solvers.Preconditioners;
using Xunit;

namespace TorchSla.Tests.Solvers;

public class PreconditionerTests
{
    /// <summary>The tridiagonal SPD matrix tridiag(−1, 4, −1): ILU(0) and IC(0) have no fill to drop, so they are exact.</summary>
    private static SparseTensor<double> Tridiagonal(int n, double off = -1, double diag = 4, double upper = -1)
    {
        var r = new List<int>(); var c = new List<int>(); var v = new List<double>();
        for (int i = 0; i < n; i++)
        {
            if (i > 0) { r.Add(i); c.Add(i - 1); v.Add(off); }
            r.Add(i); c.Add(i); v.Add(diag + 0.1 * i);
            if (i < n - 1) { r.Add(i); c.Add(i + 1); v.Add(upper); }
        }
        return SparseTensor.FromCoo<double>(v.ToArray(), r.ToArray(), c.ToArray(), [n, n]);
    }

    private static double[] Apply(ILinearOperator<double> op, double[] x)
    {
        var y = Tensor<double>.Zeros([op.Rows]);
        op.Apply(Tensor<double>.FromArray(x), y);
        return y.ToArray();
    }

    [Theory]
    [InlineData("ilu0")]
    [InlineData("ic0")]
    [InlineData("block-jacobi-large")]
    public void ExactOnMatricesWithoutFill(string name)
    {
        // tridiagonal (unsymmetric for ILU(0)): M⁻¹·(A·x) = x.
        int n = 13;
        var a = name == "ilu0" ? Tridiagonal(n, -1.5, 4, -0.5) : Tridiagonal(n);
        IPreconditioner<double> m = name == "block-jacobi-large" ? new BlockJacobiPreconditioner<double>(a, 64) : PreconditionerRegistry.Get(name).Setup(a);
        var x = Tensor<double>.Random([n], 3).ToArray();
        var back = Apply(m, Apply(a, x));
        for (int i = 0; i < n; i++) Assert.Equal(x[i], back[i], 1e-12);
        if (m is Ic0Preconditioner<double> ic) Assert.Equal(0, ic.Shift);
    }

    [Fact]
    public void JacobiDividesByTheDiagonal()
    {
        var a = SparseTensor.FromCoo<double>([2.0, 1.0, -4.0, 0.5], [0, 0, 1, 2], [0, 1, 1, 2], [3, 3]);
        var z = Apply(PreconditionerRegistry.Get("jacobi").Setup(a), [1.0, 2.0, 3.0]);
        Assert.Equal(new[] { 0.5, -0.5, 6.0 }, z);
    }

    [Fact]
    public void BlockJacobiInvertsEachDiagonalBlock()
    {
        // 4×4 with blocks of 2: [[4,1],[2,3]] and [[5,0],[1,2]], coupling entries outside the blocks ignored.
        var a = SparseTensor.FromDense(new double[,] { { 4, 1, 9, 0 }, { 2, 3, 0, 9 }, { 9, 0, 5, 0 }, { 0, 9, 1, 2 } });
        var m = new BlockJacobiPreconditioner<double>(a, 2);
        var z = Apply(m, [1.0, 1.0, 1.0, 1.0]);
        // [[4,1],[2,3]]⁻¹·[1,1] = [0.2, 0.2]; [[5,0],[1,2]]⁻¹·[1,1] = [0.2, 0.4].
        Assert.Equal(0.2, z[0], 1e-14); Assert.Equal(0.2, z[1], 1e-14);
        Assert.Equal(0.2, z[2], 1e-14); Assert.Equal(0.4, z[3], 1e-14);
    }

    [Fact]
    public void Ilu0OnTheLaplacianIsAnApproximateInverse()
    {
        // On the 2D Laplacian ILU(0) drops fill, so A·M⁻¹ ≠ I, but it is close on smooth vectors:
        // 0 < ‖A·M⁻¹·r − r‖/‖r‖ < 0.5.
        var a = SparseTensor.Poisson2D<double>(10);
        var m = PreconditionerRegistry.Get("ilu0").Setup(a);
        var r = Enumerable.Range(0, 100).Select(i => Math.Sin(0.3 * i)).ToArray();
        var amr = Apply(a, Apply(m, r));
        double num = 0, den = 0;
        for (int i = 0; i < 100; i++) { num += (amr[i] - r[i]) * (amr[i] - r[i]); den += r[i] * r[i]; }
        Assert.InRange(Math.Sqrt(num / den), 1e-6, 0.5);
    }

    [Fact]
    public void Ic0ShiftsWhenThePlainFactorizationBreaksDown()
    {
        // A symmetric matrix with positive diagonal but not positive definite enough for IC(0):
        // [[1, 2], [2, 1]] has l_11 = 1, l_21 = 2, l_22² = 1 − 4 < 0, so a shift is needed.
        var a = SparseTensor.FromDense(new double[,] { { 1, 2 }, { 2, 1 } });
        var m = new Ic0Preconditioner<double>(a);
        Assert.True(m.Shift > 0);
        var z = Apply(m, [1.0, 1.0]);
        Assert.All(z, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void ChebyshevPolynomialReducesTheErrorOnItsInterval()
    {
        // With z = q(A)·r, the residual polynomial 1 − λq(λ) is below 1 in modulus on the spectrum:
        // ‖r − A·z‖ < ‖r‖, and M⁻¹ is symmetric: uᵀ(M⁻¹v) = vᵀ(M⁻¹u).
        var a = SparseTensor.Poisson2D<double>(12);
        var m = new ChebyshevPreconditioner<double>(a, degree: 5);
        Assert.True(m.LowerBound > 0 && m.UpperBound <= 8 * 1.1 + 1e-9 && m.UpperBound >= 7.5, $"[{m.LowerBound}, {m.UpperBound}]");
        var r = Tensor<double>.Random([144], 2).ToArray();
        var az = Apply(a, Apply(m, r));
        Assert.True(Norm(az.Zip(r, (p, q) => p - q).ToArray()) < Norm(r));
        var u = Tensor<double>.Random([144], 3).ToArray();
        var mu = Apply(m, u); var mr = Apply(m, r);
        Assert.Equal(Dot(u, mr), Dot(r, mu), 1e-10);
        Assert.True(Dot(r, mr) > 0);
        m.Dispose();
    }

    private static double Norm(double[] x) => Math.Sqrt(Dot(x, x));
    private static double Dot(double[] x, double[] y) { double s = 0; for (int i = 0; i < x.Length; i++) s += x[i] * y[i]; return s; }

    [Fact]
    public void BadMatricesAreRefusedWithTheRowNamed()
    {
        var zeroDiag = SparseTensor.FromDense(new double[,] { { 1, 2 }, { 3, 0 } });
        Assert.Contains("a[1,1]", Assert.Throws<ArgumentException>(() => new JacobiPreconditioner<double>(zeroDiag)).Message);
        Assert.Contains("u[1,1]", Assert.Throws<ArgumentException>(() => new Ilu0Preconditioner<double>(
            SparseTensor.FromCoo<double>([1.0, 2.0, 2.0, 4.0], [0, 0, 1, 1], [0, 1, 0, 1], [2, 2]))).Message);
        Assert.Contains("a[1,1]", Assert.Throws<ArgumentException>(() => new Ic0Preconditioner<double>(
            SparseTensor.FromDense(new double[,] { { 1, 0 }, { 0, -1 } }))).Message);
        Assert.Contains("rows 0..1", Assert.Throws<ArgumentException>(() => new BlockJacobiPreconditioner<double>(
            SparseTensor.FromDense(new double[,] { { 1, 1 }, { 1, 1 } }), 2)).Message);
        Assert.Throws<ArgumentException>(() => new ChebyshevPreconditioner<double>(SparseTensor.FromDense(new double[,] { { 1, 0 }, { 0, -1 } })));
        var rect = SparseTensor.FromDense(new double[,] { { 1, 0, 0 }, { 0, 1, 0 } });
        Assert.Throws<ShapeMismatchException>(() => new JacobiPreconditioner<double>(rect));
        var m = new JacobiPreconditioner<double>(SparseTensor.Poisson2D<double>(3));
        Assert.Throws<ShapeMismatchException>(() => m.Apply(Tensor<double>.Ones([8]), Tensor<double>.Zeros([9])));
    }

    [Fact]
    public void PreconditionersWorkInFloat32()
    {
        var a = SparseTensor.Poisson2D<float>(6);
        var r = Tensor<float>.Random([36], 1);
        foreach (var name in new[] { "none", "jacobi", "block-jacobi", "ilu0", "ic0", "chebyshev" })
        {
            var m = PreconditionerRegistry.Get(name).Setup(a);
            var z = Tensor<float>.Zeros([36]);
            m.Apply(r, z);
            Assert.True(z.IsFinite());
            Assert.True(z.Dot(r) > 0, name); // all of them are positive definite on the SPD Laplacian
        }
    }

    /// <summary>A user preconditioner registered by name: M = 2·diag(A), to check the extension point end to end.</summary>
    private sealed class ScaledJacobiFactory : IPreconditionerFactory
    {
        public string Name => "test-scaled-jacobi";
        public string Description => "2·diag(A), for tests";
        public IPreconditioner<T> Setup<T>(SparseTensor<T> a, int batchIndex = 0) where T : unmanaged, IFloatingPointIeee754<T> =>
            new Scaled<T>(new JacobiPreconditioner<T>(a, batchIndex));

        private sealed class Scaled<T>(JacobiPreconditioner<T> inner) : PreconditionerBase<T>("test-scaled-jacobi", inner.Rows, inner.Device)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            protected override void ApplyCore(Tensor<T> r, Tensor<T> z)
            {
                inner.Apply(r, z);
                z.ScaleInPlace(T.CreateTruncating(0.5));
            }
        }
    }

    [Fact]
    public void RegisteredFactoryIsSelectableByName()
    {
        PreconditionerRegistry.Register(new ScaledJacobiFactory());
        Assert.Contains("test-scaled-jacobi", PreconditionerRegistry.Names);
        var a = SparseTensor.Poisson2D<double>(8);
        var b = Tensor<double>.Random([64], 4);
        var r = a.Solve(b, new SolveOptions { Method = SolveMethod.CG, Preconditioner = "Test-Scaled-Jacobi" });
        Assert.True(r.Converged);
        Assert.Equal("test-scaled-jacobi", r.Preconditioner);
        Assert.True(KrylovSolverTests.Relres(a, r.Solution.ToArray(), b.ToArray()) <= 1e-8);
        var e = Assert.Throws<ArgumentException>(() => PreconditionerRegistry.Get("nope"));
        Assert.Contains("jacobi", e.Message);
    }
}
