using TorchSla.Solvers;
using Xunit;

namespace TorchSla.Tests.Cli;

public class BackendsTests
{
    [Fact]
    public void CpuIsAlwaysAvailableWithEveryMethod()
    {
        var cpu = Assert.Single(Backends.Available(), b => b.Device == Device.Cpu);
        Assert.Equal("cpu", cpu.Name);
        Assert.Equal(SolveMethods.Concrete.Select(m => m.Name()), cpu.Methods);
        Assert.False(string.IsNullOrWhiteSpace(cpu.Version));
        Assert.True(Backends.IsAvailable(Device.Cpu));
        Assert.Contains("cpu", Backends.Show());
    }
}
