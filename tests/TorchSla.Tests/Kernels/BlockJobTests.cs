using TorchSla.Kernels.Cpu;
using Xunit;

namespace TorchSla.Tests.Kernels;

/// <summary>
/// The CPU fork/join (<see cref="BlockJob"/>) is reused from pass to pass so Krylov loops do not allocate a work item
/// per fork: every block still runs exactly once per run, and a job whose helpers of an earlier run have not returned
/// refuses to be reset (its owner then takes a fresh one).
/// </summary>
public class BlockJobTests
{
    private sealed class CountingJob(int count) : BlockJob(count)
    {
        public int[] Hits = new int[64];
        public void Again(int count) => Reuse(count);
        protected override void RunBlock(int block) { Interlocked.Increment(ref Hits[block]); Thread.SpinWait(200); }
    }

    [Fact]
    public void AReusedJobRunsEveryBlockOncePerRun()
    {
        var job = new CountingJob(40);
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
