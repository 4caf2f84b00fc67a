using TorchSla.Kernels.Cpu;
using Xunit;

namespace TorchSla.Tests.Kernels;

/// <summary>
/// The huge-page advice for the managed heap: on Linux it covers the mapping of the GC's large objects (the bytes advised
/// include a large array allocated just before), it changes nothing an array holds, and turned off it does nothing.
/// </summary>
public class HugePagesTests
{
    [Fact]
    public void AdviceCoversTheLargeObjectHeapAndLeavesArraysIntact()
    {
        var before = new double[1 << 20];
        for (int i = 0; i < before.Length; i++) before[i] = i * 0.5;
        long advised = HugePages.Advise();
        if (!HugePages.Enabled) { Assert.Equal(0, advised); return; }
        Assert.True(advised >= before.Length * sizeof(double), $"advised {advised} bytes, less than the 8 MB array in that heap");
        for (int i = 0; i < before.Length; i++) Assert.Equal(i * 0.5, before[i]);
        // Fresh memory after the advice is zeroed and writable as any other.
        var after = new double[3 << 20];
        Assert.All(after, v => Assert.Equal(0.0, v));
        after[^1] = 1;
        Assert.Equal(1, after[^1]);
    }

    [Fact]
    public void TurnedOffItDoesNothing()
    {
        bool was = HugePages.Enabled;
        try
        {
            HugePages.Enabled = false;
            Assert.Equal(0, HugePages.Advise());
        }
        finally { HugePages.Enabled = was; }
    }
}
