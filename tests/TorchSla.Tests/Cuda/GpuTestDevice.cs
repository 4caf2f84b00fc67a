using TorchSla.Kernels;
using TorchSla.Kernels.Cuda;

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
