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
    private static readonly ConcurrentDictionary<DeviceKind, Func<int>> Counts = new();
    private static readonly ConcurrentDictionary<Device, Backend> Overrides = new();

    static BackendRegistry()
    {
        Register(DeviceKind.Cuda, Cuda.IlgpuBackend.CreateCuda, Cuda.IlgpuBackend.CudaDeviceCount);
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

    /// <summary>
    /// Registers the factory that creates the backend of device ordinal i of a kind, and
    /// optionally how many such devices this machine has (for reports; default 1).
    /// </summary>
    public static void Register(DeviceKind kind, Func<int, Backend> factory, Func<int>? deviceCount = null)
    {
        Factories[kind] = factory;
        Counts[kind] = deviceCount ?? (() => 1);
    }

    /// <summary>
    /// Every device a backend is registered for: the CPU first, then each registered kind's
    /// ordinals 0 … count−1, as its device-count function says (ordinal 0 alone when the kind was
    /// registered without one, or when counting failed: asking for its backend then says why).
    /// No backend is created to list them.
    /// </summary>
    public static IReadOnlyList<Device> Devices()
    {
        var list = new List<Device> { Device.Cpu };
        foreach (var kind in Factories.Keys.Order())
        {
            int n;
            try { n = Counts.TryGetValue(kind, out var count) ? count() : 1; }
            catch (Exception e) when (e is not OutOfMemoryException) { n = 1; }
            for (int i = 0; i < n; i++) list.Add(new Device(kind, i));
        }
        // Devices mapped to a stand-in backend (the GPU emulator in tests) are usable too.
        foreach (var d in Overrides.Keys.Order()) if (!list.Contains(d)) list.Add(d);
        return list;
    }

    /// <summary>Whether a backend factory is registered for <paramref name="kind"/> (always true for the CPU).</summary>
    public static bool IsRegistered(DeviceKind kind) => kind == DeviceKind.Cpu || Factories.ContainsKey(kind);

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
