using TorchSla.Solvers;
using Xunit;

namespace TorchSla.Tests.Solvers;

public class CgAllocationTests
{
    [Fact]
    public void IterationsAllocateNoVectors()
    {
        // The loop allocates its work vectors once; what remains per iteration is the backend's
        // small bookkeeping (closures of the CPU kernels), far below one vector (n·8 bytes).
        int m = 60, n = m * m;
        var a = SparseTensor.Poisson2D<double>(m);
        var b = Tensor<double>.Ones([n]);
        var warm = a.Solve(b, new SolveOptions { MaxIterations = 5 });
        long few = Measure(() => a.Solve(b, new SolveOptions { MaxIterations = 10 }));
        long many = Measure(() => a.Solve(b, new SolveOptions { MaxIterations = 110 }));
        double perIteration = (many - few) / 100.0;
        Assert.True(perIteration < n * 8 / 8.0, $"{perIteration} bytes allocated per iteration (a vector is {n * 8} bytes)");
        Assert.NotNull(warm);
    }

    private static long Measure(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
