using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Memory;
using TorchSla.Solvers.Preconditioners;
using Xunit;

namespace TorchSla.Tests.Solvers.Amg;

/// <summary>
/// The CPU Galerkin product R·(A·P) with A·P and the upper triangle in rented, handed-back arrays: the bits of the two
/// backend products (A·P, then the symmetric product), call after call while the rented arrays are reused (longer than the
/// temporaries they hold), and R·A·P of a dense reference.
/// </summary>
public class GalerkinProductTests
{
    [Fact]
    public void RentedTemporariesGiveTheTwoProductsBitsCallAfterCall()
    {
        var be = CpuBackend.Instance;
        // A hierarchy's own P and R on two levels: level 0 (short P rows) and level 1 (denser A), the larger first so that
        // the second product rents the first's longer arrays.
        using var a0 = SparseTensor.Poisson3D<double>(24);
        using var amg = new AmgPreconditioner<double>(a0, new AmgOptions { Smoother = AmgSmoother.SymmetricGaussSeidel, CoarseSize = 50 });
        var levels = amg.Levels.Where(l => l.P is not null).Take(2).ToArray();
        Assert.Equal(2, levels.Length);
        for (int round = 0; round < 3; round++)
            foreach (var l in levels)
            {
                var (c, cv) = be.GalerkinProduct(l.R!.Indices, l.R.Values, l.A.Indices, l.A.Values, l.P!.Indices, l.P.Values);
                var (ap, apv) = be.SpGemm(l.A.Indices, l.A.Values, l.P.Indices, l.P.Values);
                var (w, wv) = be.SymmetricSpGemm(l.R.Indices, l.R.Values, ap, apv);
                Assert.Equal(w.RowPtr.ToArray(), c.RowPtr.ToArray());
                Assert.Equal(w.ColInd.ToArray(), c.ColInd.ToArray());
                Assert.Equal(wv.ToArray(), cv.ToArray());
                Assert.Equal(c.Nnz, cv.Length); // exact-length result arrays, not rented ones
            }
    }

    [Fact]
    public void GalerkinProductMatchesDenseRap()
    {
        using var a = DiffusionProblem.Diffusion2D(20, (i, j) => ((i / 5 + j / 5) % 2 == 0 ? 1.0 : 100.0, 1.0));
        using var amg = new AmgPreconditioner<double>(a, new AmgOptions { Smoother = AmgSmoother.SymmetricGaussSeidel, CoarseSize = 20 });
        var l = amg.Levels[0];
        var (c, cv) = CpuBackend.Instance.GalerkinProduct(l.R!.Indices, l.R.Values, l.A.Indices, l.A.Values, l.P!.Indices, l.P.Values);
        var dense = Dense(l.R) * Dense(l.A) * Dense(l.P);
        var rp = c.RowPtr.ToArray(); var ci = c.ColInd.ToArray(); var v = cv.ToArray();
        double scale = dense.Enumerate().Max(Math.Abs);
        var got = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(dense.RowCount, dense.ColumnCount);
        for (int i = 0; i < dense.RowCount; i++) for (int k = rp[i]; k < rp[i + 1]; k++) got[i, ci[k]] = v[k];
        Assert.True((got - dense).Enumerate().Max(Math.Abs) <= 1e-13 * scale, "R·A·P differs from the dense product");
    }

    private static MathNet.Numerics.LinearAlgebra.Matrix<double> Dense(SparseTensor<double> s)
    {
        var m = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(s.Rows, s.Cols);
        var rp = s.RowPointers; var ci = s.ColumnIndices; var v = s.GetValues();
        for (int i = 0; i < s.Rows; i++) for (int k = rp[i]; k < rp[i + 1]; k++) m[i, ci[k]] = v[k];
        return m;
    }
}
