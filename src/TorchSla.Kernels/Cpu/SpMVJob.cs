using System.Numerics;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// One CSR SpMV y ← α·A·x + β·y cut into the row blocks of a <see cref="RowPartition"/>, for
/// <see cref="BlockJob"/>. Holds raw pointers: valid only while the caller keeps the arrays pinned.
/// </summary>
internal sealed unsafe class SpMVJob<T> : BlockJob where T : unmanaged, IFloatingPointIeee754<T>
{
    private int[] _starts = [];
    private int* _rowPtr, _colInd;
    private T* _val, _x, _y;
    private T _alpha, _beta;
    private bool _gather;
    private PackedCsr<T>? _packed;

    [ThreadStatic] private static SpMVJob<T>? _cached;

    private SpMVJob() : base(0) { }

    /// <summary>This thread's job, reused when its helpers of the last product have returned (else a fresh one), set up for one product.</summary>
    public static SpMVJob<T> Rent(RowPartition part, int* rowPtr, int* colInd, T* val, T* x, T* y, T alpha, T beta, bool gather, PackedCsr<T>? packed = null)
    {
        if (_cached is not { Idle: true }) _cached = new SpMVJob<T>();
        var j = _cached;
        j._starts = part.Starts;
        j._rowPtr = rowPtr; j._colInd = colInd; j._val = val; j._x = x; j._y = y;
        j._alpha = alpha; j._beta = beta; j._gather = gather; j._packed = packed;
        j.Reuse(part.Count);
        return j;
    }

    protected override void RunBlock(int block)
    {
        if (_packed is null) CsrKernels.SpMVRows(_starts[block], _starts[block + 1], _rowPtr, _colInd, _val, _x, _y, _alpha, _beta, _gather);
        else _packed.SpMVRows(_starts[block], _starts[block + 1], _rowPtr, _colInd, _val, _x, _y, _alpha, _beta, _gather);
    }
}
