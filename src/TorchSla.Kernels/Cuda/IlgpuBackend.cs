using System.Collections.Concurrent;
using System.Numerics;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using TorchSla.Kernels.Memory;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// The GPU backend: every <see cref="Backend"/> primitive as an ILGPU kernel on one accelerator,
/// a CUDA GPU in production or ILGPU's CPU accelerator (a faithful but slow emulator of the same
/// kernels, warps and shared memory included) in tests. Kernels are compiled once per element
/// type and kept (<see cref="JitTime"/>); all work goes to the accelerator's default stream in
/// call order, and calls are serialised by a lock, so kernels see each other's results without
/// explicit synchronisation. Only results the host must read (reductions, copies to the host)
/// wait for the device.
/// </summary>
public sealed partial class IlgpuBackend : Backend, IDisposable
{
    private const int Threads = 256;
    private readonly Context _context;
    private readonly ConcurrentDictionary<Type, object> _kernels = new();
    private readonly ConcurrentDictionary<Type, object> _scratch = new();
    private readonly Device _device;
    private long _jitTicks;

    internal readonly object Sync = new();
    internal Accelerator Accelerator { get; }
    internal BufferPool Pool { get; }

    [ThreadStatic] private static long _threadAllocations;

    /// <summary>Device allocations (pooled or not) requested by the calling thread so far: tests check that a solver's loop makes none.</summary>
    internal static long ThreadAllocations => _threadAllocations;

    private long _liveBytes, _peakLiveBytes, _stagePeakLiveBytes;

    /// <summary>Bytes held by storages of this backend that are alive now (not disposed; the pool's spare buffers are not counted).</summary>
    public long LiveBytes => Interlocked.Read(ref _liveBytes);

    /// <summary>The most <see cref="LiveBytes"/> seen since the last <see cref="ResetPeakLiveBytes"/>.</summary>
    public long PeakLiveBytes => Interlocked.Read(ref _peakLiveBytes);

    /// <summary>Starts a new peak measurement from the bytes alive now.</summary>
    public void ResetPeakLiveBytes() => Interlocked.Exchange(ref _peakLiveBytes, LiveBytes);

    /// <summary>
    /// The most <see cref="LiveBytes"/> seen since the previous call (a second peak, independent of <see cref="PeakLiveBytes"/>,
    /// so that a profile can charge each stage with its own peak without disturbing a whole-run measurement).
    /// </summary>
    internal long TakeStagePeakLiveBytes() => Interlocked.Exchange(ref _stagePeakLiveBytes, LiveBytes);

    internal void CountLive(long bytes)
    {
        long now = Interlocked.Add(ref _liveBytes, bytes);
        long peak;
        while (now > (peak = Interlocked.Read(ref _peakLiveBytes)) && Interlocked.CompareExchange(ref _peakLiveBytes, now, peak) != peak) { }
        while (now > (peak = Interlocked.Read(ref _stagePeakLiveBytes)) && Interlocked.CompareExchange(ref _stagePeakLiveBytes, now, peak) != peak) { }
    }

    /// <summary>Forces the lanes per row of SpMV (log2, 0…5) for benchmarks; −1 lets the plan choose.</summary>
    internal int ForcedLogLanes { get; set; } = -1;

    /// <summary>Forces the binned (load-balanced) SpMV plan for benchmarks.</summary>
    internal bool ForceBinned { get; set; }

    /// <summary>Forces the CSR-stream SpMV kernel for benchmarks and tests.</summary>
    internal bool ForceStream { get; set; }

    private IlgpuBackend(Context context, Accelerator accelerator, Device device)
    {
        _context = context;
        Accelerator = accelerator;
        _device = device;
        if (accelerator.MaxNumThreadsPerGroup < Threads)
            throw new NotSupportedException($"{accelerator.Name} runs at most {accelerator.MaxNumThreadsPerGroup} threads per group; the kernels need {Threads}");
        // Keep at most an eighth of the device (and 4 GiB) in freed buffers for reuse.
        Pool = new BufferPool(Math.Min(accelerator.MemorySize / 8, 4L << 30));
        // Compile the float64 kernels now, so JitTime is known when the backend is reported.
        lock (Sync) { Accelerator.Bind(); _ = K<double>(); _ = Raw<double>(); _ = Raw<int>(); }
    }

    private static readonly Lazy<int> DeviceCount = new(CountCudaDevices);

    /// <summary>Number of CUDA GPUs ILGPU finds (0 when there is no driver or no GPU); probed once per process.</summary>
    public static int CudaDeviceCount() => DeviceCount.Value;

    private static int CountCudaDevices()
    {
        try
        {
            using var ctx = Context.Create(b => b.Cuda());
            return ctx.GetCudaDevices().Count;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or CudaException or EntryPointNotFoundException)
        {
            return 0;
        }
    }

    /// <summary>The backend of CUDA GPU <paramref name="index"/>.</summary>
    /// <exception cref="NotSupportedException">No CUDA device with that ordinal (no driver, no GPU, or too few GPUs).</exception>
    public static IlgpuBackend CreateCuda(int index)
    {
        Context ctx;
        try
        {
            ctx = Context.Create(b => b.Cuda().Optimize(OptimizationLevel.O2).EnableAlgorithms());
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or CudaException or EntryPointNotFoundException)
        {
            throw new NotSupportedException($"no CUDA device cuda:{index}: the CUDA driver could not be loaded ({e.Message})", e);
        }
        var devices = ctx.GetCudaDevices();
        if (index >= devices.Count)
        {
            ctx.Dispose();
            throw new NotSupportedException(devices.Count == 0
                ? $"no CUDA device cuda:{index}: no CUDA GPU was found on this machine"
                : $"no CUDA device cuda:{index}: this machine has {devices.Count} CUDA GPU(s), cuda:0…cuda:{devices.Count - 1}");
        }
        var acc = ctx.CreateCudaAccelerator(index);
        return new IlgpuBackend(ctx, acc, Device.Cuda(index));
    }

    /// <summary>
    /// A backend that runs the same kernels on ILGPU's CPU accelerator (emulating a 32-lane-warp
    /// GPU), reporting itself as <paramref name="device"/>. For tests on machines without a GPU:
    /// about 10³ times slower than native code, so give it tiny inputs only.
    /// </summary>
    public static IlgpuBackend CreateCpuEmulator(Device device)
    {
        var ctx = Context.Create(b => b.CPU(CPUDeviceKind.Nvidia).Optimize(OptimizationLevel.O1).EnableAlgorithms());
        var acc = ctx.CreateCPUAccelerator(0);
        return new IlgpuBackend(ctx, acc, device);
    }

    /// <inheritdoc/>
    public override Device Device => _device;

    /// <summary>The accelerator's name (e.g. "NVIDIA H100 80GB HBM3").</summary>
    public string Name => Accelerator.Name;

    /// <summary>Device memory in bytes.</summary>
    public long MemoryBytes => Accelerator.MemorySize;

    /// <summary>Number of streaming multiprocessors.</summary>
    public int MultiprocessorCount => Accelerator.NumMultiprocessors;

    /// <summary>CUDA compute capability "major.minor", or "emulator" on the CPU accelerator.</summary>
    public string ComputeCapability => Accelerator is CudaAccelerator c
        ? $"{c.Architecture.Major}.{c.Architecture.Minor}"
        : "emulator";

    /// <summary>Whether the kernels run on ILGPU's CPU emulator rather than a GPU.</summary>
    public bool IsEmulator => Accelerator is CPUAccelerator;

    /// <summary>Total time spent compiling kernels so far (ILGPU IL → PTX plus the driver's PTX JIT).</summary>
    public TimeSpan JitTime => TimeSpan.FromTicks(Interlocked.Read(ref _jitTicks));

    /// <summary>Bytes free on the device now (CUDA: cuMemGetInfo; emulator: −1).</summary>
    public long FreeBytes()
    {
        if (Accelerator is not CudaAccelerator) return -1;
        lock (Sync)
        {
            Accelerator.Bind();
            return CudaAPI.CurrentAPI.GetMemoryInfo(out long free, out long _) == CudaError.CUDA_SUCCESS ? free : -1;
        }
    }

    /// <inheritdoc/>
    public override string Description =>
        $"{_device}: {Name}{(IsEmulator ? " (ILGPU CPU emulator)" : "")}, {MemoryBytes / (double)(1L << 30):F1} GiB, " +
        $"compute capability {ComputeCapability}, {MultiprocessorCount} SMs, kernel JIT {JitTime.TotalSeconds:F2} s (ILGPU {typeof(Context).Assembly.GetName().Version})";

    // ---------------------------------------------------------------- plumbing

    internal KernelSet<T> K<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
        Compiled(a => new KernelSet<T>(a), k => k.CompileSeconds);

    private RawKernelSet<T> Raw<T>() where T : unmanaged => Compiled(a => new RawKernelSet<T>(a), k => k.CompileSeconds);

    /// <summary>The kernel set of type <typeparamref name="TSet"/>, compiled once per backend on a thread bound to the accelerator (time added to <see cref="JitTime"/>).</summary>
    private TSet Compiled<TSet>(Func<Accelerator, TSet> compile, Func<TSet, double> seconds) where TSet : class
    {
        if (_kernels.TryGetValue(typeof(TSet), out var o)) return (TSet)o;
        lock (Sync)
        {
            Accelerator.Bind();
            return (TSet)_kernels.GetOrAdd(typeof(TSet), _ =>
            {
                var k = compile(Accelerator);
                Interlocked.Add(ref _jitTicks, TimeSpan.FromSeconds(seconds(k)).Ticks);
                return k;
            });
        }
    }

    /// <summary>A launch of <paramref name="groups"/> thread groups of the reductions' size (one group per partial sum).</summary>
    private static KernelConfig Groups(int groups) => new(new Index1D(groups), new Index1D(ReductionKernels.GroupSize));

    private static KernelConfig Cfg(long threads)
    {
        long groups = (threads + Threads - 1) / Threads;
        if (groups > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(threads), $"{threads} threads exceed one launch");
        return new KernelConfig(new Index1D((int)Math.Max(groups, 1)), new Index1D(Threads));
    }

    /// <summary>The view of a storage of this backend, or a clear error for one of another device.</summary>
    private IlgpuStorage<T> Own<T>(Storage<T> s, string name) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(s, name);
        if (s is IlgpuStorage<T> g && ReferenceEquals(g.Owner, this)) return g;
        throw new ArgumentException($"{name} lives on {s.Device}, not on this backend's device {_device}", name);
    }

    private static void CheckRange<T>(Storage<T> s, int offset, long length, string name) where T : unmanaged
    {
        if (offset < 0 || length < 0 || offset + length > s.Length)
            throw new ArgumentOutOfRangeException(name, $"{name}: elements [{offset}, {offset + length}) are outside a storage of {s.Length}");
    }

    private ArrayView<T> View<T>(Storage<T> s, int offset, long length, string name) where T : unmanaged
    {
        var g = Own(s, name);
        CheckRange(s, offset, length, name);
        return length == 0 ? default : g.Slice(offset, (int)length);
    }

    // ---------------------------------------------------------------- memory

    /// <inheritdoc/>
    public override Storage<T> Allocate<T>(int length)
    {
        var s = AllocateUninitialized<T>(length);
        if (length > 0) lock (Sync) { Accelerator.Bind(); s.View.MemSetToZero(); }
        return s;
    }

    /// <inheritdoc/>
    public override Storage<T> Upload<T>(ReadOnlySpan<T> data)
    {
        var s = AllocateUninitialized<T>(data.Length);
        s.CopyFrom(data);
        return s;
    }

    /// <summary>Device memory for <paramref name="length"/> elements, reused from the pool when one of that size was freed.</summary>
    /// <exception cref="DeviceOutOfMemoryException">The device cannot hold the request even after the pool is emptied.</exception>
    internal IlgpuStorage<T> AllocateUninitialized<T>(int length) where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0) return new IlgpuStorage<T>(this, null, 0);
        long bytes = (long)length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        _threadAllocations++;
        var pooled = Pool.Take<T>(length);
        if (pooled is not null) return new IlgpuStorage<T>(this, pooled, length);
        if (bytes > Accelerator.MemorySize)
            throw new DeviceOutOfMemoryException(_device, bytes, FreeBytes());
        lock (Sync)
        {
            Accelerator.Bind();
            try
            {
                return new IlgpuStorage<T>(this, Accelerator.Allocate1D<T>(length), length);
            }
            catch (Exception first) when (first is not ArgumentException)
            {
                // Freed buffers held for reuse may be what is missing: give them back and retry once.
                Pool.Trim();
                try
                {
                    return new IlgpuStorage<T>(this, Accelerator.Allocate1D<T>(length), length);
                }
                catch (Exception e) when (e is not ArgumentException)
                {
                    throw new DeviceOutOfMemoryException(_device, bytes, FreeBytes(), e);
                }
            }
        }
    }

    /// <inheritdoc/>
    public override void Copy<T>(Storage<T> src, int srcOffset, Storage<T> dst, int dstOffset, int length)
    {
        var s = View(src, srcOffset, length, nameof(src));
        var d = View(dst, dstOffset, length, nameof(dst));
        if (length == 0) return;
        Own(dst, nameof(dst)).Touch();
        lock (Sync)
        {
            Accelerator.Bind();
            bool overlap = ReferenceEquals(src, dst) && srcOffset < dstOffset + length && dstOffset < srcOffset + length;
            if (!overlap) { Raw<T>().Copy(Cfg(length), s, d, length); return; }
            if (srcOffset == dstOffset) return;
            // Overlapping ranges of one buffer: go through a temporary, as memmove would.
            using var tmp = AllocateUninitialized<T>(length);
            Raw<T>().Copy(Cfg(length), s, tmp.View, length);
            Raw<T>().Copy(Cfg(length), tmp.View, d, length);
        }
    }

    /// <inheritdoc/>
    public override void Fill<T>(Storage<T> dst, int offset, int length, T value)
    {
        var d = View(dst, offset, length, nameof(dst));
        if (length == 0) return;
        Own(dst, nameof(dst)).Touch();
        lock (Sync) { Accelerator.Bind(); Raw<T>().Fill(Cfg(length), d, length, value); }
    }

    /// <summary>Waits until every queued kernel has finished (for timing).</summary>
    public void Synchronize()
    {
        lock (Sync) { Accelerator.Bind(); Accelerator.Synchronize(); }
    }

    // ---------------------------------------------------------------- sparse products

    internal SpMVPlan PlanOf(CsrIndices a)
    {
        if (a.BackendCache is SpMVPlan p) return p;
        lock (Sync)
        {
            if (a.BackendCache is SpMVPlan q) return q;
            Own(a.RowPtr, "a.RowPtr"); Own(a.ColInd, "a.ColInd");
            if (a.Rows >= DevicePlanMinRows && !ForceBinned && DevicePlan(a) is { } d) { a.BackendCache = d; return d; }
            var rp = a.RowPtr.ToArray();
            p = SpMVPlan.Build(rp, a.Cols, Accelerator.WarpSize, list => Upload<int>(list));
            if (ForceBinned) p.BuildBins(rp, Accelerator.WarpSize, list => Upload<int>(list));
            if (p.UseStream || ForceStream) p.BuildStream(rp, list => Upload<int>(list));
            a.BackendCache = p;
            return p;
        }
    }

    /// <inheritdoc/>
    public override void SpMV<T>(CsrIndices a, Storage<T> values, int valOffset,
        Storage<T> x, int xOffset, Storage<T> y, int yOffset, T alpha, T beta) =>
        SpMVBatched(a, values, valOffset, 1, x, xOffset, a?.Cols ?? 0, y, yOffset, alpha, beta);

    /// <inheritdoc/>
    public override void SpMVBatched<T>(CsrIndices a, Storage<T> values, int valOffset, int batch,
        Storage<T> x, int xOffset, int xStride, Storage<T> y, int yOffset, T alpha, T beta)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (xStride != 0 && xStride < a.Cols)
            throw new ArgumentOutOfRangeException(nameof(xStride), $"x stride {xStride} is neither 0 (broadcast) nor at least the {a.Cols} columns");
        var rowPtr = View(a.RowPtr, 0, a.Rows + 1L, "a.RowPtr");
        var colInd = View(a.ColInd, 0, a.Nnz, "a.ColInd");
        var v = View(values, valOffset, (long)batch * a.Nnz, nameof(values));
        var xv = View(x, xOffset, batch == 0 ? 0 : (long)xStride * (batch - 1) + a.Cols, nameof(x));
        var yv = View(y, yOffset, (long)batch * a.Rows, nameof(y));
        if (batch == 0 || a.Rows == 0) return;
        var plan = PlanOf(a);
        int betaZero = beta == T.Zero ? 1 : 0;
        var k = K<T>();
        lock (Sync)
        {
            Accelerator.Bind();
            bool forced = ForceBinned || ForceStream || ForcedLogLanes >= 0;
            if (ForceStream || (!forced && plan.UseStream))
            {
                if (plan.StreamBlocks is null) plan.BuildStream(a.RowPtr.ToArray(), list => Upload<int>(list));
                var blocks = ((IlgpuStorage<int>)plan.StreamBlocks!).View;
                var partial = plan.Slots > 0 ? Scratch<T>(checked(plan.Slots * batch)) : default;
                var p = new CsrLaunch { ListLength = plan.StreamBlockCount, Rows = a.Rows, Nnz = a.Nnz, XStride = xStride, Batch = batch, BetaZero = betaZero, Slots = plan.Slots };
                k.Stream(new KernelConfig(new Index1D(checked(batch * plan.StreamBlockCount)), new Index1D(CsrStreamKernels.Threads)),
                    rowPtr, colInd, v, xv, yv, blocks, partial, p, alpha, beta);
                if (plan.LongRowCount > 0)
                    k.FinishLongRows(Cfg((long)plan.LongRowCount * batch), yv, ((IlgpuStorage<int>)plan.LongRows!).View, partial,
                        plan.LongRowCount, plan.Slots, a.Rows, batch, betaZero, alpha, beta);
                return;
            }
            bool binned = ForceBinned || (plan.Skewed && ForcedLogLanes < 0);
            if (!binned)
            {
                int logS = ForcedLogLanes >= 0 ? Math.Min(ForcedLogLanes, SpMVPlan.LogLanesFor(32, Accelerator.WarpSize)) : plan.UniformLogS;
                LaunchSubWarp(k, rowPtr, colInd, v, xv, yv, default, a, 0, a.Rows, batch, xStride, logS, betaZero, alpha, beta);
                return;
            }
            if (plan.BinRows is null) plan.BuildBins(a.RowPtr.ToArray(), Accelerator.WarpSize, list => Upload<int>(list));
            var rows = ((IlgpuStorage<int>)plan.BinRows!).View;
            for (int b = 0; b < SpMVPlan.BinCount; b++)
            {
                int s0 = plan.BinStart[b], len = plan.BinStart[b + 1] - s0;
                if (len == 0) continue;
                var list = rows.SubView(s0, len);
                if (b == SpMVPlan.BinCount - 1)
                {
                    var p = new CsrLaunch { ListLength = len, UseList = 1, Rows = a.Rows, Nnz = a.Nnz, XStride = xStride, Batch = batch, BetaZero = betaZero };
                    k.BlockRow(new KernelConfig(new Index1D(checked(batch * len)), new Index1D(SpMVKernels.BlockRowThreads)),
                        rowPtr, colInd, v, xv, yv, list, p, alpha, beta);
                }
                else LaunchSubWarp(k, rowPtr, colInd, v, xv, yv, list, a, 1, len, batch, xStride, b, betaZero, alpha, beta);
            }
        }
    }

    private static void LaunchSubWarp<T>(KernelSet<T> k, ArrayView<int> rowPtr, ArrayView<int> colInd, ArrayView<T> v,
        ArrayView<T> x, ArrayView<T> y, ArrayView<int> list, CsrIndices a, int useList, int listLength, int batch, int xStride,
        int logS, int betaZero, T alpha, T beta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long threads = ((long)batch * listLength) << logS;
        if (threads < int.MaxValue - Threads)
        {
            var p = new CsrLaunch { ListLength = listLength, UseList = useList, Rows = a.Rows, Nnz = a.Nnz, XStride = xStride, Batch = batch, LogS = logS, BetaZero = betaZero };
            k.SubWarp(Cfg(threads), rowPtr, colInd, v, x, y, list, p, alpha, beta);
            return;
        }
        // Too many threads for one launch: one launch per matrix of the batch.
        for (int b = 0; b < batch; b++)
        {
            var p = new CsrLaunch { ListLength = listLength, UseList = useList, Rows = a.Rows, Nnz = a.Nnz, XStride = 0, Batch = 1, LogS = logS, BetaZero = betaZero };
            k.SubWarp(Cfg((long)listLength << logS), rowPtr, colInd, v.SubView((long)b * a.Nnz, a.Nnz), x.SubView((long)b * xStride, a.Cols),
                y.SubView((long)b * a.Rows, a.Rows), list, p, alpha, beta);
        }
    }

    /// <inheritdoc/>
    public override void SpMM<T>(CsrIndices a, Storage<T> values, int valOffset,
        Storage<T> x, int xOffset, Storage<T> y, int yOffset, int k, T alpha, T beta)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var rowPtr = View(a.RowPtr, 0, a.Rows + 1L, "a.RowPtr");
        var colInd = View(a.ColInd, 0, a.Nnz, "a.ColInd");
        var v = View(values, valOffset, a.Nnz, nameof(values));
        var xv = View(x, xOffset, (long)a.Cols * k, nameof(x));
        var yv = View(y, yOffset, (long)a.Rows * k, nameof(y));
        long n = (long)a.Rows * k;
        if (n == 0) return;
        lock (Sync)
        {
            Accelerator.Bind();
            K<T>().SpMM(Cfg(n), rowPtr, colInd, v, xv, yv, a.Rows, k, beta == T.Zero ? 1 : 0, alpha, beta);
        }
    }

    // ---------------------------------------------------------------- BLAS-1

    /// <inheritdoc/>
    public override void Axpby<T>(T alpha, Storage<T> x, int xOffset, T beta, Storage<T> y, int yOffset, int length)
    {
        var xv = View(x, xOffset, length, nameof(x));
        var yv = View(y, yOffset, length, nameof(y));
        if (length == 0) return;
        lock (Sync) { Accelerator.Bind(); K<T>().Axpby(Cfg(length), xv, yv, length, beta == T.Zero ? 1 : 0, alpha, beta); }
    }

    /// <inheritdoc/>
    public override void Map<T>(UnaryOp op, T scale, Storage<T> x, int xOffset, Storage<T> y, int yOffset, int length)
    {
        if (op is not (UnaryOp.Identity or UnaryOp.Abs or UnaryOp.Square)) throw new ArgumentOutOfRangeException(nameof(op), op, "unknown map");
        var xv = View(x, xOffset, length, nameof(x));
        var yv = View(y, yOffset, length, nameof(y));
        if (length == 0) return;
        lock (Sync) { Accelerator.Bind(); K<T>().Map(Cfg(length), xv, yv, length, (int)op, scale); }
    }

    /// <inheritdoc/>
    public override void Gather<T>(Storage<T> src, int srcOffset, Storage<int> index, int indexOffset,
        Storage<T> dst, int dstOffset, int count, T scale, bool accumulate)
    {
        var sg = Own(src, nameof(src));
        if (srcOffset < 0 || srcOffset > src.Length) throw new ArgumentOutOfRangeException(nameof(srcOffset), $"source offset {srcOffset} is outside a storage of {src.Length}");
        var iv = View(index, indexOffset, count, nameof(index));
        var dv = View(dst, dstOffset, count, nameof(dst));
        if (count == 0) return;
        int srcLength = src.Length - srcOffset;
        var sv = srcLength == 0 ? sg.View.SubView(0, 1) : sg.Slice(srcOffset, srcLength);
        var ig = Own(index, nameof(index));
        int version = ig.Version;
        bool known = _gatherChecked.TryGetValue(ig, out var c)
            && c.Version == version && c.Offset == indexOffset && c.Count == count && c.SrcLength <= srcLength;
        int bad;
        lock (Sync)
        {
            Accelerator.Bind();
            var err = Scratch<int>(1);
            if (known)
            {
                // This index range was read back once and found in bounds for a source at most this long, and
                // has not been written since: launch without reading anything back (no host synchronisation).
                K<T>().Gather(Cfg(count), sv, iv, dv, err, count, srcLength, accumulate ? 1 : 0, scale);
                return;
            }
            Raw<int>().Fill(Cfg(1), err, 1, 0);
            K<T>().Gather(Cfg(count), sv, iv, dv, err, count, srcLength, accumulate ? 1 : 0, scale);
            Span<int> e = stackalloc int[1];
            err.CopyToCPU(e);
            bad = e[0];
        }
        if (bad != 0)
            throw new ArgumentOutOfRangeException(nameof(index), $"gather: index {indexOffset + bad - 1} points past the {srcLength} source elements");
        _gatherChecked.AddOrUpdate(ig, new GatherBound(version, indexOffset, count, srcLength));
    }

    /// <summary>An index range of a storage (at a version of its contents) found in bounds for sources of at least <c>SrcLength</c> elements.</summary>
    private sealed record GatherBound(int Version, int Offset, int Count, int SrcLength);

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<IlgpuStorage<int>, GatherBound> _gatherChecked = [];

    // ---------------------------------------------------------------- reductions

    /// <summary>A small device buffer of this type kept for reduction partials and results.</summary>
    private ArrayView<T> Scratch<T>(int length) where T : unmanaged
    {
        if (!_scratch.TryGetValue(typeof(T), out var o) || ((IlgpuStorage<T>)o).Length < length)
        {
            (o as IDisposable)?.Dispose();
            o = AllocateUninitialized<T>(Math.Max(length, 4096));
            _scratch[typeof(T)] = o;
        }
        return ((IlgpuStorage<T>)o).Slice(0, length);
    }

    /// <summary>Groups of the first reduction pass: enough to fill every multiprocessor, never more than the data needs.</summary>
    private int ReductionGroups(int length)
    {
        int fill = Accelerator.NumMultiprocessors * Math.Max(1, Accelerator.MaxNumThreadsPerMultiprocessor / ReductionKernels.GroupSize);
        return (int)Math.Clamp((length + (long)ReductionKernels.GroupSize - 1) / ReductionKernels.GroupSize, 1, Math.Max(fill, 1));
    }

    /// <inheritdoc/>
    public override T Dot<T>(Storage<T> x, int xOffset, Storage<T> y, int yOffset, int length)
    {
        var xv = View(x, xOffset, length, nameof(x));
        var yv = View(y, yOffset, length, nameof(y));
        if (length == 0) return T.Zero;
        int g = ReductionGroups(length);
        lock (Sync)
        {
            Accelerator.Bind();
            var k = K<T>();
            var buf = Scratch<T>(g + 1);
            var partial = buf.SubView(1, g);
            var result = buf.SubView(0, 1);
            k.DotPartial(Groups(g), xv, yv, partial, length);
            k.Finish(Groups(1), partial, result, g, (int)ReduceOp.Sum, T.Zero);
            Span<T> r = stackalloc T[1];
            ScalarReadBacks.Count();
            result.CopyToCPU(r);
            return r[0];
        }
    }

    /// <inheritdoc/>
    public override T Reduce<T>(ReduceOp op, Storage<T> x, int offset, int length)
    {
        if (op is < ReduceOp.Sum or > ReduceOp.Prod) throw new ArgumentOutOfRangeException(nameof(op), op, "unknown reduction");
        var xv = View(x, offset, length, nameof(x));
        T identity = Cpu.CpuBackend.Identity<T>(op);
        if (length == 0) return identity;
        int g = ReductionGroups(length);
        lock (Sync)
        {
            Accelerator.Bind();
            var k = K<T>();
            var buf = Scratch<T>(g + 1);
            var partial = buf.SubView(1, g);
            var result = buf.SubView(0, 1);
            // Pass 2 folds partials that are already lifted (|x|, x²): combine them with the plain op.
            int finishOp = op switch { ReduceOp.SumAbs or ReduceOp.SumSquares => (int)ReduceOp.Sum, ReduceOp.MaxAbs => (int)ReduceOp.Max, _ => (int)op };
            T finishIdentity = op == ReduceOp.MaxAbs ? T.Zero : identity;
            k.ReducePartial(Groups(g), xv, partial, length, (int)op, identity);
            k.Finish(Groups(1), partial, result, g, finishOp, finishIdentity);
            Span<T> r = stackalloc T[1];
            ScalarReadBacks.Count();
            result.CopyToCPU(r);
            return r[0];
        }
    }

    /// <inheritdoc/>
    public override void RowReduce<T>(ReduceOp op, CsrIndices a, Storage<T> values, int valOffset, Storage<T> result, int resultOffset)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (op is < ReduceOp.Sum or > ReduceOp.Prod) throw new ArgumentOutOfRangeException(nameof(op), op, "unknown reduction");
        var rowPtr = View(a.RowPtr, 0, a.Rows + 1L, "a.RowPtr");
        var v = View(values, valOffset, a.Nnz, nameof(values));
        var r = View(result, resultOffset, a.Rows, nameof(result));
        if (a.Rows == 0) return;
        lock (Sync)
        {
            Accelerator.Bind();
            K<T>().RowReduce(Cfg(a.Rows), rowPtr, v, r, a.Rows, (int)op, Cpu.CpuBackend.Identity<T>(op));
        }
    }

    /// <summary>Frees the pool, the compiled kernels and the accelerator.</summary>
    public void Dispose()
    {
        foreach (var s in _scratch.Values) (s as IDisposable)?.Dispose();
        foreach (var k in _kernels.Values) (k as IDisposable)?.Dispose();
        Pool.Dispose();
        Accelerator.Dispose();
        _context.Dispose();
    }
}
