namespace TorchSla.Solvers.Direct;

/// <summary>
/// Sparse LU factors P·A·Q = L·U in compressed columns, pivot order: L unit lower triangular (diagonal
/// stored first in each column), U upper triangular (diagonal stored last). Produced by
/// <see cref="GilbertPeierlsLu"/>, and by <see cref="MultifrontalLuFactors.ToCompressedColumns"/> for inspection.
/// </summary>
internal sealed class SparseLuFactors : ILuFactors
{
    /// <summary>Order of the matrix.</summary>
    public int N { get; init; }
    /// <summary>Column pointers of L.</summary>
    public int[] Lp { get; init; } = [];
    /// <summary>Rows of L (pivot order).</summary>
    public int[] Li { get; init; } = [];
    /// <summary>Values of L.</summary>
    public double[] Lx { get; init; } = [];
    /// <summary>Column pointers of U.</summary>
    public int[] Up { get; init; } = [];
    /// <summary>Rows of U (pivot order).</summary>
    public int[] Ui { get; init; } = [];
    /// <summary>Values of U.</summary>
    public double[] Ux { get; init; } = [];
    /// <summary>pinv[i] = k: row i of A is row k of P·A.</summary>
    public int[] Pinv { get; init; } = [];
    /// <summary>q[k] = column of A that is column k of A·Q.</summary>
    public int[] Q { get; init; } = [];
    /// <summary>Floating-point operations of the factorization.</summary>
    public double Flops { get; init; }

    /// <summary>nnz(L) + nnz(U).</summary>
    public long Nnz => (long)Lp[N] + Up[N];

    /// <summary>This object (its columns hold every position the elimination reached, zeros included).</summary>
    public SparseLuFactors ToCompressedColumns(bool keepExplicitZeros = false) => this;

    /// <summary>x ← A⁻¹·x: y = P·x, L·z = y, U·w = z, x = Q·w. <paramref name="work"/> has N entries.</summary>
    public void Solve(Span<double> x, double[] work)
    {
        int n = N;
        for (int i = 0; i < n; i++) work[Pinv[i]] = x[i];
        for (int j = 0; j < n; j++)
        {
            double yj = work[j];
            if (yj == 0) continue;
            for (int p = Lp[j] + 1; p < Lp[j + 1]; p++) work[Li[p]] -= Lx[p] * yj;
        }
        for (int j = n - 1; j >= 0; j--)
        {
            double yj = work[j] /= Ux[Up[j + 1] - 1];
            if (yj == 0) continue;
            for (int p = Up[j]; p < Up[j + 1] - 1; p++) work[Ui[p]] -= Ux[p] * yj;
        }
        for (int k = 0; k < n; k++) x[Q[k]] = work[k];
    }

    /// <summary>x ← A⁻ᵀ·x: Aᵀ = Q·Uᵀ·Lᵀ·P, so y = Qᵀ·x, Uᵀ·z = y, Lᵀ·w = z, x = Pᵀ·w.</summary>
    public void SolveTranspose(Span<double> x, double[] work)
    {
        int n = N;
        for (int k = 0; k < n; k++) work[k] = x[Q[k]];
        for (int j = 0; j < n; j++)
        {
            double t = work[j];
            for (int p = Up[j]; p < Up[j + 1] - 1; p++) t -= Ux[p] * work[Ui[p]];
            work[j] = t / Ux[Up[j + 1] - 1];
        }
        for (int j = n - 1; j >= 0; j--)
        {
            double t = work[j];
            for (int p = Lp[j] + 1; p < Lp[j + 1]; p++) t -= Lx[p] * work[Li[p]];
            work[j] = t;
        }
        for (int i = 0; i < n; i++) x[i] = work[Pinv[i]];
    }

    /// <summary>log|det A| and sign: det A = sign(P)·sign(Q)·Π u_kk.</summary>
    public (double LogAbsDet, int Sign) LogDeterminant()
    {
        double sum = 0; int sign = PermutationSign(Pinv) * PermutationSign(Q);
        for (int j = 0; j < N; j++)
        {
            double u = Ux[Up[j + 1] - 1];
            sum += Math.Log(Math.Abs(u));
            if (u < 0) sign = -sign;
        }
        return (sum, sign);
    }

    /// <summary>+1 for an even permutation, −1 for an odd one (cycle decomposition).</summary>
    internal static int PermutationSign(int[] p)
    {
        var seen = new bool[p.Length];
        int sign = 1;
        for (int i = 0; i < p.Length; i++)
        {
            if (seen[i]) continue;
            int len = 0;
            for (int j = i; !seen[j]; j = p[j]) { seen[j] = true; len++; }
            if (len % 2 == 0) sign = -sign;
        }
        return sign;
    }
}
