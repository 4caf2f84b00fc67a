using System.Numerics;
using TorchSla.Solvers.Preconditioners;

namespace TorchSla.Solvers;

/// <summary>
/// The one place where <see cref="SolveMethod.Auto"/> and the preconditioner <c>auto</c> are
/// resolved (the table in the README). On the CPU, up to a measured size, auto picks the sparse direct
/// solver for nonsymmetric (LU, <see cref="LuMaxRows"/>) and symmetric matrices without a positive diagonal
/// (LDLᵀ, <see cref="LdltMaxRows"/>). Symmetric matrices with a positive diagonal keep CG: Jacobi- or AMG-PCG
/// beat the Cholesky factorization at every size measured (bench/RESULTS.md "Automatic choice: direct or
/// iterative"); Cholesky is there to be asked for. Above those sizes, and on other devices, the iterative rows:
/// <list type="table">
/// <item><term>symmetric, positive diagonal</term><description>CG + Jacobi (MINRES if CG then meets pᵀAp ≤ 0); on the CPU
/// from <see cref="AmgMinRows"/> rows (on a GPU from <see cref="AmgMinRowsOnDevice"/>) CG + AMG</description></item>
/// <item><term>symmetric, other diagonal</term><description>MINRES, no preconditioner (Jacobi would not be positive definite)</description></item>
/// <item><term>nonsymmetric, CPU</term><description>GMRES(30) + ILU(0) (no preconditioner when ILU(0) cannot be formed)</description></item>
/// <item><term>nonsymmetric, other device</term><description>GMRES(30) + Jacobi (ILU(0)'s level-scheduled solves take ~2√n launches on a 2D grid), none with a zero diagonal</description></item>
/// </list>
/// An explicit method with preconditioner <c>auto</c> gets the preconditioner of its row
/// (CG/MINRES: Jacobi when the diagonal is positive; BiCGStab/GMRES/FGMRES: as the nonsymmetric rows).
/// </summary>
public static class AutoSolverChoice
{
    /// <summary>
    /// Rows from which CG on the CPU gets the AMG preconditioner instead of Jacobi. Measured with bench mode
    /// amg-crossover (whole solves, rtol 1e-8, bench/RESULTS.md "AMG (CPU)"): on 2D Poisson AMG-PCG wins from
    /// about 10⁴ rows (1.4× at 100², 5× at 400², 4× at 1000²); on 3D Poisson, whose Jacobi-PCG needs only
    /// n^(1/3)-growing iterations, Jacobi-PCG stays ahead up to 1M rows (AMG-PCG 3.3× slower at 60³, 1.3× at 100³).
    /// 10⁵ takes the large 2D-like systems and keeps AMG's setup away from small ones.
    /// </summary>
    public const int AmgMinRows = 100_000;

    /// <summary>
    /// Rows from which CG on a GPU gets the AMG preconditioner instead of Jacobi (the hierarchy is built on the
    /// device). Measured with bench mode amg-gpu on an H100 (whole solves incl. setup, rtol 1e-8, bench/RESULTS.md
    /// "AMG (GPU)" and "Lead's GPU run of the merged session-4 code"): on 2D Poisson AMG-PCG overtakes Jacobi-PCG near
    /// 2.5·10⁵ rows (3.1× faster at 10⁶), while on 3D Poisson Jacobi-PCG, whose iterations grow only like n^⅓, stays
    /// ahead up to 10⁶ rows (1.9× at 100³). At 10⁶ AMG gains 0.11 s on 2D and loses 0.02 s on 3D.
    /// </summary>
    public const int AmgMinRowsOnDevice = 1_000_000;

    /// <summary>The method and preconditioner name that <paramref name="options"/> resolve to for <paramref name="a"/>.</summary>
    public static (SolveMethod Method, string Preconditioner) Choose<T>(SparseTensor<T> a, SolveOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(options);
        var method = options.Method;
        string precond = options.Preconditioner.Trim().ToLowerInvariant();
        // The diagonal test reads every value on the host: only when something automatic needs it.
        bool positiveDiagonal = (method == SolveMethod.Auto || SolveOptions.IsAutoPreconditioner(precond)) && DiagonalIs(a, positive: true);
        if (method == SolveMethod.Auto)
        {
            method = !a.IsSymmetric() ? SolveMethod.Gmres : positiveDiagonal ? SolveMethod.CG : SolveMethod.Minres;
            if (a.Device == Device.Cpu) method = DirectInstead(method, a.Rows);
        }
        if (method is SolveMethod.Cholesky or SolveMethod.Ldlt or SolveMethod.Lu) return (method, "none");
        if (SolveOptions.IsAutoPreconditioner(precond))
            precond = method is SolveMethod.CG or SolveMethod.Minres
                ? (!positiveDiagonal ? "none" : method == SolveMethod.CG && a.Rows >= (a.Device == Device.Cpu ? AmgMinRows : AmgMinRowsOnDevice) ? "amg" : "jacobi")
                : a.Device == Device.Cpu ? (DiagonalIs(a, positive: false) ? "ilu0" : "none")
                : (DiagonalIs(a, positive: false) ? "jacobi" : "none");
        return (method, precond);
    }

    /// <summary>
    /// Rows up to which <see cref="SolveMethod.Auto"/> uses the sparse LU instead of GMRES(30) + ILU(0) on the CPU
    /// (bench mode direct-crossover, bench/RESULTS.md "Automatic choice: direct or iterative"): GMRES + ILU(0) stagnated on
    /// three of the four shared unsymmetric matrices it was tried on (west0479, bp_1200, cryg2500) where LU solved all to
    /// backward error ~1e-16, and on 2D convection–diffusion LU overtakes it from about 2·10⁴ rows (GMRES's iterations
    /// grow with the grid: 7× faster at 300², still 1.3× at 500²). The limit stays at 10⁵ because LU's fill grows much
    /// faster on 3D-like graphs (for SPD 3D Poisson 30³ the Cholesky factorization was 55× slower than Jacobi-PCG).
    /// </summary>
    public const int LuMaxRows = 100_000;

    /// <summary>
    /// Rows up to which <see cref="SolveMethod.Auto"/> uses the pivoting LDLᵀ instead of unpreconditioned MINRES for a
    /// symmetric matrix whose diagonal is not all positive, on the CPU (same measurement; MINRES without a
    /// preconditioner needs many iterations on indefinite problems such as hangGlider_2).
    /// </summary>
    public const int LdltMaxRows = 100_000;

    /// <summary>The direct method of the matrix's kind when its size is within the measured crossover, else <paramref name="iterative"/>.</summary>
    private static SolveMethod DirectInstead(SolveMethod iterative, int rows) => iterative switch
    {
        SolveMethod.Gmres when rows <= LuMaxRows => SolveMethod.Lu,
        SolveMethod.Minres when rows <= LdltMaxRows => SolveMethod.Ldlt,
        _ => iterative,
    };

    /// <summary>Whether every matrix of the batch stores a diagonal that is positive (or, with positive = false, nonzero).</summary>
    private static bool DiagonalIs<T>(SparseTensor<T> a, bool positive) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var slots = a.Pattern.DiagonalSlots();
        var values = a.GetValues();
        for (int bIdx = 0; bIdx < a.BatchSize; bIdx++)
            for (int i = 0; i < slots.Length; i++)
            {
                if (slots[i] < 0) return false;
                T d = values[bIdx * a.Nnz + slots[i]];
                if (positive ? !(d > T.Zero) : d == T.Zero) return false;
            }
        return true;
    }

    /// <summary>
    /// Sets up the named preconditioner for matrix <paramref name="batchIndex"/>; when it was
    /// chosen automatically and cannot be formed (e.g. a zero ILU(0) pivot), falls back to none.
    /// </summary>
    internal static IPreconditioner<T> Setup<T>(SparseTensor<T> a, int batchIndex, string name, bool chosenAutomatically)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        try { return PreconditionerRegistry.Get(name).Setup(a, batchIndex); }
        catch (ArgumentException) when (chosenAutomatically && name == "amg")
        {
            // A Galerkin level without a positive diagonal: the matrix is not SPD after all; Jacobi needs only A's diagonal.
            return Setup(a, batchIndex, "jacobi", chosenAutomatically);
        }
        catch (ArgumentException) when (chosenAutomatically)
        {
            return new IdentityPreconditioner<T>(a.Rows, a.Device);
        }
    }
}
