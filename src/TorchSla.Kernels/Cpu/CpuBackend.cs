using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// The host backend: managed arrays, spans, SIMD through System.Numerics.Tensors, and
/// <see cref="Parallel"/> over row blocks balanced by stored entries.
/// </summary>
public sealed partial class CpuBackend : Backend
{
    /// <summary>Below this many stored entries (or elements) one thread is faster than a fork/join.</summary>
    internal const int ParallelThreshold = 1 << 15;

    /// <summary>Block size of the deterministic reductions: partial sums in fixed blocks, added in block order.</summary>
    internal const int ReductionBlock = 1 << 14;

    /// <summary>Below this many stored entries a matrix is never split into row blocks.</summary>
    internal const int MinPartitionNnz = 1 << 12;

    /// <summary>
    /// Stored entries below which SpMV runs on the calling thread: under it, the fork/join
    /// (<see cref="BlockJob"/>: waking a pool thread, microseconds) costs more than the second core saves. Measured with <c>bench/TorchSla.Bench -- spmv-crossover</c> (see bench/RESULTS.md).
    /// Settable so that the benchmark can measure the crossover and tests can force either path.
    /// </summary>
    internal static int SpMVParallelMinNnz { get; set; } = ParallelThreshold;

    /// <summary>The single instance.</summary>
    public static CpuBackend Instance { get; } = new();

    private CpuBackend() { }

    /// <summary>Threads the kernels use (the processor count).</summary>
    public static int Threads => Environment.ProcessorCount;

    /// <inheritdoc/>
    public override Device Device => Device.Cpu;

    /// <inheritdoc/>
    public override string Description =>
        $"cpu: {Environment.ProcessorCount} threads, SIMD {Vector<double>.Count * 64} bit ({(Vector512.IsHardwareAccelerated ? "AVX-512" : Vector256.IsHardwareAccelerated ? "AVX2" : "SSE/NEON")}), {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}";

    /// <summary>The span of a CPU storage, or a clear error when a storage of another device is passed.</summary>
    public static Span<T> SpanOf<T>(Storage<T> s) where T : unmanaged =>
        s is CpuStorage<T> c ? c.Span : throw new ArgumentException($"storage lives on {s.Device}, not on the CPU");

    /// <summary>The array of a CPU storage (for kernels that must capture it in a lambda).</summary>
    public static T[] ArrayOf<T>(Storage<T> s) where T : unmanaged =>
        s is CpuStorage<T> c ? c.Array : throw new ArgumentException($"storage lives on {s.Device}, not on the CPU");

    /// <inheritdoc/>
    public override Storage<T> Allocate<T>(int length) => new CpuStorage<T>(length);

    /// <inheritdoc/>
    /// <remarks>Disposing the storage hands its array to the next zeroed allocation of the same length (<see cref="HostArrays"/>).</remarks>
    public override Storage<T> AllocateScratch<T>(int length) => new CpuStorage<T>(length, scratch: true);

    /// <inheritdoc/>
    public override Storage<T> Upload<T>(ReadOnlySpan<T> data) => new CpuStorage<T>(data.ToArray());

    /// <inheritdoc/>
    public override void Copy<T>(Storage<T> src, int srcOffset, Storage<T> dst, int dstOffset, int length) =>
        SpanOf(src).Slice(srcOffset, length).CopyTo(SpanOf(dst).Slice(dstOffset, length));

    /// <inheritdoc/>
    public override void Fill<T>(Storage<T> dst, int offset, int length, T value) =>
        SpanOf(dst).Slice(offset, length).Fill(value);

    internal static RowPartition PartitionOf(CsrIndices a)
    {
        if (a.BackendCache is RowPartition p) return p;
        // Four blocks per thread absorb the imbalance that nnz alone does not predict (cache misses on x).
        // Built for every matrix worth splitting; each kernel decides from its own threshold whether to fork.
        p = RowPartition.Build(SpanOf(a.RowPtr), a.Nnz < MinPartitionNnz ? 1 : Threads * 4);
        a.BackendCache = p;
        return p;
    }

    /// <inheritdoc/>
    public override unsafe void SpMV<T>(CsrIndices a, Storage<T> values, int valOffset,
        Storage<T> x, int xOffset, Storage<T> y, int yOffset, T alpha, T beta)
    {
        var rp = SpanOf(a.RowPtr); var ci = SpanOf(a.ColInd);
        var v = SpanOf(values).Slice(valOffset, a.Nnz);
        var xs = SpanOf(x).Slice(xOffset, a.Cols);
        var ys = SpanOf(y).Slice(yOffset, a.Rows);
        var part = PartitionOf(a);
        fixed (int* prp = rp) fixed (int* pci = ci) fixed (T* pv = v) fixed (T* px = xs) fixed (T* py = ys)
        {
            bool gather = CsrKernels.GatherPays(a.Rows, a.Nnz);
            var packed = CsrCompression.Find(a, values, valOffset);
            if (part.Count == 1 || a.Nnz < SpMVParallelMinNnz)
            {
                if (packed is null) CsrKernels.SpMVRows(0, a.Rows, prp, pci, pv, px, py, alpha, beta, gather);
                else packed.SpMVRows(0, a.Rows, prp, pci, pv, px, py, alpha, beta, gather);
                return;
            }
            SpMVJob<T>.Rent(part, prp, pci, pv, px, py, alpha, beta, gather, packed).Run(Threads - 1);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Builds the matrix's compressed CSR (<see cref="CompressedCsr{T}"/>) when <see cref="CsrCompression"/> finds it pays.</remarks>
    public override void PrepareRepeatedSpMV<T>(CsrIndices a, Storage<T> values, int valOffset)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(values);
        _ = SpanOf(values).Slice(valOffset, a.Nnz);
        CsrCompression.Prepare(a, values, valOffset);
    }

    /// <inheritdoc/>
    public override unsafe void SpMM<T>(CsrIndices a, Storage<T> values, int valOffset,
        Storage<T> x, int xOffset, Storage<T> y, int yOffset, int k, T alpha, T beta)
    {
        var rp = SpanOf(a.RowPtr); var ci = SpanOf(a.ColInd);
        var v = SpanOf(values).Slice(valOffset, a.Nnz);
        var xs = SpanOf(x).Slice(xOffset, checked(a.Cols * k));
        var ys = SpanOf(y).Slice(yOffset, checked(a.Rows * k));
        var part = PartitionOf(a);
        fixed (int* prp = rp) fixed (int* pci = ci) fixed (T* pv = v) fixed (T* px = xs) fixed (T* py = ys)
        {
            nint irp = (nint)prp, ici = (nint)pci, iv = (nint)pv, ix = (nint)px, iy = (nint)py;
            if (part.Count == 1 || (long)a.Nnz * k < ParallelThreshold)
            {
                CsrKernels.SpMMRows(0, a.Rows, prp, pci, pv, px, py, k, alpha, beta);
                return;
            }
            Parallel.For(0, part.Count, b =>
                CsrKernels.SpMMRows(part.Starts[b], part.Starts[b + 1], (int*)irp, (int*)ici, (T*)iv, (T*)ix, (T*)iy, k, alpha, beta));
        }
    }

    /// <inheritdoc/>
    public override (CsrIndices Transposed, Storage<int> Map) Transpose(CsrIndices a)
    {
        ArgumentNullException.ThrowIfNull(a);
        var (rp, ci, map) = CsrBuild.Transpose(SpanOf(a.RowPtr), SpanOf(a.ColInd), a.Rows, a.Cols);
        return (new CsrIndices(a.Cols, a.Rows, new CpuStorage<int>(rp), new CpuStorage<int>(ci)), new CpuStorage<int>(map));
    }

    /// <inheritdoc/>
    public override int CooToCsr(Storage<int> row, Storage<int> col, int count, int rows, int cols,
        Storage<int> rowPtr, Storage<int> colInd, Storage<int> entryToSlot)
    {
        var (rp, ci, e) = CsrBuild.CooToCsr(SpanOf(row)[..count], SpanOf(col)[..count], rows, cols);
        rp.CopyTo(SpanOf(rowPtr));
        ci.CopyTo(SpanOf(colInd));
        e.CopyTo(SpanOf(entryToSlot));
        return ci.Length;
    }

    /// <inheritdoc/>
    public override SpGemmPlan SpGemmSymbolic(CsrIndices a, CsrIndices b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Gustavson.Symbolic(a, b);
    }

    /// <inheritdoc/>
    /// <remarks>One sweep over the scalar products (<see cref="Gustavson.Product{T}"/>).</remarks>
    public override (CsrIndices Product, Storage<T> Values) SpGemm<T>(CsrIndices a, Storage<T> aValues, CsrIndices b, Storage<T> bValues)
        => HostProduct(a, aValues, b, bValues, Gustavson.Product);

    /// <inheritdoc/>
    /// <remarks>Row by row on the plan's pattern with a dense accumulator (<see cref="Gustavson.Numeric{T}"/>),
    /// summing each slot's products in increasing k (the order of the expansion matrix's rows).</remarks>
    public override void SpGemmNumeric<T>(SpGemmPlan plan, Storage<T> aValues, int aOffset, Storage<T> bValues, int bOffset,
        Storage<T> cValues, int cOffset)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan is not CpuSpGemmPlan p) throw new ArgumentException($"the plan was made by the backend of {plan.Device}, not by the CPU backend", nameof(plan));
        p.CheckValues(aValues, aOffset, bValues, bOffset, cValues, cOffset);
        Gustavson.Numeric(p, ArrayOf(aValues), aOffset, ArrayOf(bValues), bOffset, ArrayOf(cValues), cOffset);
    }

    /// <inheritdoc/>
    public override void Axpby<T>(T alpha, Storage<T> x, int xOffset, T beta, Storage<T> y, int yOffset, int length)
    {
        var xa = ArrayOf(x); var ya = ArrayOf(y);
        _ = xa.AsSpan(xOffset, length); _ = ya.AsSpan(yOffset, length);
        ForBlocks(length, (s, n) =>
        {
            VectorLoops.Axpby<T>(xa.AsSpan(xOffset + s, n), alpha, beta, ya.AsSpan(yOffset + s, n));
        });
    }

    /// <inheritdoc/>
    public override T Dot<T>(Storage<T> x, int xOffset, Storage<T> y, int yOffset, int length)
    {
        var xa = ArrayOf(x); var ya = ArrayOf(y);
        _ = xa.AsSpan(xOffset, length); _ = ya.AsSpan(yOffset, length); // range check once, up front
        ScalarReadBacks.Count();
        return DeterministicSum(length, (s, n) => VectorLoops.Dot(new ReadOnlySpan<T>(xa, xOffset + s, n), new ReadOnlySpan<T>(ya, yOffset + s, n)));
    }

    /// <inheritdoc/>
    public override void Map<T>(UnaryOp op, T scale, Storage<T> x, int xOffset, Storage<T> y, int yOffset, int length)
    {
        var xa = ArrayOf(x); var ya = ArrayOf(y);
        _ = xa.AsSpan(xOffset, length); _ = ya.AsSpan(yOffset, length);
        ForBlocks(length, (s, n) =>
        {
            ReadOnlySpan<T> xs = xa.AsSpan(xOffset + s, n);
            Span<T> ys = ya.AsSpan(yOffset + s, n);
            switch (op)
            {
                case UnaryOp.Identity: VectorLoops.Axpby(xs, scale, T.Zero, ys); break;
                case UnaryOp.Abs: TensorPrimitives.Abs(xs, ys); TensorPrimitives.Multiply(ys, scale, ys); break;
                case UnaryOp.Square: TensorPrimitives.Multiply(xs, xs, ys); TensorPrimitives.Multiply(ys, scale, ys); break;
                default: throw new ArgumentOutOfRangeException(nameof(op), op, "unknown map");
            }
        });
    }

    /// <inheritdoc/>
    public override void Gather<T>(Storage<T> src, int srcOffset, Storage<int> index, int indexOffset,
        Storage<T> dst, int dstOffset, int count, T scale, bool accumulate)
    {
        var sa = ArrayOf(src); var ia = ArrayOf(index); var da = ArrayOf(dst);
        _ = ia.AsSpan(indexOffset, count); _ = da.AsSpan(dstOffset, count);
        ForBlocks(count, (s, n) =>
        {
            for (int i = s; i < s + n; i++)
            {
                int j = ia[indexOffset + i];
                T v = j < 0 ? T.Zero : scale * sa[srcOffset + j];
                if (accumulate) da[dstOffset + i] += v; else da[dstOffset + i] = v;
            }
        });
    }

    /// <inheritdoc/>
    public override T Reduce<T>(ReduceOp op, Storage<T> x, int offset, int length)
    {
        var xa = ArrayOf(x);
        _ = xa.AsSpan(offset, length);
        ScalarReadBacks.Count();
        T Block(int s, int n)
        {
            var v = new ReadOnlySpan<T>(xa, offset + s, n);
            return op switch
            {
                ReduceOp.Sum => TensorPrimitives.Sum(v),
                ReduceOp.SumAbs => TensorPrimitives.SumOfMagnitudes(v),
                ReduceOp.SumSquares => TensorPrimitives.SumOfSquares(v),
                ReduceOp.Max => TensorPrimitives.Max(v),
                ReduceOp.Min => TensorPrimitives.Min(v),
                ReduceOp.MaxAbs => T.Abs(TensorPrimitives.MaxMagnitude(v)),
                ReduceOp.Prod => TensorPrimitives.Product(v),
                _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unknown reduction"),
            };
        }
        if (length == 0) return Identity<T>(op);
        int blocks = (length + ReductionBlock - 1) / ReductionBlock;
        var partial = new T[blocks];
        if (length < ParallelThreshold * 2)
            for (int b = 0; b < blocks; b++) partial[b] = Block(b * ReductionBlock, Math.Min(ReductionBlock, length - b * ReductionBlock));
        else
            Parallel.For(0, blocks, b => partial[b] = Block(b * ReductionBlock, Math.Min(ReductionBlock, length - b * ReductionBlock)));
        T acc = partial[0];
        for (int b = 1; b < blocks; b++) acc = Combine(op, acc, partial[b]);
        return acc;
    }

    /// <summary>The value a reduction returns over no elements.</summary>
    public static T Identity<T>(ReduceOp op) where T : unmanaged, IFloatingPointIeee754<T> => op switch
    {
        ReduceOp.Max => T.NegativeInfinity,
        ReduceOp.Min => T.PositiveInfinity,
        ReduceOp.Prod => T.One,
        _ => T.Zero,
    };

    /// <summary>Combines two partial results of a reduction (NaN propagates through max/min).</summary>
    public static T Combine<T>(ReduceOp op, T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => op switch
    {
        ReduceOp.Max or ReduceOp.MaxAbs => T.IsNaN(a) || T.IsNaN(b) ? T.NaN : T.Max(a, b),
        ReduceOp.Min => T.IsNaN(a) || T.IsNaN(b) ? T.NaN : T.Min(a, b),
        ReduceOp.Prod => a * b,
        _ => a + b,
    };

    /// <summary>The contribution of one element to a reduction (|x| for SumAbs, x² for SumSquares...).</summary>
    public static T Lift<T>(ReduceOp op, T x) where T : unmanaged, IFloatingPointIeee754<T> => op switch
    {
        ReduceOp.SumAbs or ReduceOp.MaxAbs => T.Abs(x),
        ReduceOp.SumSquares => x * x,
        _ => x,
    };

    /// <inheritdoc/>
    public override void RowReduce<T>(ReduceOp op, CsrIndices a, Storage<T> values, int valOffset, Storage<T> result, int resultOffset)
    {
        var rp = ArrayOf(a.RowPtr); var va = ArrayOf(values); var ra = ArrayOf(result);
        _ = va.AsSpan(valOffset, a.Nnz); _ = ra.AsSpan(resultOffset, a.Rows);
        var part = PartitionOf(a);
        void Rows(int r0, int r1)
        {
            for (int r = r0; r < r1; r++)
            {
                T acc = Identity<T>(op);
                for (int k = rp[r]; k < rp[r + 1]; k++) acc = Combine(op, acc, Lift(op, va[valOffset + k]));
                ra[resultOffset + r] = acc;
            }
        }
        if (part.Count == 1 || a.Nnz < ParallelThreshold) Rows(0, a.Rows);
        else Parallel.For(0, part.Count, b => Rows(part.Starts[b], part.Starts[b + 1]));
    }

    /// <summary>
    /// Σ over fixed blocks of <see cref="ReductionBlock"/> elements, partial results added in
    /// block order: the bits depend on the length only, never on the number of threads.
    /// </summary>
    public static T DeterministicSum<T>(int length, Func<int, int, T> blockSum) where T : unmanaged, INumberBase<T>
    {
        int blocks = (length + ReductionBlock - 1) / ReductionBlock;
        if (blocks <= 1) return length == 0 ? T.Zero : blockSum(0, length);
        var partial = new T[blocks];
        if (length < ParallelThreshold * 2)
            for (int b = 0; b < blocks; b++) partial[b] = blockSum(b * ReductionBlock, Math.Min(ReductionBlock, length - b * ReductionBlock));
        else
            Parallel.For(0, blocks, b => partial[b] = blockSum(b * ReductionBlock, Math.Min(ReductionBlock, length - b * ReductionBlock)));
        T sum = T.Zero;
        foreach (var p in partial) sum += p;
        return sum;
    }

    /// <summary>Runs <paramref name="body"/>(start, count) over the range in parallel blocks when it is long enough.</summary>
    public static void ForBlocks(int length, Action<int, int> body)
    {
        if (length < ParallelThreshold) { if (length > 0) body(0, length); return; }
        int blocks = Math.Min(Threads * 4, (length + 4095) / 4096);
        Parallel.For(0, blocks, b =>
        {
            int s = (int)((long)length * b / blocks), e = (int)((long)length * (b + 1) / blocks);
            body(s, e - s);
        });
    }
}

