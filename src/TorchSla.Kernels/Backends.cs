using System.Collections.Concurrent;
using TorchSla.Kernels.Cpu;

namespace TorchSla.Kernels;

/// <summary>
/// Finds the <see cref="Backend"/> of a device. The CPU backend is built in; GPU backends
/// register a factory, so that callers ask for a device and never name a backend type.
/// </summary>
public static class BackendRegistry
{
    private static readonly ConcurrentDictionary<DeviceKind, Func<int, Backend>> Factories = new();
    private static readonly ConcurrentDictionary<Device, Backend> Live = new();
    private static readonly ConcurrentDictionary<Device, Backend> Overrides = new();

    static BackendRegistry()
    {
        Factories[DeviceKind.Cuda] = Cuda.IlgpuBackend.CreateCuda;
    }

    /// <summary>
    /// Maps <paramref name="device"/> to <paramref name="backend"/> (null removes the mapping), so
    /// that tests can run tensor code for <c>cuda:0</c> on the ILGPU CPU emulator.
    /// </summary>
    internal static void Override(Device device, Backend? backend)
    {
        if (backend is null) Overrides.TryRemove(device, out _);
        else Overrides[device] = backend;
    }

    /// <summary>Registers the factory that creates the backend of device ordinal i of a kind.</summary>
    public static void Register(DeviceKind kind, Func<int, Backend> factory) => Factories[kind] = factory;

    /// <summary>The backend of <paramref name="device"/>, created on first use.</summary>
    /// <exception cref="NotSupportedException">No backend for that kind of device is available on this machine.</exception>
    public static Backend Get(Device device)
    {
        if (device.IsCpu) return CpuBackend.Instance;
        if (Overrides.TryGetValue(device, out var o)) return o;
        return Live.GetOrAdd(device, d =>
            Factories.TryGetValue(d.Kind, out var f)
                ? f(d.Index)
                : throw new NotSupportedException($"no backend for device {d} is available in this build"));
    }

    /// <summary>Backends created so far.</summary>
    public static IReadOnlyCollection<Backend> Created => [CpuBackend.Instance, .. Live.Values, .. Overrides.Values];
}
