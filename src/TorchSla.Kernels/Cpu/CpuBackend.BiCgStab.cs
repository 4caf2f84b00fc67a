using System.Numerics;
using TorchSla.Kernels.Memory;
using B = TorchSla.Kernels.BiCgStabScalars;
using C = TorchSla.Kernels.CgScalars;

namespace TorchSla.Kernels.Cpu;

// The CPU twins of BiCGStab's fused steps (Backend.BiCgStabDirection, BiCgStabHalfStep, BiCgStabFinish): as for CG,
// the per-system decisions (β, α, ω, the status word) are taken on the calling thread, the vector work runs in the
// fixed blocks of CgBlocks and the sums are folded in block order, so the bits do not depend on the thread count.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public override void BiCgStabDirection<T>(Storage<T> r, Storage<T> v, Storage<T> p, VectorBatch layout, Storage<T> scalars,
        int scalarStride, int iteration)
    {
        CheckBiCgScalars(layout, scalars, scalarStride);
        var job = CgBlocks<T>.Rent(CgBlocks<T>.Kind.BiDirection, layout, ArrayOf(scalars), scalarStride);
        job.R = Checked(r, layout, nameof(r)); job.Q = Checked(v, layout, nameof(v)); job.P = Checked(p, layout, nameof(p));
        var s = job.S;
        for (int b = 0; b < layout.Count; b++)
        {
            int o = b * scalarStride;
            T rho = s[o + B.Rho];
            bool active = DivisorUsable(s, o, rho, iteration);
            job.Active[b] = active;
            job.Coefficient[b] = active ? rho / s[o + B.RhoOld] * (s[o + B.Alpha] / s[o + B.Omega]) : T.Zero;
            job.Coefficient2[b] = s[o + B.Omega];
        }
        job.RunElementwise();
    }

    /// <inheritdoc/>
    public override void BiCgStabHalfStep<T>(Storage<T> r, Storage<T> v, VectorBatch layout, Storage<T> scalars,
        int scalarStride, int iteration)
    {
        CheckBiCgScalars(layout, scalars, scalarStride);
        var job = CgBlocks<T>.Rent(CgBlocks<T>.Kind.BiHalf, layout, ArrayOf(scalars), scalarStride);
        job.R = Checked(r, layout, nameof(r)); job.Q = Checked(v, layout, nameof(v));
        var s = job.S;
        for (int b = 0; b < layout.Count; b++)
        {
            int o = b * scalarStride;
            T rv = s[o + B.Rv];
            bool active = DivisorUsable(s, o, rv, iteration);
            job.Active[b] = active;
            job.Coefficient[b] = active ? s[o + B.Rho] / rv : T.Zero;
        }
        job.RunElementwise();
        int ring = scalarStride - B.History;
        for (int b = 0; b < layout.Count; b++)
        {
            if (!job.Active[b]) continue;
            int o = b * scalarStride;
            T ss = SumOfBlocks(job, b);
            s[o + B.Alpha] = job.Coefficient[b];
            s[o + B.History + (iteration - 1) % ring] = ss;
            int code = !C.IsFinite(ss) ? C.NonFinite : ss <= s[o + C.BoundSquared] ? B.HalfConverged : C.Active;
            if (code != C.Active) Stop(s, o, code, iteration);
        }
    }

    /// <inheritdoc/>
    public override void BiCgStabFinish<T>(Storage<T> x, Storage<T> pHat, Storage<T> sHat, Storage<T> r, Storage<T> t,
        VectorBatch layout, Storage<T> scalars, int scalarStride, int iteration)
    {
        CheckBiCgScalars(layout, scalars, scalarStride);
        var job = CgBlocks<T>.Rent(CgBlocks<T>.Kind.BiFinish, layout, ArrayOf(scalars), scalarStride);
        job.X = Checked(x, layout, nameof(x)); job.P = Checked(pHat, layout, nameof(pHat)); job.Y = Checked(sHat, layout, nameof(sHat));
        job.R = Checked(r, layout, nameof(r)); job.Q = Checked(t, layout, nameof(t));
        var s = job.S;
        for (int b = 0; b < layout.Count; b++)
        {
            int o = b * scalarStride;
            T status = s[o + C.Status];
            bool halfNow = status == T.CreateTruncating(B.HalfConverged) && s[o + C.StopIteration] == T.CreateTruncating(iteration);
            T tt = s[o + B.Tt], ts = s[o + B.Ts];
            bool active = status == T.Zero, halfOnly = halfNow;
            job.Pending[b] = false; // here: "stop as a breakdown after x += α·p̂" (tᵀt = 0)
            if (active && (!C.IsFinite(tt) || !C.IsFinite(ts))) { Stop(s, o, C.NonFinite, iteration); active = false; }
            else if (active && tt == T.Zero) { halfOnly = true; job.Pending[b] = true; }
            job.Active[b] = active || halfNow;
            job.HalfOnly[b] = halfOnly;
            job.Coefficient[b] = s[o + B.Alpha];
            job.Coefficient2[b] = active && !halfOnly ? ts / tt : T.Zero;
        }
        job.RunElementwise();
        int ring = scalarStride - B.History;
        for (int b = 0; b < layout.Count; b++)
        {
            int o = b * scalarStride;
            if (!job.Active[b] || s[o + C.Status] != T.Zero) continue; // stopped before (or at the half step of) this iteration
            if (job.Pending[b]) { Stop(s, o, C.ZeroCurvature, iteration); continue; }
            T rr = SumOfBlocks(job, b), omega = job.Coefficient2[b];
            s[o + B.History + (iteration - 1) % ring] = rr;
            s[o + B.Omega] = omega;
            s[o + B.RhoOld] = s[o + B.Rho];
            int code = !C.IsFinite(rr) ? C.NonFinite : rr <= s[o + C.BoundSquared] ? C.Converged : omega == T.Zero ? C.ZeroCurvature : C.Active;
            if (code != C.Active) Stop(s, o, code, iteration);
        }
    }

    /// <summary>System b's partial sums of the last elementwise pass, added in block order.</summary>
    private static T SumOfBlocks<T>(CgBlocks<T> job, int b) where T : unmanaged, IFloatingPointIeee754<T> => job.SumOf(b);

    private static void CheckBiCgScalars<T>(VectorBatch layout, Storage<T> scalars, int stride) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(scalars);
        if (stride < B.History + 1 || (long)layout.Count * stride > scalars.Length)
            throw new ArgumentOutOfRangeException(nameof(scalars),
                $"scalar block of {scalars.Length} elements cannot hold {layout.Count} systems of stride {stride} (the stride must exceed {B.History})");
    }

    /// <summary>
    /// Whether system o is still active and <paramref name="divisor"/> can be divided by: a non-finite or zero divisor
    /// stops it (NonFinite / ZeroCurvature) at the previous iteration, the one that produced the divisor.
    /// </summary>
    private static bool DivisorUsable<T>(T[] s, int o, T divisor, int iteration) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (s[o + C.Status] != T.Zero) return false;
        int code = !C.IsFinite(divisor) ? C.NonFinite : divisor == T.Zero ? C.ZeroCurvature : C.Active;
        if (code != C.Active) Stop(s, o, code, iteration - 1);
        return code == C.Active;
    }
}
