using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using TorchSla.Kernels;
using TorchSla.Solvers;

namespace TorchSla;

/// <summary>
/// What this machine offers: devices with a registered backend, the solve methods each runs,
/// versions (torch-sla's <c>show_backends()</c> / <c>get_available_backends()</c>).
/// The CPU is always there; a GPU backend appears once it registers with
/// <see cref="BackendRegistry.Register"/>.
/// </summary>
public static class Backends
{
    /// <summary>The library version (informational version of TorchSla.Core, without the commit hash).</summary>
    public static string LibraryVersion { get; } = VersionOf(typeof(Backends).Assembly);

    /// <summary>The devices usable now, CPU first. A registered device whose backend fails to start is left out
    /// (<see cref="Show"/> names the failure).</summary>
    public static IReadOnlyList<BackendInfo> Available() => Probe().Where(p => p.Info is not null).Select(p => p.Info!).ToList();

    /// <summary>Whether <paramref name="device"/> has a working backend here.</summary>
    public static bool IsAvailable(Device device) => Available().Any(i => i.Device == device);

    /// <summary>Solve methods that run on <paramref name="device"/>: every Krylov method is written over the
    /// backend primitives, so it runs wherever a backend exists.</summary>
    public static IReadOnlyList<string> MethodsFor(Device device) => SolveMethods.Concrete.Select(m => m.Name()).ToList();

    /// <summary>
    /// A readable report: library and runtime versions, then one line per device with its
    /// description, methods and backend version, and the devices that failed to start.
    /// </summary>
    public static string Show()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"TorchSla {LibraryVersion} on {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture})");
        var probes = Probe();
        foreach (var (device, info, error) in probes)
        {
            if (info is null) { sb.AppendLine($"  {device,-8} unavailable: {error}"); continue; }
            sb.AppendLine($"  {device,-8} {info.Description}");
            sb.AppendLine($"  {"",-8} methods: {string.Join(", ", info.Methods)}; backend {info.Name} {info.Version}");
        }
        if (!probes.Any(p => p.Device.Kind == DeviceKind.Cuda))
            sb.AppendLine(BackendRegistry.IsRegistered(DeviceKind.Cuda)
                ? "  cuda     not available: no CUDA GPU was found on this machine"
                : "  cuda     not available: no GPU backend is registered in this build");
        return sb.ToString();
    }

    private static List<(Device Device, BackendInfo? Info, string? Error)> Probe()
    {
        var list = new List<(Device, BackendInfo?, string?)>();
        IReadOnlyList<Device> devices;
        try { devices = BackendRegistry.Devices(); }
        catch (Exception e) when (e is not OutOfMemoryException) { devices = [Device.Cpu]; list.Add((Device.Cuda(0), null, e.Message)); }
        foreach (var d in devices)
        {
            try
            {
                var backend = BackendRegistry.Get(d);
                string name = d.Kind.ToString().ToLowerInvariant();
                list.Add((d, new BackendInfo(name, d, backend.Description, MethodsFor(d), VersionOf(backend.GetType().Assembly)), null));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                list.Add((d, null, e.Message));
            }
        }
        return list;
    }

    private static string VersionOf(Assembly assembly)
    {
        var v = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? assembly.GetName().Version?.ToString() ?? "unknown";
        int plus = v.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? v : v[..plus];
    }
}
