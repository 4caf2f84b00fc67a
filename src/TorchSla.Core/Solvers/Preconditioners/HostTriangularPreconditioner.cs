using System.Numerics;
using TorchSla.Kernels.Memory;

namespace TorchSla.Solvers.Preconditioners;

/// <summary>
/// Base of the preconditioners whose application is a pair of sequential triangular sweeps on
/// the host (ILU(0), IC(0)). On the CPU the sweeps read and write the tensors' arrays in place;
/// on another device r is copied to a host buffer allocated once and z copied back (two
/// transfers per application: correct everywhere, fast on the CPU only).
/// </summary>
public abstract class HostTriangularPreconditioner<T> : PreconditionerBase<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[]? _hostR, _hostZ;

    /// <summary>See <see cref="PreconditionerBase{T}"/>.</summary>
    protected HostTriangularPreconditioner(string name, int n, Device device) : base(name, n, device) { }

    /// <inheritdoc/>
    protected sealed override void ApplyCore(Tensor<T> r, Tensor<T> z)
    {
        if (r.Storage is CpuStorage<T> rc && z.Storage is CpuStorage<T> zc)
        {
            Sweep(rc.Array, zc.Array);
            return;
        }
        _hostR ??= new T[Rows];
        _hostZ ??= new T[Rows];
        r.Storage.CopyTo(_hostR);
        Sweep(_hostR, _hostZ);
        z.Storage.CopyFrom(_hostZ);
    }

    /// <summary>z ← M⁻¹·r on host arrays of length <see cref="PreconditionerBase{T}.Rows"/>; r is not modified.</summary>
    protected abstract void Sweep(T[] r, T[] z);
}
