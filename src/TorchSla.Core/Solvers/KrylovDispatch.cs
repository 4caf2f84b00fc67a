using System.Numerics;
using TorchSla.Solvers.Krylov;

namespace TorchSla.Solvers;

/// <summary>Runs the Krylov method named by a <see cref="SolveMethod"/> (never Auto).</summary>
internal static class KrylovDispatch
{
    public static SolveResult<T> Run<T>(SolveMethod method, ILinearOperator<T> a, Tensor<T> b, IVectorSpace<T>? space,
        SolveOptions options, Tensor<T>? initialGuess, ILinearOperator<T>? preconditioner)
        where T : unmanaged, IFloatingPointIeee754<T> => method switch
    {
        SolveMethod.CG => Cg.Solve(a, b, space, options, initialGuess, preconditioner),
        SolveMethod.BiCgStab => BiCgStab.Solve(a, b, space, options, initialGuess, preconditioner),
        SolveMethod.Gmres => Gmres.Solve(a, b, space, options, initialGuess, preconditioner),
        SolveMethod.Fgmres => Fgmres.Solve(a, b, space, options, initialGuess, preconditioner),
        SolveMethod.Minres => Minres.Solve(a, b, space, options, initialGuess, preconditioner),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "resolve Auto before dispatching"),
    };
}
