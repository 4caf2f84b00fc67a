using TorchSla.Kernels.Cpu;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Prolongator smoothing (Vaněk, Mandel &amp; Brezina 1996, §3, eq. (3.5)): one damped Jacobi
/// step applied to the columns of the tentative prolongator,
/// P = (I − ω·D⁻¹A)·P̂ with ω = 4/(3·ρ(D⁻¹A)),
/// the choice that minimises the energy bound of their convergence proof. It widens each
/// aggregate's basis function by one ring and lowers its energy, which is what makes the
/// two-grid rate independent of h. I − ω·D⁻¹A has A's pattern (A stores its diagonal), its values
/// are formed on the host in one parallel pass (the setup reads A's values there anyway), and P is
/// one product (I − ωD⁻¹A)·P̂ on the matrix's device (SpGEMM, symbolic part cached per pattern, so a
/// refresh with new values on the same pattern costs only the numeric product).
/// </summary>
internal static class ProlongatorSmoothing
{
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
}
