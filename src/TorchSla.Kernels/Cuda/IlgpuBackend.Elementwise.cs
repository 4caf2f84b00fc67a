using System.Numerics;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cuda;

/// <summary>The elementwise maps and the sampled product on the device (<see cref="ElementwiseKernels"/>), instead of the host fallback.</summary>
public sealed partial class IlgpuBackend
{
    private ElementwiseKernelSet<T> E<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
        Compiled(acc => new ElementwiseKernelSet<T>(acc), k => k.CompileSeconds);

    /// <inheritdoc/>
    public override void Pointwise<T>(PointwiseOp op, T p, Storage<T> x, int xOffset, Storage<T> y, int yOffset, int length)
    {
        if (op is < PointwiseOp.Exp or > PointwiseOp.DivideScalarBy) throw new ArgumentOutOfRangeException(nameof(op), op, "unknown pointwise operation");
        var xv = View(x, xOffset, length, nameof(x));
        var yv = View(y, yOffset, length, nameof(y));
        if (length == 0) return;
        lock (Sync) { Accelerator.Bind(); E<T>().Pointwise(Cfg(length), xv, yv, length, (int)op, p); }
    }

    /// <inheritdoc/>
    public override void Binary<T>(BinaryOp op, Storage<T> x, int xOffset, Storage<T> y, int yOffset, Storage<T> z, int zOffset, int length)
    {
        if (op is not (BinaryOp.Multiply or BinaryOp.Divide)) throw new ArgumentOutOfRangeException(nameof(op), op, "unknown binary operation");
        var xv = View(x, xOffset, length, nameof(x));
        var yv = View(y, yOffset, length, nameof(y));
        var zv = View(z, zOffset, length, nameof(z));
        if (length == 0) return;
        lock (Sync) { Accelerator.Bind(); E<T>().Binary(Cfg(length), xv, yv, zv, length, (int)op); }
    }

    /// <inheritdoc/>
    public override void Sddmm<T>(CsrIndices a, Storage<T> left, int leftOffset, Storage<T> right, int rightOffset, int k,
        Storage<T> result, int resultOffset, T alpha, bool accumulate)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var rowPtr = View(a.RowPtr, 0, a.Rows + 1L, "a.RowPtr");
        var colInd = View(a.ColInd, 0, a.Nnz, "a.ColInd");
        var lv = View(left, leftOffset, (long)a.Rows * k, nameof(left));
        var rv = View(right, rightOffset, (long)a.Cols * k, nameof(right));
        var res = View(result, resultOffset, a.Nnz, nameof(result));
        if (a.Rows == 0 || a.Nnz == 0) return;
        // k = 0: every slot gets α·0 (or keeps its value), as the host twin does; the views of length 0 are never read.
        if (k == 0) { lv = rv = res; }
        lock (Sync) { Accelerator.Bind(); E<T>().Sddmm(Cfg(a.Rows), rowPtr, colInd, lv, rv, res, a.Rows, k, accumulate ? 1 : 0, alpha); }
    }
}
