using System.Text.Json;
using TorchSla.Cli;
using TorchSla.Solvers;
using Xunit;

namespace TorchSla.Tests.Cli;

public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter(); var e = new StringWriter();
        int code = CliApp.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void SolveJsonHasTheContractAndTheTrueResidual()
    {
        var (code, stdout, stderr) = Run("solve", "poisson2d:12", "--json", "--rhs", "random", "--seed", "3", "--rtol", "1e-9");
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        using var doc = JsonDocument.Parse(stdout);
        var j = doc.RootElement;
        Assert.Equal(144, j.GetProperty("n").GetInt32());
        Assert.Equal(5 * 144 - 4 * 12, j.GetProperty("nnz").GetInt32());
        Assert.Equal("cpu", j.GetProperty("device").GetString());
        Assert.Equal("float64", j.GetProperty("dtype").GetString());
        Assert.Equal("cg", j.GetProperty("method").GetString());
        Assert.Equal("jacobi", j.GetProperty("preconditioner").GetString());
        Assert.True(j.GetProperty("converged").GetBoolean());
        int iterations = j.GetProperty("iterations").GetInt32();
        var seconds = j.GetProperty("seconds");
        foreach (var key in new[] { "setup", "solve", "total" }) Assert.True(seconds.GetProperty(key).GetDouble() >= 0);
        double relres = j.GetProperty("relres").GetDouble();

        // The same solve through the library (CG is deterministic), residual by plain dense loops.
        var a = SparseTensor.Poisson2D<double>(12);
        var b = Tensor<double>.Random([144], 3);
        var r = a.Solve(b, new SolveOptions { RelativeTolerance = 1e-9 });
        Assert.Equal(r.Iterations, iterations);
        var dense = a.ToDense().ToArray2D(); var x = r.Solution.ToArray(); var bh = b.ToArray();
        double rr = 0, bb = 0;
        for (int i = 0; i < 144; i++)
        {
            double ax = 0; for (int k = 0; k < 144; k++) ax += dense[i, k] * x[k];
            rr += (bh[i] - ax) * (bh[i] - ax); bb += bh[i] * bh[i];
        }
        Assert.Equal(Math.Sqrt(rr / bb), relres, 1e-14);
        Assert.True(relres <= 1e-9);
    }

    [Fact]
    public void SolveSummaryIsReadableAndSaysWhatRan()
    {
        var (code, stdout, _) = Run("solve", "poisson3d:6", "--dtype", "float32");
        Assert.Equal(0, code);
        Assert.Contains("float32", stdout);
        Assert.Contains("converged", stdout);
        Assert.Contains("method    cg, preconditioner jacobi", stdout);
    }

    [Fact]
    public void NonConvergenceExitsWith3AndStillReports()
    {
        var (code, stdout, _) = Run("solve", "poisson2d:20", "--maxiter", "1", "--json");
        Assert.Equal(3, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.False(doc.RootElement.GetProperty("converged").GetBoolean());
        Assert.Equal(1, doc.RootElement.GetProperty("iterations").GetInt32());
        Assert.True(doc.RootElement.GetProperty("relres").GetDouble() > 1e-3);
    }

    [Theory]
    [InlineData("solve", "no/such/matrix.mtx")]
    [InlineData("solve", "poisson2d:8", "--bogus")]
    [InlineData("solve", "poisson2d:8", "--rtol", "1e-x")]
    [InlineData("solve", "poisson2d:8", "--maxiter", "ten")]
    [InlineData("solve", "poisson2d:8", "--rtol")]
    [InlineData("solve", "poisson2d:abc")]
    [InlineData("solve", "poisson2d:8", "--method", "qmr")]
    [InlineData("solve", "poisson2d:8", "--precond", "bogus")]
    [InlineData("solve", "poisson2d:8", "--restart", "0")]
    [InlineData("solve", "poisson2d:8", "--dtype", "float16")]
    [InlineData("solve", "poisson2d:8", "--rhs", "missing.mtx")]
    [InlineData("solve")]
    [InlineData("info", "no/such/file.mtx")]
    [InlineData("frobnicate")]
    [InlineData()]
    public void BadInputExitsWith2AndOneLineOnStderr(params string[] args)
    {
        var (code, stdout, stderr) = Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("torchsla: ", lines[0]);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        var (_, _, stderr) = Run("solve", "no/such/matrix.mtx");
        Assert.Contains("no/such/matrix.mtx", stderr);
    }

    [Fact]
    public void CudaWithoutGpuBackendIsBadInput()
    {
        if (Backends.Available().Any(b => b.Device.Kind == DeviceKind.Cuda)) return; // a GPU backend is registered here
        var (code, _, stderr) = Run("solve", "poisson2d:4", "--device", "cuda");
        Assert.Equal(2, code);
        Assert.StartsWith("torchsla: no CUDA device", stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void InfoReportsShapeSymmetryAndDefiniteness()
    {
        var (code, stdout, _) = Run("info", "poisson2d:7", "--json");
        Assert.Equal(0, code);
        var j = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(49, j.GetProperty("rows").GetInt32());
        Assert.Equal(5 * 49 - 4 * 7, j.GetProperty("nnz").GetInt32());
        Assert.True(j.GetProperty("symmetric").GetBoolean());
        Assert.True(j.GetProperty("positive_definite").GetBoolean());
        Assert.StartsWith("positive definite", j.GetProperty("definiteness").GetString());
        Assert.Equal("spd", j.GetProperty("matrix_type").GetString());
        var (code2, text, _) = Run("info", "poisson3d:3");
        Assert.Equal(0, code2);
        Assert.Contains("[27, 27]", text);
    }

    [Fact]
    public void BackendsListsTheCpuWithItsMethods()
    {
        var (code, stdout, _) = Run("backends", "--json");
        Assert.Equal(0, code);
        var list = JsonDocument.Parse(stdout).RootElement.GetProperty("backends").EnumerateArray().ToList();
        var cpu = Assert.Single(list, b => b.GetProperty("device").GetString() == "cpu");
        Assert.Contains("cg", cpu.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        var (code2, text, _) = Run("backends");
        Assert.Equal(0, code2);
        Assert.Contains("cpu", text);
        Assert.Contains(Environment.ProcessorCount + " threads", text);
    }

    [Fact]
    public void ProgressGoesToStderr()
    {
        var (code, stdout, stderr) = Run("solve", "poisson2d:10", "--progress");
        Assert.Equal(0, code);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains("iter       0") && l.Contains("1.000e+00"));
        Assert.Contains(lines, l => l.Contains("iter       5"));
        Assert.DoesNotContain("  iter ", stdout);
    }

    [Fact]
    public void HelpAndVersionExitZero()
    {
        var (c1, help, _) = Run("--help");
        Assert.Equal(0, c1);
        Assert.Contains("torchsla solve MATRIX", help);
        var (c2, version, _) = Run("--version");
        Assert.Equal(0, c2);
        Assert.StartsWith("torchsla " + Backends.LibraryVersion, version);
    }
}

public class CliFileTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter(); var e = new StringWriter();
        int code = CliApp.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void SolvesAMatrixMarketFileWithAFileRightHandSide()
    {
        var a = TorchSla.IO.MatrixMarket.Read<double>(TestPaths.Matrix("494_bus.mtx"));
        var b = Tensor<double>.Random([a.Rows], 12);
        var rhs = Path.Combine(Path.GetTempPath(), $"torchsla-rhs-{Guid.NewGuid():N}.mtx");
        try
        {
            TorchSla.IO.MatrixMarket.WriteDense(rhs, b);
            var (code, stdout, stderr) = Run("solve", TestPaths.Matrix("494_bus.mtx"), "--rhs", rhs, "--json");
            Assert.True(code == 0, stderr);
            var j = JsonDocument.Parse(stdout).RootElement;
            Assert.Equal(494, j.GetProperty("n").GetInt32());
            Assert.True(j.GetProperty("relres").GetDouble() <= 1e-8);
        }
        finally { File.Delete(rhs); }
    }

    [Fact]
    public void LdltSolvesTheIndefiniteKktMatrix()
    {
        // hangGlider_2 has 733 negative eigenvalues and zero diagonal blocks: LDLᵀ needs its 2×2 and delayed pivots.
        var (code, stdout, stderr) = Run("solve", TestPaths.Matrix("hangGlider_2.mtx"), "--method", "ldlt", "--json");
        Assert.True(code == 0, stderr);
        // hangGlider_2 is ill-conditioned: with b = 1 a backward-stable solve leaves ‖b − Ax‖/‖b‖ ≈ 1e-9 (LU gives
        // 1.3e-9 too); the componentwise backward error (≈ 1e-16) is checked in LdltFactorizationTests.
        Assert.True(JsonDocument.Parse(stdout).RootElement.GetProperty("relres").GetDouble() <= 1e-7);
    }

    [Fact]
    public void NaNInAFileIsBadInput()
    {
        var (code, _, stderr) = Run("solve", TestPaths.Matrix("comments_west0067.mtx"));
        Assert.Equal(2, code);
        Assert.Contains("NaN", stderr);
    }

    [Fact]
    public void MalformedFileIsBadInputNamingTheLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"torchsla-bad-{Guid.NewGuid():N}.mtx");
        try
        {
            File.WriteAllText(path, "%%MatrixMarket matrix coordinate real general\n3 3 2\n1 1 x\n");
            var (code, _, stderr) = Run("solve", path);
            Assert.Equal(2, code);
            Assert.Contains("line 3", stderr);
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void NonsymmetricMatrixWithAutoRunsLuAndGmresReportsItsOutcome()
    {
        // A small nonsymmetric matrix on the CPU: auto takes the sparse LU (AutoSolverChoice.LuMaxRows), which solves west0479.
        var (code0, stdout0, _) = Run("solve", TestPaths.Matrix("west0479.mtx"), "--json");
        var j0 = JsonDocument.Parse(stdout0).RootElement;
        Assert.Equal("lu", j0.GetProperty("method").GetString());
        Assert.True(j0.GetProperty("converged").GetBoolean());
        Assert.Equal(0, code0);
        // west0479 stores no a[0,0], so GMRES's automatic ILU(0) cannot be formed and GMRES runs unpreconditioned,
        // which does not converge on it: exit code 3 with the outcome in the JSON.
        var (code, stdout, _) = Run("solve", TestPaths.Matrix("west0479.mtx"), "--json", "--method", "gmres", "--maxiter", "200");
        var j = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("gmres", j.GetProperty("method").GetString());
        Assert.Equal("none", j.GetProperty("preconditioner").GetString());
        Assert.False(j.GetProperty("converged").GetBoolean());
        Assert.Equal(3, code);
        var (code2, stdout2, _) = Run("solve", TestPaths.Matrix("olm1000.mtx"), "--json", "--method", "gmres");
        Assert.Equal(0, code2);
        Assert.Equal("ilu0", JsonDocument.Parse(stdout2).RootElement.GetProperty("preconditioner").GetString());
    }

    [Theory]
    [InlineData("bicgstab", "ilu0")]
    [InlineData("gmres", "jacobi")]
    [InlineData("fgmres", "chebyshev")]
    [InlineData("minres", "ic0")]
    [InlineData("cg", "block-jacobi")]
    public void MethodAndPreconditionerAreReportedInJson(string method, string precond)
    {
        var (code, stdout, _) = Run("solve", "poisson2d:10", "--json", "--method", method, "--precond", precond, "--restart", "7");
        Assert.Equal(0, code);
        var j = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(method, j.GetProperty("method").GetString());
        Assert.Equal(precond, j.GetProperty("preconditioner").GetString());
        Assert.True(j.GetProperty("relres").GetDouble() <= 1e-8);
    }

    [Theory]
    [InlineData("cg", "amg")]
    [InlineData("fgmres", "amg")]
    [InlineData("amg", "auto")]
    public void AmgJsonReportsTheHierarchyAndItsSetup(string method, string precond)
    {
        var (code, stdout, _) = Run("solve", "poisson2d:40", "--json", "--method", method, "--precond", precond);
        Assert.Equal(0, code);
        var j = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(method, j.GetProperty("method").GetString());
        Assert.Equal("amg", j.GetProperty("preconditioner").GetString());
        Assert.True(j.GetProperty("relres").GetDouble() <= 1e-8);
        // The same hierarchy built directly: 1600 rows coarsen below the 1000-row coarse size in one step.
        using var a = SparseTensor.Poisson2D<double>(40);
        using var amg = new TorchSla.Solvers.Preconditioners.AmgPreconditioner<double>(a);
        Assert.Equal(amg.Statistics.Levels, j.GetProperty("levels").GetInt32());
        Assert.True(amg.Statistics.Levels >= 2);
        Assert.Equal(amg.Statistics.OperatorComplexity, j.GetProperty("operator_complexity").GetDouble(), 5);
        Assert.Equal(amg.Statistics.GridComplexity, j.GetProperty("grid_complexity").GetDouble(), 5);
        var seconds = j.GetProperty("seconds");
        Assert.True(seconds.GetProperty("setup").GetDouble() > 0);
        Assert.True(seconds.GetProperty("setup").GetDouble() + seconds.GetProperty("solve").GetDouble() <= seconds.GetProperty("total").GetDouble() + 1e-6);
    }

    [Fact]
    public void SolveWithoutAmgHasNoHierarchyKeys()
    {
        var (code, stdout, _) = Run("solve", "poisson2d:10", "--json", "--method", "cg", "--precond", "jacobi");
        Assert.Equal(0, code);
        var j = JsonDocument.Parse(stdout).RootElement;
        Assert.False(j.TryGetProperty("levels", out _));
        Assert.False(j.TryGetProperty("operator_complexity", out _));
    }

    [Fact]
    public void InfoReadsSafetensorsBatches()
    {
        var (code, stdout, _) = Run("info", TestPaths.Fixture("poisson5x5_batch3_f64.safetensors"), "--json");
        Assert.Equal(0, code);
        var j = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(new[] { 3, 25, 25 }, j.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.True(j.GetProperty("symmetric").GetBoolean());
    }
}
