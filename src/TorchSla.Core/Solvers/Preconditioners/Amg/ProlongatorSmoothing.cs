using System.Numerics;
using TorchSla.Kernels.Cpu;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Prolongator smoothing (Vaněk, Mandel &amp; Brezina 1996, §3, eq. (3.5)): one damped Jacobi
/// step applied to the columns of the tentative prolongator,
/// P = (I − ω·D⁻¹A)·P̂ with ω = 4/(3·ρ(D⁻¹A)),
/// the choice that minimises the energy bound of their convergence proof. It widens each
/// aggregate's basis function by one ring and lowers its energy, which is what makes the
/// two-grid rate independent of h. D⁻¹A has A's pattern, its rows scaled on the host (one pass
/// over the values, which the setup reads there anyway); the product (D⁻¹A)·P̂ (SpGEMM) and
/// the sum on the union of the patterns run on the matrix's device through the tensor algebra.
/// Their symbolic parts are cached per pattern, so a refresh with new values on the same
/// pattern costs only the numeric products.
/// </summary>
internal static class ProlongatorSmoothing
{
    /// <summary>P = P̂ − ω·(D⁻¹A)·P̂, given D⁻¹A.</summary>
    public static SparseTensor<T> Smooth<T>(SparseTensor<T> scaledA, SparseTensor<T> tentative, double omega)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var dap = scaledA * tentative;
        return tentative.Add(dap, T.One, T.CreateTruncating(-omega));
    }

    /// <summary>The values of I − ω·D⁻¹A on A's pattern (which holds the diagonal), so that P = (I − ω·D⁻¹A)·P̂ is one product.</summary>
    public static double[] JacobiIterationMatrix(int[] rowPtr, int[] colInd, double[] values, double[] diagonal, double omega)
    {
        var r = new double[values.Length];
        int n = diagonal.Length, blocks = ParallelBlocks.CountFor(values.Length);
        ParallelBlocks.Run(blocks, b =>
        {
            for (int i = ParallelBlocks.Start(n, blocks, b), end = ParallelBlocks.Start(n, blocks, b + 1); i < end; i++)
            {
                double s = -omega / diagonal[i];
                for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) r[k] = values[k] * s + (colInd[k] == i ? 1 : 0);
            }
        });
        return r;
    }

    /// <summary>The values of D⁻¹A in A's CSR order: row i divided by d_i.</summary>
    public static T[] RowScaled<T>(int[] rowPtr, double[] values, double[] diagonal)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = new T[values.Length];
        for (int i = 0; i < diagonal.Length; i++)
        {
            double inv = 1 / diagonal[i];
            for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) r[k] = T.CreateTruncating(values[k] * inv);
        }
        return r;
    }
}
