using System.Numerics;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// One CSR SpMV y ← α·A·x + β·y cut into the row blocks of a <see cref="RowPartition"/>, for
/// <see cref="BlockJob"/>. Holds raw pointers: valid only while the caller keeps the arrays pinned.
/// </summary>
internal sealed unsafe class SpMVJob<T> : BlockJob where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] _starts;
    private readonly int* _rowPtr, _colInd;
    private readonly T* _val, _x, _y;
    private readonly T _alpha, _beta;
    private readonly bool _gather;

    public SpMVJob(RowPartition part, int* rowPtr, int* colInd, T* val, T* x, T* y, T alpha, T beta, bool gather) : base(part.Count)
    {
        _starts = part.Starts;
        _rowPtr = rowPtr; _colInd = colInd; _val = val; _x = x; _y = y;
        _alpha = alpha; _beta = beta; _gather = gather;
    }

    protected override void RunBlock(int block) =>
        CsrKernels.SpMVRows(_starts[block], _starts[block + 1], _rowPtr, _colInd, _val, _x, _y, _alpha, _beta, _gather);
}
