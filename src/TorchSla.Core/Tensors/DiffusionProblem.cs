namespace TorchSla;

/// <summary>
/// Variable-coefficient diffusion test matrices (internal: shared by the AMG tests and bench mode amg-iterations, which
/// must run the same problems). −∇·(k∇u) on an n×n grid by the 5-point finite-volume stencil with Dirichlet walls: a face
/// between two cells takes the harmonic mean of their coefficients (the flux-continuous choice for jumping coefficients,
/// e.g. Trottenberg, Oosterlee &amp; Schüller, "Multigrid" (2001), §7.7), a wall face the cell's own. SPD, n² rows.
/// </summary>
internal static class DiffusionProblem
{
    /// <summary>The matrix for cell coefficients <paramref name="k"/>(i, j) = (k_x, k_y), rows numbered i·n + j.</summary>
    public static SparseTensor<double> Diffusion2D(int n, Func<int, int, (double Kx, double Ky)> k)
    {
        var rows = new List<int>(); var cols = new List<int>(); var vals = new List<double>();
        static double Harmonic(double a, double b) => 2 * a * b / (a + b);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                int id = i * n + j;
                var (kx, ky) = k(i, j);
                double diag = 0;
                foreach (var (di, dj) in new[] { (-1, 0), (1, 0), (0, -1), (0, 1) })
                {
                    int ii = i + di, jj = j + dj;
                    double own = di != 0 ? ky : kx, c;
                    if (ii < 0 || ii >= n || jj < 0 || jj >= n) c = own; // Dirichlet wall
                    else
                    {
                        var (nkx, nky) = k(ii, jj);
                        c = Harmonic(own, di != 0 ? nky : nkx);
                        rows.Add(id); cols.Add(ii * n + jj); vals.Add(-c);
                    }
                    diag += c;
                }
                rows.Add(id); cols.Add(id); vals.Add(diag);
            }
        return SparseTensor.FromCoo<double>(vals.ToArray(), rows.ToArray(), cols.ToArray(), [n * n, n * n]);
    }
}
