using System.Numerics;
using System.Text.Json;
using TorchSla.IO;
using TorchSla.Solvers;
using Xunit;

namespace TorchSla.Tests.Solvers;

/// <summary>CG on the matrices torch-sla saved agrees with torch-sla's own solutions (its LU).</summary>
public class CgFixtureTests
{
    private static JsonElement Reference(string name) =>
        JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture(name + ".reference.json"))).RootElement;

    private static double[] Doubles(JsonElement a) => a.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static double RelativeError<T>(T[] x, double[] reference) where T : IFloatingPointIeee754<T>
    {
        double num = 0, den = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double d = double.CreateTruncating(x[i]) - reference[i];
            num += d * d; den += reference[i] * reference[i];
        }
        return Math.Sqrt(num / den);
    }

    [Fact]
    public void Float64MatchesTorchSlaTo1e10()
    {
        var a = SafeTensors.LoadSparse<double>(TestPaths.Fixture("poisson10x10_f64.safetensors"));
        var r = Reference("poisson10x10_f64");
        var b = Tensor<double>.FromArray(Doubles(r.GetProperty("b")));
        var result = a.Solve(b, new SolveOptions { RelativeTolerance = 1e-14 });
        Assert.True(result.Converged, result.ToString());
        double err = RelativeError(result.Solution.ToArray(), Doubles(r.GetProperty("x")));
        Assert.True(err <= 1e-10, $"relative error {err}");
    }

    [Fact]
    public void Float32MatchesTorchSlaTo1e4()
    {
        var a = SafeTensors.LoadSparse<float>(TestPaths.Fixture("poisson6x6_f32.safetensors"));
        var r = Reference("poisson6x6_f32");
        var b = Tensor<float>.FromArray(Doubles(r.GetProperty("b")).Select(v => (float)v).ToArray());
        var result = a.Solve(b, new SolveOptions { RelativeTolerance = 1e-6 });
        Assert.True(result.Converged, result.ToString());
        double err = RelativeError(result.Solution.ToArray(), Doubles(r.GetProperty("x")));
        Assert.True(err <= 1e-4, $"relative error {err}");
    }

    [Fact]
    public void BatchMatchesTorchSlaTo1e10()
    {
        var a = SafeTensors.LoadSparse<double>(TestPaths.Fixture("poisson5x5_batch3_f64.safetensors"));
        var r = Reference("poisson5x5_batch3_f64");
        var bRows = r.GetProperty("b").EnumerateArray().Select(Doubles).ToArray();
        var b = Tensor<double>.FromArray(bRows.SelectMany(v => v).ToArray(), bRows.Length, bRows[0].Length);
        var result = a.Solve(b, new SolveOptions { RelativeTolerance = 1e-14 });
        Assert.True(result.Converged, result.ToString());
        var x = result.Solution.ToArray();
        var xRows = r.GetProperty("x").EnumerateArray().Select(Doubles).ToArray();
        for (int k = 0; k < xRows.Length; k++)
        {
            double err = RelativeError(x.AsSpan(k * 25, 25).ToArray(), xRows[k]);
            Assert.True(err <= 1e-10, $"matrix {k}: relative error {err}");
        }
    }
}
