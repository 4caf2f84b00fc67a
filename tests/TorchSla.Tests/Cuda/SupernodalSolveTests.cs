using TorchSla.IO;
using TorchSla.Kernels;
using TorchSla.Solvers;
using TorchSla.Solvers.Direct;
using TorchSla.Tests.Solvers.Direct;
using Xunit;

namespace TorchSla.Tests.Cuda;

/// <summary>
/// Backend.SupernodalSolve and the direct solve of CUDA tensors: the CPU twin and the ILGPU twin (emulator in CI, the
/// GPU with TORCHSLA_TEST_DEVICE=cuda) solve with the host's Cholesky factor as the host solve does (to rounding: the
/// GPU's forward sweep adds with atomics), a right-hand side on the GPU is solved there, bad input is named.
/// </summary>
public class SupernodalSolveTests
{
    private static Device Gpu => GpuTestDevice.Ensure();

    /// <summary>An SPD matrix with an irregular pattern: 2D Poisson plus random symmetric couplings, diagonally dominant.</summary>
    private static SparseTensor<double> IrregularSpd(int m, int seed)
    {
        var p = SparseTensor.Poisson2D<double>(m);
        int n = p.Rows;
        var rng = new Random(seed);
        var entries = new Dictionary<(int, int), double>();
        var rp = p.RowPointers; var ci = p.ColumnIndices; var v = p.GetValues();
        for (int i = 0; i < n; i++) for (int q = rp[i]; q < rp[i + 1]; q++) entries[(i, ci[q])] = v[q];
        for (int t = 0; t < n; t++)
        {
            int i = rng.Next(n), j = rng.Next(n);
            if (i == j) continue;
            double w = -rng.NextDouble();
            entries[(i, j)] = entries.GetValueOrDefault((i, j)) + w;
            entries[(j, i)] = entries.GetValueOrDefault((j, i)) + w;
            entries[(i, i)] += -w; entries[(j, j)] += -w;
        }
        var keys = entries.Keys.ToArray();
        return SparseTensor.FromCoo<double>(keys.Select(k => entries[k]).ToArray(), keys.Select(k => k.Item1).ToArray(),
            keys.Select(k => k.Item2).ToArray(), [n, n]);
    }

    /// <summary>A dense SPD matrix (one supernode of 70 columns: several panels in either sweep) with a sparse border.</summary>
    private static SparseTensor<double> DenseBlock(int m, int seed)
    {
        var rng = new Random(seed);
        var b = new double[m, m];
        for (int i = 0; i < m; i++) for (int j = 0; j < m; j++) b[i, j] = rng.NextDouble() - 0.5;
        var rowsList = new List<int>(); var cols = new List<int>(); var vals = new List<double>();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
            {
                double s = i == j ? m : 0;
                for (int q = 0; q < m; q++) s += b[i, q] * b[j, q];
                rowsList.Add(i); cols.Add(j); vals.Add(s);
            }
        return SparseTensor.FromCoo<double>(vals.ToArray(), rowsList.ToArray(), cols.ToArray(), [m, m]);
    }

    public static TheoryData<string> Matrices => new() { "poisson", "irregular", "494_bus", "dense" };

    private static SparseTensor<double> Matrix(string name) => name switch
    {
        "poisson" => SparseTensor.Poisson2D<double>(GpuTestDevice.IsReal ? 300 : 14),
        "irregular" => IrregularSpd(GpuTestDevice.IsReal ? 200 : 12, 7),
        "dense" => DenseBlock(70, 8),
        _ => MatrixMarket.Read<double>(TestPaths.Matrix("494_bus.mtx")),
    };

    [Theory]
    [MemberData(nameof(Matrices))]
    public void TwinsSolveAsTheHostFactorDoes(string name)
    {
        var a = Matrix(name);
        int n = a.Rows;
        using var f = a.Cholesky();
        var b = DirectTestHelpers.RandomVector(n, 5);
        var host = f.Solve(b);
        foreach (var device in new[] { Device.Cpu, Gpu })
        {
            using var solver = f.UploadFactor(device);
            Assert.True(solver.Levels >= 1);
            var be = BackendRegistry.Get(device);
            using var bs = be.Upload<double>(b);
            using var xs = solver.Solve(bs);
            var x = xs.ToArray();
            Assert.Equal(b, bs.ToArray()); // b is not modified
            double diff = 0, scale = 0;
            for (int i = 0; i < n; i++) { diff = Math.Max(diff, Math.Abs(x[i] - host[i])); scale = Math.Max(scale, Math.Abs(host[i])); }
            Assert.True(diff <= 1e-12 * scale, $"{device}: max |x − x_host| = {diff:E2} (scale {scale:E2})");
            Assert.True(DirectTestHelpers.BackwardError(a, x, b) < 1e-14, $"{device}: backward error {DirectTestHelpers.BackwardError(a, x, b):E2}");
        }
    }

    [Fact]
    public void CudaRightHandSideIsSolvedOnTheDevice()
    {
        var cpuA = IrregularSpd(GpuTestDevice.IsReal ? 150 : 10, 3);
        var a = cpuA.To(Gpu);
        var bh = DirectTestHelpers.RandomVector(a.Rows, 9);
        var b = Tensor<double>.FromSpan(bh, device: Gpu);
        var r = a.Solve(b, new SolveOptions { Method = SolveMethod.Cholesky });
        Assert.Equal(Gpu, r.Solution.Device);
        Assert.True(r.Converged);
        Assert.True(r.FinalRelativeResidual < 1e-13, r.ToString());
        var x = r.Solution.ToArray();
        Assert.True(DirectTestHelpers.BackwardError(cpuA, x, bh) < 1e-14);
        // The reported residual is the true one.
        var ax = cpuA.Matmul(Tensor<double>.FromSpan(x)).ToArray();
        double rr = 0, bb = 0;
        for (int i = 0; i < bh.Length; i++) { rr += (bh[i] - ax[i]) * (bh[i] - ax[i]); bb += bh[i] * bh[i]; }
        Assert.Equal(Math.Sqrt(rr / bb), r.FinalRelativeResidual, 1e-15);

        using var f = cpuA.Cholesky();
        Assert.Equal(cpuA.Rows >= CholeskyFactorization<double>.DeviceSolveMinRows, f.Solve(b).Device == Gpu && f.FactorOnDevice);
        f.SolveOnGpu = false;
        var xh = f.Solve(b);
        Assert.False(f.FactorOnDevice);
        Assert.Equal(Gpu, xh.Device);
        f.SolveOnGpu = true;
        var xd = f.Solve(b);
        Assert.True(f.FactorOnDevice);
        Assert.Equal(Gpu, xd.Device);
        var xt = f.SolveTranspose(b).ToArray(); // Aᵀ = A
        var xdh = xd.ToArray();
        for (int i = 0; i < x.Length; i++) Assert.Equal(xdh[i], xt[i], 1e-12);
    }

    [Fact]
    public void RefactorReplacesTheDeviceCopy()
    {
        var a = SparseTensor.Poisson2D<double>(8);
        using var f = a.Cholesky();
        f.SolveOnGpu = true;
        var bh = DirectTestHelpers.RandomVector(a.Rows, 2);
        var b = Tensor<double>.FromSpan(bh, device: Gpu);
        _ = f.Solve(b);
        Assert.True(f.FactorOnDevice);
        var v = a.GetValues();
        foreach (int d in a.Pattern.DiagonalSlots()) v[d] *= 3;
        var a3 = a.WithValues(v, []);
        f.Refactor(a3);
        Assert.False(f.FactorOnDevice);
        var x = f.Solve(b).ToArray();
        Assert.True(DirectTestHelpers.BackwardError(a3, x, bh) < 1e-14);
    }

    [Fact]
    public void NonFiniteRightHandSideIsNamed()
    {
        var a = SparseTensor.Poisson2D<double>(5);
        using var f = a.Cholesky();
        f.SolveOnGpu = true;
        var bh = new double[a.Rows];
        bh[7] = double.NaN;
        var e = Assert.Throws<NonFiniteValueException>(() => f.Solve(Tensor<double>.FromSpan(bh, device: Gpu)));
        Assert.Contains("index 7", e.Message);
    }

    [Fact]
    public void LevelsRespectTheAssemblyTree()
    {
        var a = IrregularSpd(9, 4);
        using var f = a.Cholesky();
        using var solver = f.UploadFactor(Device.Cpu);
        var (ptr, nodes, parent) = solver.Schedule();
        var level = new int[nodes.Length];
        for (int l = 0; l + 1 < ptr.Length; l++) for (int q = ptr[l]; q < ptr[l + 1]; q++) level[nodes[q]] = l;
        Assert.Equal(Enumerable.Range(0, nodes.Length), nodes.Order());
        for (int s = 0; s < parent.Length; s++) if (parent[s] >= 0) Assert.True(level[parent[s]] > level[s]);
    }
}
