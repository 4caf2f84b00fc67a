using System.Numerics;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// A preconditioner M⁻¹ ≈ A⁻¹ as an operator: <see cref="ILinearOperator{T}.Apply"/> computes
/// z ← M⁻¹·r. Krylov methods take any <see cref="ILinearOperator{T}"/> as preconditioner;
/// this interface adds the name reported in <see cref="SolveResult{T}.Preconditioner"/>.
/// Built by an <see cref="IPreconditionerFactory"/> from the matrix (the setup phase), then
/// applied once or twice per iteration (the solve phase). Apply may use internal work
/// buffers, so one instance serves one solve at a time.
/// </summary>
/// <typeparam name="T"><see cref="double"/> or <see cref="float"/>.</typeparam>
public interface IPreconditioner<T> : ILinearOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The name it is registered under (<c>jacobi</c>, <c>ilu0</c>, <c>amg</c>, ...).</summary>
    string Name { get; }
}
