using TorchSla;
using TorchSla.IO;
using TorchSla.Solvers;
using TorchSla.Solvers.Direct;
using Xunit;

namespace TorchSla.Tests.Solvers.Direct;

public class DirectSolveApiTests
{
    [Theory]
    [InlineData(SolveMethod.Cholesky)]
    [InlineData(SolveMethod.Ldlt)]
    [InlineData(SolveMethod.Lu)]
    public void SolveWithADirectMethodReportsTheFactor(SolveMethod method)
    {
        var p = SparseTensor.Poisson2D<double>(30);
        var b = Tensor<double>.Random([p.Rows], 3);
        var r = p.Solve(b, new SolveOptions { Method = method, Ordering = CholeskyOrdering.NestedDissection });
        Assert.True(r.Converged);
        Assert.Equal(ConvergenceReason.Factorized, r.Reason);
        Assert.Equal(method, r.MethodUsed);
        Assert.NotNull(r.Direct);
        Assert.True(r.Direct!.NnzFactor >= p.Rows);
        var res = (p * r.Solution) - b;
        Assert.True(res.Norm() < 1e-12 * b.Norm());
        Assert.True(r.FinalRelativeResidual < 1e-12);
    }

    [Fact]
    public void BatchedDirectSolveBroadcastsB()
    {
        var p = SparseTensor.Poisson2D<double>(6);
        var v = p.GetValues();
        var both = new double[2 * v.Length];
        v.CopyTo(both, 0);
        for (int i = 0; i < v.Length; i++) both[v.Length + i] = 2 * v[i];
        var batch = SparseTensor.FromCsr<double>(p.RowPointers, p.ColumnIndices, both, [2, p.Rows, p.Cols]);
        var b = Tensor<double>.Random([p.Rows], 1);
        var x = batch.Solve(b, new SolveOptions { Method = SolveMethod.Cholesky }).Solution.ToArray();
        for (int i = 0; i < p.Rows; i++) Assert.Equal(x[i] / 2, x[p.Rows + i], 1e-12);
    }

    [Fact]
    public void MethodNamesParse()
    {
        Assert.Equal(SolveMethod.Cholesky, SolveMethods.Parse("cholesky"));
        Assert.Equal(SolveMethod.Ldlt, SolveMethods.Parse("LDLT"));
        Assert.Equal(SolveMethod.Lu, SolveMethods.Parse("lu"));
        Assert.Equal("factorized", ConvergenceReason.Factorized.Name());
    }

    [Theory]
    [InlineData("poisson10x10_f64", 1e-10)]
    [InlineData("poisson5x5_batch3_f64", 1e-10)]
    public void TorchSlaFixtureSolutionsAreReproduced(string name, double tol)
    {
        var a = SafeTensors.LoadSparse<double>(TestPaths.Fixture(name + ".safetensors"));
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture(name + ".reference.json")));
        static double[] Flat(System.Text.Json.JsonElement e) => e.ValueKind == System.Text.Json.JsonValueKind.Array && e.GetArrayLength() > 0 && e[0].ValueKind == System.Text.Json.JsonValueKind.Array
            ? e.EnumerateArray().SelectMany(Flat).ToArray() : e.EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var b = Flat(doc.RootElement.GetProperty("b"));
        var xRef = Flat(doc.RootElement.GetProperty("x"));
        foreach (var method in new[] { SolveMethod.Cholesky, SolveMethod.Ldlt, SolveMethod.Lu })
        {
            var bt = Tensor<double>.FromArray(b, a.IsBatched ? [a.BatchSize, a.Rows] : [a.Rows]);
            var x = a.Solve(bt, new SolveOptions { Method = method }).Solution.ToArray();
            double err = 0, norm = 0;
            for (int i = 0; i < x.Length; i++) { err = Math.Max(err, Math.Abs(x[i] - xRef[i])); norm = Math.Max(norm, Math.Abs(xRef[i])); }
            Assert.True(err <= tol * norm, $"{name} {method}: max error {err}");
        }
    }
}
