using System.Numerics;
using TorchSla.Kernels;
using TorchSla.Kernels.Memory;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Base of the preconditioners applied as a lower then an upper triangular solve, z = U⁻¹·L⁻¹·r (ILU(0), IC(0)): the
/// factors are computed on the host at setup, then kept on the preconditioner's device with their level schedules
/// (<see cref="TriangularLevels"/>), and every application is two <see cref="Backend.TriangularSolve{T}"/> calls there:
/// level-scheduled on a GPU (one launch per level, nothing copied to the host), a sequential sweep on the CPU.
/// </summary>
public abstract class TriangularPreconditioner<T> : PreconditionerBase<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private Factor? _lower, _upper;

    /// <summary>See <see cref="PreconditionerBase{T}"/>.</summary>
    protected TriangularPreconditioner(string name, int n, Device device) : base(name, n, device) { }

    /// <summary>Levels of the lower and the upper solve (the number of dependent steps of one application on a GPU).</summary>
    public (int Lower, int Upper) Levels => (_lower?.LevelPtr.Length - 1 ?? 0, _upper?.LevelPtr.Length - 1 ?? 0);

    /// <summary>
    /// Places the factors on the device: the strictly lower part of L (CSR, columns ascending) with its diagonal
    /// (null: unit), and the strictly upper part of U with its diagonal.
    /// </summary>
    private protected void SetFactors(int[] lPtr, int[] lCol, T[] lVal, T[]? lDiag, int[] uPtr, int[] uCol, T[] uVal, T[]? uDiag)
    {
        _lower = Factor.Upload(Device, Rows, lPtr, lCol, lVal, lDiag, lower: true);
        _upper = Factor.Upload(Device, Rows, uPtr, uCol, uVal, uDiag, lower: false);
    }

    /// <inheritdoc/>
    protected sealed override void ApplyCore(Tensor<T> r, Tensor<T> z)
    {
        var be = BackendRegistry.Get(Device);
        var l = _lower!; var u = _upper!;
        be.TriangularSolve(l.Indices, l.Values, l.Diagonal, true, l.LevelRows, l.LevelPtr, r.Storage, z.Storage);
        be.TriangularSolve(u.Indices, u.Values, u.Diagonal, false, u.LevelRows, u.LevelPtr, z.Storage, z.Storage);
    }

    private sealed record Factor(CsrIndices Indices, Storage<T> Values, Storage<T>? Diagonal, Storage<int> LevelRows, int[] LevelPtr)
    {
        public static Factor Upload(Device device, int n, int[] ptr, int[] col, T[] val, T[]? diag, bool lower)
        {
            var be = BackendRegistry.Get(device);
            var (levelPtr, levelRows) = TriangularLevels.Of(ptr, col, n, lower);
            return new Factor(new CsrIndices(n, n, be.Upload<int>(ptr), be.Upload<int>(col)), be.Upload<T>(val),
                diag is null ? null : be.Upload<T>(diag), be.Upload<int>(levelRows), levelPtr);
        }
    }
}
