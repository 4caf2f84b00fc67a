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
            Assert.Null(HugePages.ReserveForBurst(64 << 20));
        }
        finally { HugePages.Enabled = was; }
    }

    [Fact]
    public void ABurstReservationHoldsOffCollectionsUntilDisposedAndDoesNotNest()
    {
        var reservation = HugePages.ReserveForBurst(64 << 20);
        if (reservation is null) return; // huge pages off, or another test holds a no-GC region right now
        try
        {
            // Inside: no collection runs while the burst stays within its budget, and fresh arrays are zeroed and writable.
            int gen0 = GC.CollectionCount(0);
            var arrays = new List<double[]>();
            for (int i = 0; i < 16; i++) arrays.Add(new double[1 << 19]); // 16 × 4 MB
            Assert.All(arrays, a => Assert.Equal(0.0, a[^1]));
            arrays[^1][^1] = 2;
            Assert.Equal(2, arrays[^1][^1]);
            Assert.Equal(gen0, GC.CollectionCount(0));
            Assert.Null(HugePages.ReserveForBurst(64 << 20)); // one region at a time: a nested request changes nothing
        }
        finally { reservation.Dispose(); }
        Assert.NotEqual(System.Runtime.GCLatencyMode.NoGCRegion, System.Runtime.GCSettings.LatencyMode);
        reservation.Dispose(); // a second dispose is harmless
    }

    [Fact]
    public void ABurstLargerThanItsReservationEndsTheRegionByCollectingWithoutHarm()
    {
        var reservation = HugePages.ReserveForBurst(8 << 20);
        if (reservation is null) return;
        var arrays = new List<double[]>();
        for (int i = 0; i < 16; i++) { var a = new double[1 << 19]; a[0] = i; arrays.Add(a); } // 64 MB against 8 + 16 MB asked
        reservation.Dispose();
        Assert.NotEqual(System.Runtime.GCLatencyMode.NoGCRegion, System.Runtime.GCSettings.LatencyMode);
        for (int i = 0; i < 16; i++) Assert.Equal(i, arrays[i][0]);
    }

    [Fact]
    public void ABurstAboveTheCapIsNotReserved()
    {
        // Large setups fault their memory as they write it (measured faster there): nothing changes, on every OS.
        Assert.Null(HugePages.ReserveForBurst(HugePages.MaxReservedBurst + 1));
        Assert.NotEqual(System.Runtime.GCLatencyMode.NoGCRegion, System.Runtime.GCSettings.LatencyMode);
    }
}
