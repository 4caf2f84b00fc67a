using TorchSla.Kernels;
using TorchSla.Kernels.Memory;

namespace TorchSla;

/// <summary>
/// A map of slots computed once on the host (transposition, union of two patterns, the
/// expansion of a sparse product) together with its copies on devices, uploaded on first use.
/// Value work then runs as <see cref="Backend.Gather{T}"/> with this map on any backend.
/// </summary>
internal sealed class IndexMap
{
    private readonly Dictionary<Device, Storage<int>> _onDevice = [];

    public IndexMap(int[] host) { _host = host; Length = host.Length; }

    /// <summary>Takes a map built on a device; its host copy is downloaded on first use.</summary>
    public IndexMap(Storage<int> onDevice)
    {
        Length = onDevice.Length;
        if (onDevice.Device.IsCpu) _host = Kernels.Cpu.CpuBackend.ArrayOf(onDevice);
        _onDevice[onDevice.Device] = onDevice;
    }

    /// <summary>The identity map of <paramref name="length"/> slots, its host array built only if something reads it.</summary>
    public static IndexMap Identity(int length) => new(length, () =>
    {
        var id = new int[length];
        for (int k = 0; k < id.Length; k++) id[k] = k;
        return id;
    });

    private IndexMap(int length, Func<int[]> make) { Length = length; _make = make; }

    private int[]? _host;
    private readonly Func<int[]>? _make;

    /// <summary>The map on the host (entry −1: contributes 0).</summary>
    public int[] Host
    {
        get
        {
            if (_host is { } h) return h;
            lock (_onDevice) return _host ??= _make is { } make ? make() : _onDevice.Values.First().ToArray();
        }
    }

    public int Length { get; }

    /// <summary>Records a copy already on <paramref name="device"/> (built there) as this map's copy.</summary>
    public void Adopt(Device device, Storage<int> storage)
    {
        lock (_onDevice) _onDevice.TryAdd(device, storage);
    }

    /// <summary>The map on <paramref name="device"/> (the CPU shares the host array).</summary>
    public Storage<int> On(Device device)
    {
        lock (_onDevice)
        {
            if (_onDevice.TryGetValue(device, out var s)) return s;
            s = device.IsCpu ? new CpuStorage<int>(Host) : BackendRegistry.Get(device).Upload<int>(Host);
            _onDevice[device] = s;
            return s;
        }
    }

    /// <summary>Frees the copies on GPUs (a map that nothing will use again).</summary>
    public void ReleaseDeviceCopies()
    {
        lock (_onDevice)
        {
            foreach (var (device, st) in _onDevice.ToArray())
                if (!device.IsCpu) { st.Dispose(); _onDevice.Remove(device); }
        }
    }
}
