using System.Numerics;
using ILGPU;
using B = TorchSla.Kernels.BiCgStabScalars;
using C = TorchSla.Kernels.CgScalars;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// The GPU twins of BiCGStab's fused steps (see <see cref="BiCgStabScalars"/> and the CPU's CpuBackend.BiCgStab), built
/// like <see cref="CgKernels"/>: every thread of a system reads β, α, ω from the scalar block and decides alike whether
/// the system is frozen; one thread writes a status; reductions are two-pass over a fixed grid (deterministic).
/// </summary>
internal static class BiCgStabKernels
{
    private const int G = ReductionKernels.GroupSize;

    private static long At(in CgLaunch l, int b, int i) => (long)b * l.SystemStride + (long)i * l.ElementStride;

    private static void Tree<T>(ArrayView<T> a, int t) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Group.Barrier();
        for (int half = G / 2; half > 0; half >>= 1)
        {
            if (t < half) a[t] += a[t + half];
            Group.Barrier();
        }
    }

    /// <summary>partial[group] = Σ of the group's acc (fixed tree).</summary>
    private static void GroupSum<T>(ArrayView<T> partial, T acc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sh = SharedMemory.Allocate<T>(G);
        int t = Group.IdxX;
        sh[t] = acc;
        Tree(sh, t);
        if (t == 0) partial[Grid.IdxX] = sh[0];
    }

    /// <summary>One group per system: sum = Σ_g partial[b·Groups + g] in a fixed order; true on the group's thread 0 only.</summary>
    private static bool FoldGroups<T>(ArrayView<T> partial, CgLaunch l, out T sum) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sh = SharedMemory.Allocate<T>(G);
        int t = Group.IdxX, b = Grid.IdxX;
        T acc = T.Zero;
        for (int k = t; k < l.Groups; k += G) acc += partial[b * l.Groups + k];
        sh[t] = acc;
        Tree(sh, t);
        sum = sh[0];
        return t == 0;
    }

    /// <summary>p = r + β·(p − ω·v), one thread per entry; the thread of entry 0 stops a system whose ρ is zero or not finite.</summary>
    public static void Direction<T>(ArrayView<T> r, ArrayView<T> v, ArrayView<T> p, ArrayView<T> s, ArrayView<T> codes, CgLaunch l, T before)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long gid = Grid.GlobalIndex.X;
        if (gid >= (long)l.Count * l.Length) return;
        int b = (int)(gid / l.Length), i = (int)(gid % l.Length);
        int o = b * l.ScalarStride;
        T rho = s[o + B.Rho];
        int code = !C.IsFinite(rho) ? C.NonFinite : rho == T.Zero ? C.ZeroCurvature : C.Active;
        if (s[o + C.Status] != T.Zero || code != C.Active)
        {
            if (i == 0 && s[o + C.Status] == T.Zero) { s[o + C.Status] = codes[code]; s[o + C.StopIteration] = before; }
            return;
        }
        T omega = s[o + B.Omega];
        T beta = rho / s[o + B.RhoOld] * (s[o + B.Alpha] / omega);
        long j = At(l, b, i);
        p[j] = r[j] + beta * (p[j] - omega * v[j]);
    }

    /// <summary>Half step, pass 1: s = r − α·v over r with α = ρ/r̂ᵀv, partial sums of ‖s‖²; a bad r̂ᵀv stops the system (k − 1).</summary>
    public static void HalfPartial<T>(ArrayView<T> r, ArrayView<T> v, ArrayView<T> s, ArrayView<T> codes, ArrayView<T> partial, CgLaunch l, T before)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int t = Group.IdxX, b = Grid.IdxX / l.Groups, g = Grid.IdxX % l.Groups;
        int o = b * l.ScalarStride;
        T status = s[o + C.Status], rv = s[o + B.Rv];
        int code = !C.IsFinite(rv) ? C.NonFinite : rv == T.Zero ? C.ZeroCurvature : C.Active;
        T acc = T.Zero;
        if (status == T.Zero && code == C.Active)
        {
            T alpha = s[o + B.Rho] / rv;
            for (int i = g * G + t; i < l.Length; i += l.Groups * G)
            {
                long j = At(l, b, i);
                T si = r[j] - alpha * v[j];
                r[j] = si;
                acc += si * si;
            }
        }
        else if (status == T.Zero && g == 0 && t == 0) { s[o + C.Status] = codes[code]; s[o + C.StopIteration] = before; }
        GroupSum(partial, acc);
    }

    /// <summary>Half step, pass 2 (one group per system): ‖s‖² into the history, α stored, HalfConverged or non-finite stops (k).</summary>
    public static void HalfEnd<T>(ArrayView<T> partial, ArrayView<T> s, ArrayView<T> codes, CgLaunch l, T iteration)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int b = Grid.IdxX, o = b * l.ScalarStride;
        if (!FoldGroups(partial, l, out T sum) || s[o + C.Status] != T.Zero) return;
        T ss = sum;
        s[o + B.Alpha] = s[o + B.Rho] / s[o + B.Rv];
        s[o + B.History + l.HistoryIndex] = ss;
        int code = !C.IsFinite(ss) ? C.NonFinite : ss <= s[o + C.BoundSquared] ? B.HalfConverged : C.Active;
        if (code != C.Active) { s[o + C.Status] = codes[code]; s[o + C.StopIteration] = iteration; }
    }

    /// <summary>
    /// Finish, pass 1: x += α·p̂, x += ω·ŝ, r = s − ω·t with ω = tᵀs/tᵀt and partial sums of ‖r‖²; only x += α·p̂ when the
    /// system stopped at this iteration's half step or tᵀt = 0; nothing (and a non-finite stop) when tᵀt or tᵀs is not finite.
    /// </summary>
    public static void FinishPartial<T>(ArrayView<T> x, ArrayView<T> ph, ArrayView<T> shat, ArrayView<T> r, ArrayView<T> tv,
        ArrayView<T> s, ArrayView<T> codes, ArrayView<T> partial, CgLaunch l, T iteration)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int t = Group.IdxX, b = Grid.IdxX / l.Groups, g = Grid.IdxX % l.Groups;
        int o = b * l.ScalarStride;
        T status = s[o + C.Status], tt = s[o + B.Tt], ts = s[o + B.Ts];
        bool halfNow = status == codes[B.HalfConverged] && s[o + C.StopIteration] == iteration;
        bool active = status == T.Zero;
        bool bad = active && (!C.IsFinite(tt) || !C.IsFinite(ts));
        bool xOnly = halfNow || (active && !bad && tt == T.Zero);
        T alpha = s[o + B.Alpha];
        T acc = T.Zero;
        if (xOnly)
        {
            for (int i = g * G + t; i < l.Length; i += l.Groups * G) { long j = At(l, b, i); x[j] += alpha * ph[j]; }
        }
        else if (active && !bad)
        {
            T omega = ts / tt;
            for (int i = g * G + t; i < l.Length; i += l.Groups * G)
            {
                long j = At(l, b, i);
                x[j] = x[j] + alpha * ph[j] + omega * shat[j];
                T ri = r[j] - omega * tv[j];
                r[j] = ri;
                acc += ri * ri;
            }
        }
        else if (bad && g == 0 && t == 0) { s[o + C.Status] = codes[C.NonFinite]; s[o + C.StopIteration] = iteration; }
        GroupSum(partial, acc);
    }

    /// <summary>Finish, pass 2 (one group per system): ‖r‖² into the history, ω and ρ_old stored, the stopping tests (k).</summary>
    public static void FinishEnd<T>(ArrayView<T> partial, ArrayView<T> s, ArrayView<T> codes, CgLaunch l, T iteration)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int b = Grid.IdxX, o = b * l.ScalarStride;
        if (!FoldGroups(partial, l, out T sum) || s[o + C.Status] != T.Zero) return;
        T tt = s[o + B.Tt];
        if (tt == T.Zero) { s[o + C.Status] = codes[C.ZeroCurvature]; s[o + C.StopIteration] = iteration; return; }
        T rr = sum, omega = s[o + B.Ts] / tt;
        s[o + B.History + l.HistoryIndex] = rr;
        s[o + B.Omega] = omega;
        s[o + B.RhoOld] = s[o + B.Rho];
        int code = !C.IsFinite(rr) ? C.NonFinite : rr <= s[o + C.BoundSquared] ? C.Converged : omega == T.Zero ? C.ZeroCurvature : C.Active;
        if (code != C.Active) { s[o + C.Status] = codes[code]; s[o + C.StopIteration] = iteration; }
    }
}
