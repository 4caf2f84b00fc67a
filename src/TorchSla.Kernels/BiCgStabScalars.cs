namespace TorchSla.Kernels;

/// <summary>
/// The device-resident scalars of a BiCGStab solve, one block of <see cref="Stride"/> elements per system, the
/// counterpart of <see cref="CgScalars"/> (same status word, stop iteration, bound² and status codes): the fused
/// steps (<see cref="Backend.BiCgStabDirection{T}"/>, <see cref="Backend.BiCgStabHalfStep{T}"/>,
/// <see cref="Backend.BiCgStabFinish{T}"/>) take β, α and ω from here and the dots (<see cref="Backend.DotInto{T}"/>)
/// land here, so the host reads the block back only every few iterations.
/// </summary>
public static class BiCgStabScalars
{
    /// <summary>ρ = r̂ᵀr of this iteration, and of the last one.</summary>
    public const int Rho = 3, RhoOld = 4;
    /// <summary>α = ρ/r̂ᵀv and ω = tᵀs/tᵀt of the last completed step (1 before the first).</summary>
    public const int Alpha = 5, Omega = 6;
    /// <summary>r̂ᵀv, tᵀt, tᵀs of this iteration (written by DotInto).</summary>
    public const int Rv = 7, Tt = 8, Ts = 9;
    /// <summary>First slot of the history ring: ‖r_k‖² (‖s_k‖² when the half step stopped) goes to History + (k − 1) mod (Stride − History).</summary>
    public const int History = 12;

    /// <summary>Elements per system for a history ring of <paramref name="historyLength"/> iterations.</summary>
    public static int Stride(int historyLength) => History + Math.Max(1, historyLength);

    /// <summary>Status: ‖s‖ ≤ bound after the half step; the step's x += α·p̂ is still applied by BiCgStabFinish.</summary>
    public const int HalfConverged = 6;
}
