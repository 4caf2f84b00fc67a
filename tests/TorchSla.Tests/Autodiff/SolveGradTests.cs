using System.Text.Json;
using MathNet.Numerics.LinearAlgebra;
using TorchSla.IO;
using TorchSla.Solvers;
using Xunit;

namespace TorchSla.Tests.Autodiff;

/// <summary>The adjoint rule of Solve: finite differences, batches, multi-RHS, and torch-sla's own gradients.</summary>
public class SolveGradTests
{
    private static readonly SolveOptions Tight = new() { RelativeTolerance = 1e-13 };

    /// <summary>A symmetric positive definite 9×9 matrix: the 3×3 Poisson matrix plus a symmetric perturbation.</summary>
    private static (int[] R, int[] C, double[] V) Spd()
    {
        var p = SparseTensor.Poisson2D<double>(3);
        var rp = p.RowPointers; var ci = p.ColumnIndices; var v = p.GetValues();
        var r = new int[ci.Length];
        for (int i = 0; i < 9; i++) for (int s = rp[i]; s < rp[i + 1]; s++) r[s] = i;
        var noise = GradCheck.Random(ci.Length, 21, 0, 0.2);
        for (int s = 0; s < v.Length; s++) v[s] += r[s] == ci[s] ? noise[s] : 0;
        return (r, ci, v);
    }

    [Fact]
    public void CgSolveMatchesFiniteDifferences()
    {
        var (r, c, v) = Spd();
        GradCheck.Check((p, l) =>
        {
            var half = SparseTensor.FromCoo<double>(p[0], r, c, [9, 9]);
            var b = Tensor<double>.FromArray(p[1]);
            if (l is not null) { l.Leaf(half); l.Leaf(b); }
            var a = half + half.Transpose(); // exactly symmetric whatever the perturbation
            return GradCheck.Weighted(a.Solve(b, Tight).EnsureConverged());
        }, [v, GradCheck.Random(9, 5)], h: 1e-5);
    }

    [Fact]
    public void BatchedSolvePerMatrixAndBroadcastB()
    {
        var (r, c, v) = Spd();
        var v3 = v.Concat(v.Select(x => x * 1.5)).Concat(v.Select(x => x * 0.7)).ToArray();
        GradCheck.Check((p, l) =>
        {
            var half = SparseTensor.FromCoo<double>(p[0], r, c, [3, 9, 9]);
            var b = Tensor<double>.FromArray(p[1], 3, 9);
            var b1 = Tensor<double>.FromArray(p[2]);
            if (l is not null) { l.Leaf(half); l.Leaf(b); l.Leaf(b1); }
            var a = half + half.Transpose();
            return GradCheck.Weighted(a.Solve(b, Tight).EnsureConverged()) + GradCheck.Weighted(a.Solve(b1, Tight).EnsureConverged(), 3);
        }, [v3, GradCheck.Random(27, 6), GradCheck.Random(9, 7)], h: 1e-5);
    }

    [Fact]
    public void SuppliedSolverWithMultipleRightHandSides()
    {
        // An unsymmetric A solved by a dense LU through the delegate form: the rule must use Aᵀ.
        int[] r = [0, 0, 1, 1, 2, 2, 2, 3, 3];
        int[] c = [0, 2, 1, 3, 0, 2, 3, 1, 3];
        double[] v = [4, 1, 3, -1, 0.5, 5, 2, 1, 6];
        GradCheck.Check((p, l) =>
        {
            var a = SparseTensor.FromCoo<double>(p[0], r, c, [4, 4]);
            var b = Tensor<double>.FromArray(p[1], 4, 2);
            if (l is not null) { l.Leaf(a); l.Leaf(b); }
            var dense = Matrix<double>.Build.DenseOfArray(a.ToDense().ToArray2D());
            var lu = dense.LU(); var luT = dense.Transpose().LU();
            Tensor<double> Apply(Tensor<double> rhs, bool transpose)
            {
                var m = Matrix<double>.Build.DenseOfArray(rhs.ToArray2D());
                var x = transpose ? luT.Solve(m) : lu.Solve(m);
                return Tensor<double>.FromArray(x.ToArray());
            }
            return GradCheck.Weighted(a.Solve(b, rhs => Apply(rhs, false), rhs => Apply(rhs, true)));
        }, [v, GradCheck.Random(8, 8)], h: 1e-6);
    }

    private static JsonElement Reference(string name) =>
        JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture(name + ".reference.json"))).RootElement;

    private static double[] Doubles(JsonElement a) => a.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static double RelErr(double[] x, double[] reference)
    {
        double num = 0, den = 0;
        for (int i = 0; i < x.Length; i++) { num += (x[i] - reference[i]) * (x[i] - reference[i]); den += reference[i] * reference[i]; }
        return Math.Sqrt(num / den);
    }

    [Fact]
    public void TorchSlaGradientsFloat64()
    {
        var a = SafeTensors.LoadSparse<double>(TestPaths.Fixture("poisson10x10_f64.safetensors")).RequireGrad();
        var r = Reference("poisson10x10_f64");
        var b = Tensor<double>.FromArray(Doubles(r.GetProperty("b"))).RequireGrad();
        var x = a.Solve(b, new SolveOptions { RelativeTolerance = 1e-13 }).EnsureConverged();
        var weights = Tensor<double>.FromArray(Enumerable.Range(1, x.Length).Select(i => (double)i).ToArray());
        TensorMath.Dot(x, weights).Backward();
        Assert.Equal(a.InputEntries, Doubles(r.GetProperty("grad_values")).Length);
        Assert.True(RelErr(a.Grad!.ToArray(), Doubles(r.GetProperty("grad_values"))) <= 1e-10);
        Assert.True(RelErr(b.Grad!.ToArray(), Doubles(r.GetProperty("grad_b"))) <= 1e-10);
    }

    [Fact]
    public void TorchSlaGradientsFloat32()
    {
        var a = SafeTensors.LoadSparse<float>(TestPaths.Fixture("poisson6x6_f32.safetensors")).RequireGrad();
        var r = Reference("poisson6x6_f32");
        var b = Tensor<float>.FromArray(Doubles(r.GetProperty("b")).Select(v => (float)v).ToArray()).RequireGrad();
        var x = a.Solve(b, new SolveOptions { RelativeTolerance = 1e-6 }).EnsureConverged();
        var weights = Tensor<float>.FromArray(Enumerable.Range(1, x.Length).Select(i => (float)i).ToArray());
        TensorMath.Dot(x, weights).Backward();
        Assert.True(RelErr(a.Grad!.ToArray().Select(v => (double)v).ToArray(), Doubles(r.GetProperty("grad_values"))) <= 1e-4);
        Assert.True(RelErr(b.Grad!.ToArray().Select(v => (double)v).ToArray(), Doubles(r.GetProperty("grad_b"))) <= 1e-4);
    }
}

/// <summary>The adjoint through the solve methods that main offers besides CG.</summary>
public class SolveMethodGradTests
{
    [Theory]
    [InlineData(SolveMethod.Lu)]
    [InlineData(SolveMethod.Gmres)]
    [InlineData(SolveMethod.Cholesky)]
    [InlineData(SolveMethod.Ldlt)]
    public void AdjointMatchesFiniteDifferences(SolveMethod method)
    {
        // Symmetric positive definite values (Cholesky) that stay SPD under the small perturbations; for LU/GMRES
        // the perturbations make A unsymmetric, which exercises the solve with Aᵀ.
        var p0 = SparseTensor.Poisson2D<double>(3);
        var rp = p0.RowPointers; var ci = p0.ColumnIndices; var v = p0.GetValues();
        var r = new int[ci.Length];
        for (int i = 0; i < 9; i++) for (int s = rp[i]; s < rp[i + 1]; s++) r[s] = i;
        var options = new SolveOptions { Method = method, RelativeTolerance = 1e-13 };
        GradCheck.Check((p, l) =>
        {
            var a = SparseTensor.FromCoo<double>(p[0], r, ci, [9, 9]);
            var b = Tensor<double>.FromArray(p[1]);
            if (l is not null) { l.Leaf(a); l.Leaf(b); }
            var m = method is SolveMethod.Cholesky or SolveMethod.Ldlt ? a + a.Transpose() : a;
            return GradCheck.Weighted(m.Solve(b, options).EnsureConverged());
        }, [v, GradCheck.Random(9, 5)], h: 1e-5);
    }
}
