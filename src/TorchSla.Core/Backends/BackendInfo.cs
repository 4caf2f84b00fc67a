namespace TorchSla;

/// <summary>One device a backend drives on this machine, as <see cref="Backends.Available"/> lists it.</summary>
/// <param name="Name">The backend's short name: <c>cpu</c>, <c>cuda</c>.</param>
/// <param name="Device">The device (<c>cpu</c>, <c>cuda:0</c>, ...).</param>
/// <param name="Description">What the backend says of the device (threads, SIMD width, GPU name and memory).</param>
/// <param name="Methods">Solve methods that run on it (lower-case names, as <c>--method</c> takes them).</param>
/// <param name="Version">Version of the assembly that implements the backend, and of the runtime.</param>
public sealed record BackendInfo(string Name, Device Device, string Description, IReadOnlyList<string> Methods, string Version);
