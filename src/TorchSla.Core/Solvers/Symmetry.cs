using System.Numerics;

namespace TorchSla.Solvers;

/// <summary>
/// Whether a stored matrix equals its transpose, checked through the pattern's cached
/// transposition map: the pattern must equal its transpose, and each value its mirror
/// within 100·ε·max|a_ij| (rounding of an assembly that was symmetric in exact arithmetic).
/// </summary>
internal static class Symmetry
{
    public static bool IsSymmetric<T>(SparseTensor<T> a, int batchIndex) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!a.IsSquare) return false;
        var (pt, map) = a.Pattern.Transpose();
        if (!pt.SameAs(a.Pattern)) return false;
        var v = a.GetValues(batchIndex);
        T max = T.Zero;
        foreach (var x in v) max = T.Max(max, T.Abs(x));
        T machineEpsilon = T.BitIncrement(T.One) - T.One; // (T.Epsilon is the smallest subnormal, not this)
        T tol = T.CreateTruncating(100) * machineEpsilon * max;
        // Same pattern, so slot t of Aᵀ is slot t of A: a_t must equal the value it maps from.
        for (int t = 0; t < v.Length; t++)
            if (T.Abs(v[t] - v[map[t]]) > tol) return false;
        return true;
    }
}
