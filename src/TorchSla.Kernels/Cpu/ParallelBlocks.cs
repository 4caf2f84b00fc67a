namespace TorchSla.Kernels.Cpu;

/// <summary>
/// A <see cref="BlockJob"/> around a delegate, for host passes outside this assembly (the AMG setup's
/// graph and product passes) that want the same fork/join: the caller works, late helpers claim nothing. The job is
/// reused per calling thread (see <see cref="BlockJob.Idle"/>), so only the caller's closure is allocated per pass.
/// </summary>
internal static class ParallelBlocks
{
    /// <summary>Calls <paramref name="body"/>(b) once for every b in [0, count), on the caller and up to <see cref="CpuBackend.Threads"/> − 1 pool threads.</summary>
    public static void Run(int count, Action<int> body)
    {
        if (count <= 1) { if (count == 1) body(0); return; }
        if (_cached is not { Idle: true }) _cached = new DelegateJob();
        var job = _cached;
        job.Start(count, body);
        try { job.Run(CpuBackend.Threads - 1); }
        finally { job.Body = null; } // every claimed block has finished: late helpers claim nothing, so the closure can go
    }

    [ThreadStatic] private static DelegateJob? _cached;

    /// <summary>Blocks for a pass over <paramref name="items"/> items: one per <paramref name="minPerBlock"/> items, at least one and at most four per thread.</summary>
    public static int CountFor(long items, int minPerBlock = 8192) =>
        (int)Math.Clamp(items / minPerBlock, 1, CpuBackend.Threads * 4L);

    /// <summary>The first item of block <paramref name="block"/> when <paramref name="items"/> are cut into <paramref name="blocks"/> equal ranges.</summary>
    public static int Start(int items, int blocks, int block) => (int)((long)items * block / blocks);

    private sealed class DelegateJob() : BlockJob(0)
    {
        public Action<int>? Body;
        public void Start(int count, Action<int> body) { Body = body; Reuse(count); }
        protected override void RunBlock(int block) => Body!(block);
    }
}
