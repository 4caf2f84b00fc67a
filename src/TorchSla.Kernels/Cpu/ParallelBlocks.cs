namespace TorchSla.Kernels.Cpu;

/// <summary>
/// A <see cref="BlockJob"/> around a delegate, for host passes outside this assembly (the AMG setup's
/// graph and product passes) that want the same fork/join: the caller works, late helpers claim nothing.
/// </summary>
internal static class ParallelBlocks
{
    /// <summary>Calls <paramref name="body"/>(b) once for every b in [0, count), on the caller and up to <see cref="CpuBackend.Threads"/> − 1 pool threads.</summary>
    public static void Run(int count, Action<int> body)
    {
        if (count <= 1) { if (count == 1) body(0); return; }
        new DelegateJob(count, body).Run(CpuBackend.Threads - 1);
    }

    /// <summary>Blocks for a pass over <paramref name="items"/> items: one per <paramref name="minPerBlock"/> items, at least one and at most four per thread.</summary>
    public static int CountFor(long items, int minPerBlock = 8192) =>
        (int)Math.Clamp(items / minPerBlock, 1, CpuBackend.Threads * 4L);

    /// <summary>The first item of block <paramref name="block"/> when <paramref name="items"/> are cut into <paramref name="blocks"/> equal ranges.</summary>
    public static int Start(int items, int blocks, int block) => (int)((long)items * block / blocks);

    private sealed class DelegateJob(int count, Action<int> body) : BlockJob(count)
    {
        protected override void RunBlock(int block) => body(block);
    }
}
