using TorchSla.Kernels.Cpu;
using Xunit;

namespace TorchSla.Tests.Kernels;

/// <summary>
/// The CPU fork/join (<see cref="BlockJob"/>): every block runs once, exceptions reach the caller, and a job is reused
/// from pass to pass once the helpers of its last run have returned (a busy job refuses to be reset).
/// </summary>
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

    // Reuse (a job reset once its helpers of the last run have returned: Krylov loops fork without allocating).

    private sealed class ReusableJob(int count) : BlockJob(count)
    {
        public int[] Hits = new int[64];
        public void Again(int count) => Reuse(count);
        protected override void RunBlock(int block) { Interlocked.Increment(ref Hits[block]); Thread.SpinWait(200); }
    }

    [Fact]
    public void AReusedJobRunsEveryBlockOncePerRun()
    {
        var job = new ReusableJob(40);
        for (int run = 1; run <= 20; run++)
        {
            if (run > 1)
            {
                Assert.True(SpinWait.SpinUntil(() => job.Idle, TimeSpan.FromSeconds(30)), "the helpers never returned");
                job.Again(run % 2 == 0 ? 40 : 23);
            }
            int count = run == 1 || run % 2 == 0 ? 40 : 23;
            Array.Clear(job.Hits);
            job.Run(3);
            for (int b = 0; b < job.Hits.Length; b++) Assert.Equal(b < count ? 1 : 0, job.Hits[b]);
        }
    }

    [Fact]
    public void ReuseWhileRunningIsRefused()
    {
        var job = new SelfResettingJob();
        job.Run(0);
        Assert.True(job.Checked);
        Assert.True(job.Idle);
    }

    /// <summary>A job that, from inside its own run, finds itself busy and cannot be reset (a body that forks again must take another job).</summary>
    private sealed class SelfResettingJob() : BlockJob(1)
    {
        public bool Checked;
        protected override void RunBlock(int block)
        {
            Assert.False(Idle);
            Assert.Throws<InvalidOperationException>(() => Reuse(1));
            Checked = true;
        }
    }

    [Fact]
    public void ParallelBlocksRunsEveryBlockOnceAcrossManyCalls()
    {
        for (int call = 0; call < 50; call++)
        {
            var hits = new int[17];
            ParallelBlocks.Run(hits.Length, b => Interlocked.Increment(ref hits[b]));
            Assert.All(hits, h => Assert.Equal(1, h));
        }
    }
}
