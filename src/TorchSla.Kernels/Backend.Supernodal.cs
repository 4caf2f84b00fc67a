using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels;

/// <summary>
/// The triangular sweeps of a supernodal factor on the device that holds it, so that a right-hand side on a GPU is
/// solved there with a factor computed on the host (and uploaded once) instead of being copied to the host and back.
/// </summary>
public abstract partial class Backend
{
    /// <summary>
    /// x ← L⁻¹·x (<paramref name="transpose"/> false) or x ← L⁻ᵀ·x (true) in place, with x in L's (permuted) numbering.
    /// The supernodes of a level run in parallel (forward: leaves first; backward: root first). Within a supernode the
    /// diagonal block is solved by substitution and the rows below it by dense products (a column-oriented TRSV then a
    /// GEMV, as in the supernodal solves of Rothberg &amp; Gupta, and Ng &amp; Peyton 1993). On a GPU the forward sweep
    /// adds a supernode's update to its ancestors' entries atomically, so x may differ from the CPU's in the last bits
    /// between runs; the backward sweep only gathers and is deterministic.
    /// </summary>
    public abstract void SupernodalSolve(SupernodalFactor factor, Storage<double> x, bool transpose);
}
