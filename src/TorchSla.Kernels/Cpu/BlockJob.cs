using System.Runtime.ExceptionServices;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// A light fork/join over numbered blocks: the calling thread and <c>helpers</c> thread-pool
/// threads claim blocks from one atomic counter until none is left, and the caller returns once
/// every claimed block is finished. Unlike <see cref="Parallel.For(int, int, Action{int})"/>, a
/// helper that starts late (the pool thread was asleep, or the machine is oversubscribed) claims
/// nothing and is never waited for: the caller has done its blocks meanwhile. This bounds the
/// fork/join cost by one queued work item plus one counter increment per block, and it is why
/// the blocks' data may be pinned by the caller only for the duration of <see cref="Run"/>: a
/// block is touched only after a successful claim, and every claim completes before Run returns.
/// </summary>
internal abstract class BlockJob : IThreadPoolWorkItem
{
    private readonly int _count;
    private int _next = -1;
    private int _done;
    private ExceptionDispatchInfo? _error;

    /// <summary>A job of <paramref name="count"/> blocks, numbered 0..count-1.</summary>
    protected BlockJob(int count) { _count = count; }

    /// <summary>Does block <paramref name="block"/>; called exactly once per block, on some thread.</summary>
    protected abstract void RunBlock(int block);

    /// <summary>Runs all blocks with the caller and up to <paramref name="helpers"/> pool threads; rethrows a block's exception.</summary>
    public void Run(int helpers)
    {
        for (int i = 0; i < Math.Min(helpers, _count - 1); i++) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        Work();
        // The remaining blocks are running on helpers right now; wait without sleeping (Sleep(1) would add a millisecond).
        var spin = new SpinWait();
        while (Volatile.Read(ref _done) < _count) spin.SpinOnce(sleep1Threshold: -1);
        _error?.Throw();
    }

    /// <summary>The helpers' entry point.</summary>
    void IThreadPoolWorkItem.Execute() => Work();

    private void Work()
    {
        int b;
        while ((b = Interlocked.Increment(ref _next)) < _count)
        {
            try { RunBlock(b); }
            catch (Exception e) { Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(e), null); }
            finally { Interlocked.Increment(ref _done); }
        }
    }
}
