using System.Globalization;
using System.Text;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>One level of an AMG hierarchy.</summary>
/// <param name="Rows">Unknowns on the level.</param>
/// <param name="Nnz">Stored entries of the level's operator.</param>
/// <param name="SpectralRadius">The estimate of λ_max(D⁻¹A) the smoother uses (0 on a level solved directly).</param>
public sealed record AmgLevelStatistics(int Rows, long Nnz, double SpectralRadius);

/// <summary>
/// Shape and cost of an AMG hierarchy: levels, sizes, nnz and the complexities
/// C_op = Σ_l nnz(A_l) / nnz(A_0) (memory and work of a V-cycle relative to one fine SpMV) and
/// C_grid = Σ_l n_l / n_0.
/// </summary>
/// <param name="LevelStatistics">Finest first.</param>
/// <param name="CoarseSolver">"cholesky" or "smoother" (how the coarsest level is solved).</param>
/// <param name="SetupSeconds">Wall time of the last setup or refresh.</param>
public sealed record AmgStatistics(IReadOnlyList<AmgLevelStatistics> LevelStatistics, string CoarseSolver, double SetupSeconds)
{
    /// <summary>Number of levels, the finest included.</summary>
    public int Levels => LevelStatistics.Count;

    /// <summary>C_op = Σ_l nnz(A_l) / nnz(A_0).</summary>
    public double OperatorComplexity => LevelStatistics[0].Nnz == 0 ? 1 : LevelStatistics.Sum(l => (double)l.Nnz) / LevelStatistics[0].Nnz;

    /// <summary>C_grid = Σ_l n_l / n_0.</summary>
    public double GridComplexity => LevelStatistics[0].Rows == 0 ? 1 : LevelStatistics.Sum(l => (double)l.Rows) / LevelStatistics[0].Rows;

    /// <summary>A table: one line per level, then the complexities.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"AMG hierarchy: {Levels} levels, operator complexity {OperatorComplexity:F3}, grid complexity {GridComplexity:F3}, coarse solve {CoarseSolver}, setup {SetupSeconds:F3} s");
        sb.AppendLine("  level       rows          nnz   nnz/row   ρ(D⁻¹A)");
        for (int l = 0; l < Levels; l++)
        {
            var s = LevelStatistics[l];
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {l,5} {s.Rows,10} {s.Nnz,12} {(s.Rows == 0 ? 0 : (double)s.Nnz / s.Rows),9:F2} {s.SpectralRadius,9:F4}");
        }
        return sb.ToString();
    }
}
