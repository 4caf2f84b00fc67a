using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels;

/// <summary>
/// The triangular sweeps of a multifrontal LU factor on the device that holds it, so that a right-hand side on a GPU is
/// solved there with factors computed on the host (and uploaded once).
/// </summary>
public abstract partial class Backend
{
    /// <summary>
    /// Solves with the factors of P·A·Q = L·U in the ordered numbering. <paramref name="transpose"/> false: y holds the
    /// right-hand side by row variables and z receives L⁻¹ then U⁻¹ of it by column variables (forward with L front by
    /// front, leaves first; backward with U, root first). True: y holds the right-hand side by column variables and z
    /// receives (L·U)⁻ᵀ of it by row variables (forward with Uᵀ, backward with Lᵀ). y is overwritten in both cases.
    /// Within a front the pivot block is solved by substitution and the rows or columns beyond it by dense products (the
    /// supernodal solve of Davis, "Direct Methods for Sparse Linear Systems", 2006, §9, with a front's own index lists).
    /// The fronts of a level run in parallel; updates of ancestors' entries in the forward sweeps are atomic on a GPU, so
    /// the last bits may differ between runs there; the backward sweeps only gather and are deterministic.
    /// </summary>
    public abstract void FrontalLuSolve(FrontalLuFactor factor, Storage<double> y, Storage<double> z, bool transpose);
}
