using System.Numerics;
using ILGPU;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// Deterministic reductions in two passes (no floating-point atomics anywhere): pass 1 runs a
/// fixed grid in which thread t of group g folds elements g·G + t, g·G + t + grid, … in order,
/// then the group folds its threads through a fixed shared-memory tree into partial[g]; pass 2
/// folds the partials the same way in one group. The grid depends only on the length and the
/// device, so the bits are the same on every run on that device (Harris, "Optimizing parallel
/// reduction in CUDA", NVIDIA 2007, with the grid-stride first level).
/// </summary>
internal static class ReductionKernels
{
    /// <summary>Threads per group of every reduction kernel (power of two).</summary>
    public const int GroupSize = 256;

    /// <summary>The contribution of one element to reduction <paramref name="op"/> (|x|, x², or x).</summary>
    public static T Lift<T>(int op, T x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (op == (int)ReduceOp.SumAbs || op == (int)ReduceOp.MaxAbs) return T.Abs(x);
        if (op == (int)ReduceOp.SumSquares) return x * x;
        return x;
    }

    /// <summary>x ≠ x holds for NaN alone (IEEE 754); plain comparisons compile on every ILGPU backend.</summary>
#pragma warning disable CS1718 // comparison with itself is the NaN test
    private static bool IsNaN<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x != x;
#pragma warning restore CS1718

    /// <summary>Combines two partial results; max and min propagate NaN (x != x).</summary>
    public static T Combine<T>(int op, T a, T b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (op == (int)ReduceOp.Max || op == (int)ReduceOp.MaxAbs)
            return IsNaN(a) ? a : IsNaN(b) ? b : a > b ? a : b;
        if (op == (int)ReduceOp.Min)
            return IsNaN(a) ? a : IsNaN(b) ? b : a < b ? a : b;
        if (op == (int)ReduceOp.Prod) return a * b;
        return a + b;
    }

    private static void GroupFold<T>(ArrayView<T> shared, int t, int op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Group.Barrier();
        for (int half = GroupSize / 2; half > 0; half >>= 1)
        {
            if (t < half) shared[t] = Combine(op, shared[t], shared[t + half]);
            Group.Barrier();
        }
    }

    /// <summary>Pass 1 of Σ x_i·y_i: partial[g] = the dot product of group g's elements.</summary>
    public static void DotPartial<T>(ArrayView<T> x, ArrayView<T> y, ArrayView<T> partial, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shared = SharedMemory.Allocate<T>(GroupSize);
        int t = Group.IdxX;
        int stride = Grid.DimX * GroupSize;
        T acc = T.Zero;
        for (int i = Grid.IdxX * GroupSize + t; i < n; i += stride) acc += x[i] * y[i];
        shared[t] = acc;
        GroupFold(shared, t, (int)ReduceOp.Sum);
        if (t == 0) partial[Grid.IdxX] = shared[0];
    }

    /// <summary>Pass 1 of a reduction: partial[g] = fold of Lift(x_i) over group g's elements.</summary>
    public static void ReducePartial<T>(ArrayView<T> x, ArrayView<T> partial, int n, int op, T identity)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shared = SharedMemory.Allocate<T>(GroupSize);
        int t = Group.IdxX;
        int stride = Grid.DimX * GroupSize;
        T acc = identity;
        for (int i = Grid.IdxX * GroupSize + t; i < n; i += stride) acc = Combine(op, acc, Lift(op, x[i]));
        shared[t] = acc;
        GroupFold(shared, t, op);
        if (t == 0) partial[Grid.IdxX] = shared[0];
    }

    /// <summary>Pass 2: result[0] = fold of the partials (already lifted) in one group.</summary>
    public static void Finish<T>(ArrayView<T> partial, ArrayView<T> result, int n, int op, T identity)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shared = SharedMemory.Allocate<T>(GroupSize);
        int t = Group.IdxX;
        T acc = identity;
        for (int i = t; i < n; i += GroupSize) acc = Combine(op, acc, partial[i]);
        shared[t] = acc;
        GroupFold(shared, t, op);
        if (t == 0) result[0] = shared[0];
    }

    /// <summary>result[r] = fold of Lift(v) over the stored entries of row r (identity for an empty row).</summary>
    public static void RowReduce<T>(ArrayView<int> rowPtr, ArrayView<T> vals, ArrayView<T> result, int rows, int op, T identity)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int r = Grid.GlobalIndex.X;
        if (r >= rows) return;
        T acc = identity;
        int end = rowPtr[r + 1];
        for (int k = rowPtr[r]; k < end; k++) acc = Combine(op, acc, Lift(op, vals[k]));
        result[r] = acc;
    }
}
