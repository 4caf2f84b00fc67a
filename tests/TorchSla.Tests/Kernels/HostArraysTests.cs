using TorchSla.Kernels.Cpu;
using TorchSla.Kernels.Memory;
using Xunit;

namespace TorchSla.Tests.Kernels;

/// <summary>
/// The CPU backend's zeroed arrays and scratch pool (<see cref="HostArrays"/>): a disposed scratch storage's array is the
/// next zeroed allocation of its length, cleared; a rented array is the smallest long-enough one held; the pool lets go of
/// what it holds after about two seconds; a storage that is not scratch never goes back.
/// </summary>
public class HostArraysTests
{
    // Lengths no other test allocates (the pool is process-wide and the tests run in parallel).
    private const int Length = 1_234_567;

    [Fact]
    public void ADisposedScratchArrayIsTheNextZeroedAllocationOfItsLengthCleared()
    {
        var be = CpuBackend.Instance;
        var scratch = be.AllocateScratch<double>(Length);
        var array = ((CpuStorage<double>)scratch).Array;
        Array.Fill(array, 3.5);
        scratch.Dispose();
        scratch.Dispose(); // a second Dispose must not hand the array back twice
        using var next = (CpuStorage<double>)be.Allocate<double>(Length);
        Assert.Same(array, next.Array);
        Assert.All(next.Array, v => Assert.Equal(0.0, v));
        using var another = (CpuStorage<double>)be.Allocate<double>(Length);
        Assert.NotSame(array, another.Array);
    }

    [Fact]
    public void StorageThatIsNotScratchNeverGoesBack()
    {
        var be = CpuBackend.Instance;
        var plain = (CpuStorage<double>)be.Allocate<double>(Length + 1);
        var array = plain.Array;
        plain.Dispose();
        using var next = (CpuStorage<double>)be.Allocate<double>(Length + 1);
        Assert.NotSame(array, next.Array);
    }

    [Fact]
    public void RentTakesTheSmallestLongEnoughArrayAndThePoolLetsGoAfterTwoSeconds()
    {
        var small = new int[Length + 10];
        var large = new int[Length + 20];
        HostArrays.Return(large);
        HostArrays.Return(small);
        Assert.Same(small, HostArrays.Rent<int>(Length + 5));
        Assert.Same(large, HostArrays.Rent<int>(Length + 5));
        Assert.NotSame(large, HostArrays.Rent<int>(Length + 5));
        var held = new int[Length + 30];
        HostArrays.Return(held);
        Thread.Sleep(3500);
        Assert.NotSame(held, HostArrays.Rent<int>(Length + 30));
    }
}
