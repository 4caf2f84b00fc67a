using TorchSla.Kernels;
using TorchSla.Kernels.Cuda;
using Xunit;

// cuda:0 is resolved (GPU or emulator) before any test runs, so that every test of the process
// sees the same set of devices whatever the order (e.g. the CLI's "no CUDA device" test).
[assembly: AssemblyFixture(typeof(TorchSla.Tests.Cuda.GpuDeviceFixture))]

namespace TorchSla.Tests.Cuda;

/// <summary>
/// The backend GPU tests run on: the real <c>cuda:0</c> when TORCHSLA_TEST_DEVICE=cuda (on the
/// GPU machine), otherwise the same ILGPU kernels on ILGPU's CPU emulator, registered as
/// <c>cuda:0</c> so that tensor-level code (<c>A.Cuda()</c>) reaches it too.
/// </summary>
internal static class GpuTestDevice
{
    private static readonly Lazy<IlgpuBackend> Instance = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Whether the tests run on a real GPU.</summary>
    public static bool IsReal =>
        string.Equals(Environment.GetEnvironmentVariable("TORCHSLA_TEST_DEVICE"), "cuda", StringComparison.OrdinalIgnoreCase);

    public static Device Device => Device.Cuda(0);

    /// <summary>The backend (created and registered on first use).</summary>
    public static IlgpuBackend Backend => Instance.Value;

    private static IlgpuBackend Create()
    {
        if (IsReal) return (IlgpuBackend)BackendRegistry.Get(Device.Cuda(0));
        var emu = IlgpuBackend.CreateCpuEmulator(Device.Cuda(0));
        BackendRegistry.Override(Device.Cuda(0), emu);
        return emu;
    }

    /// <summary>Makes sure the backend exists and cuda:0 resolves to it.</summary>
    public static Device Ensure()
    {
        _ = Backend;
        return Device;
    }
}

/// <summary>Creates the test GPU backend once, before the first test of the assembly.</summary>
public sealed class GpuDeviceFixture
{
    public GpuDeviceFixture() => GpuTestDevice.Ensure();
}
