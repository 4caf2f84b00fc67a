using TorchSla.Kernels.Cpu;
using Xunit;

namespace TorchSla.Tests.Kernels;

public class BlockJobTests
{
    private sealed class CountingJob(int count, int throwAt = -1) : BlockJob(count)
    {
        public readonly int[] Runs = new int[count];

        protected override void RunBlock(int block)
        {
            Interlocked.Increment(ref Runs[block]);
            if (block == throwAt) throw new InvalidOperationException($"block {block} failed");
        }
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(8, 1)]
    [InlineData(37, 3)]
    public void EveryBlockRunsExactlyOnce(int blocks, int helpers)
    {
        for (int rep = 0; rep < 50; rep++)
        {
            var job = new CountingJob(blocks);
            job.Run(helpers);
            Assert.All(job.Runs, n => Assert.Equal(1, n));
        }
    }

    [Fact]
    public void ConcurrentJobsDoNotInterfere()
    {
        Parallel.For(0, 8, _ =>
        {
            for (int rep = 0; rep < 50; rep++)
            {
                var job = new CountingJob(9);
                job.Run(2);
                Assert.All(job.Runs, n => Assert.Equal(1, n));
            }
        });
    }

    [Fact]
    public void ABlockExceptionReachesTheCallerAfterAllBlocksRan()
    {
        var job = new CountingJob(12, throwAt: 5);
        var e = Assert.Throws<InvalidOperationException>(() => job.Run(1));
        Assert.Contains("block 5", e.Message);
        Assert.All(job.Runs, n => Assert.Equal(1, n));
    }
}
