namespace TorchSla.Solvers.Direct;

/// <summary>The factors P·A·Q = L·U of one matrix, in whichever storage the LU algorithm produced.</summary>
internal interface ILuFactors
{
    /// <summary>pinv[i] = k: row i of A is row k of P·A.</summary>
    int[] Pinv { get; }
    /// <summary>q[k] = column of A that is column k of A·Q.</summary>
    int[] Q { get; }
    /// <summary>Stored entries of L and U (L's unit diagonal included).</summary>
    long Nnz { get; }
    /// <summary>Floating-point operations of the factorization.</summary>
    double Flops { get; }
    /// <summary>x ← A⁻¹·x; <paramref name="work"/> has N entries, its contents on entry are not read (it need not be zeroed) and are overwritten.</summary>
    void Solve(Span<double> x, double[] work);
    /// <summary>x ← A⁻ᵀ·x; <paramref name="work"/> as for <see cref="Solve"/>.</summary>
    void SolveTranspose(Span<double> x, double[] work);
    /// <summary>log|det A| and sign(det A).</summary>
    (double LogAbsDet, int Sign) LogDeterminant();
    /// <summary>The factors in compressed columns, pivot order; <paramref name="keepExplicitZeros"/> keeps every stored
    /// position (the structure the elimination produced, closed under its fill rule, as the selected inverse needs).</summary>
    SparseLuFactors ToCompressedColumns(bool keepExplicitZeros = false);
}
