using System.Runtime.ExceptionServices;

namespace TorchSla.Kernels.Cpu;

/// <summary>
/// A light fork/join over numbered blocks: the calling thread and <c>helpers</c> thread-pool
/// threads claim blocks from one atomic counter until none is left, and the caller returns once
/// every claimed block is finished. Unlike <see cref="Parallel.For(int, int, Action{int})"/>, a
/// helper that starts late (the pool thread was asleep, or the machine is oversubscribed) claims
/// nothing and is never waited for: the caller has done its blocks meanwhile. This bounds the
/// fork/join cost by one queued work item plus one counter increment per block (a job is reused once its helpers
/// have returned, see <see cref="Idle"/>, so a loop of passes allocates nothing), and it is why
/// the blocks' data may be pinned by the caller only for the duration of <see cref="Run"/>: a
/// block is touched only after a successful claim, and every claim completes before Run returns.
/// </summary>
internal abstract class BlockJob : IThreadPoolWorkItem
{
    private int _count;
    private int _next = -1;
    private int _done;
    private int _queued; // helper work items queued and not yet returned from Execute
    private bool _running; // inside Run on its owner's thread (a body that forks again must take another job)
    private ExceptionDispatchInfo? _error;

    /// <summary>A job of <paramref name="count"/> blocks, numbered 0..count-1.</summary>
    protected BlockJob(int count) { _count = count; }

    /// <summary>
    /// Whether the job may be <see cref="Reuse">reused</see>: every helper queued by earlier runs has returned. A late
    /// helper of a finished run claims nothing, but it still reads the counters, so they may only be reset once it is gone;
    /// on an oversubscribed machine a helper can lag a whole time slice, and the owner then takes a fresh job instead.
    /// </summary>
    public bool Idle => !_running && Volatile.Read(ref _queued) == 0;

    /// <summary>Prepares an <see cref="Idle"/> job for another run of <paramref name="count"/> blocks (so that loops fork without allocating).</summary>
    protected void Reuse(int count)
    {
        if (!Idle) throw new InvalidOperationException("a helper of the previous run is still queued");
        _count = count; _done = 0; _error = null;
        Volatile.Write(ref _next, -1);
    }

    /// <summary>Does block <paramref name="block"/>; called exactly once per block, on some thread.</summary>
    protected abstract void RunBlock(int block);

    /// <summary>Runs all blocks with the caller and up to <paramref name="helpers"/> pool threads; rethrows a block's exception.</summary>
    public void Run(int helpers)
    {
        _running = true;
        try { RunBlocks(helpers); }
        finally { _running = false; }
    }

    private void RunBlocks(int helpers)
    {
        for (int i = 0; i < Math.Min(helpers, _count - 1); i++)
        {
            Interlocked.Increment(ref _queued);
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
        Work();
        // The remaining blocks are running on helpers right now; wait without sleeping (Sleep(1) would add a millisecond).
        var spin = new SpinWait();
        while (Volatile.Read(ref _done) < _count) spin.SpinOnce(sleep1Threshold: -1);
        _error?.Throw();
    }

    /// <summary>The helpers' entry point.</summary>
    void IThreadPoolWorkItem.Execute()
    {
        try { Work(); }
        finally { Interlocked.Decrement(ref _queued); }
    }

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

/// <summary>
/// A <see cref="BlockJob"/> that runs an owner's block method, with the dispatch rule the CPU's fused block passes
/// share (CgBlocks, GmresBlocks): one block or too little work runs on the caller; otherwise the owner's job is reused
/// while its helpers of the last pass have returned (a fresh one otherwise), so a solver loop allocates nothing.
/// </summary>
internal sealed class OwnedBlockJob(Action<int> runBlock) : BlockJob(0)
{
    /// <summary>Runs <paramref name="runBlock"/> over <paramref name="blocks"/> blocks (in parallel from <see cref="CpuBackend.ParallelThreshold"/> units of work).</summary>
    public static void Dispatch(ref OwnedBlockJob? job, Action<int> runBlock, int blocks, long work)
    {
        if (blocks <= 1 || work < CpuBackend.ParallelThreshold)
        {
            for (int i = 0; i < blocks; i++) runBlock(i);
            return;
        }
        if (job is not { Idle: true }) job = new OwnedBlockJob(runBlock);
        job.Reuse(blocks);
        job.Run(CpuBackend.Threads - 1);
    }

    protected override void RunBlock(int block) => runBlock(block);
}
