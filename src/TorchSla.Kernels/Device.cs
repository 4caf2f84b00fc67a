namespace TorchSla;

/// <summary>The kind of processor a <see cref="Device"/> names.</summary>
public enum DeviceKind
{
    /// <summary>The host processor: managed, vectorised, multi-threaded kernels.</summary>
    Cpu,
    /// <summary>An NVIDIA GPU driven through ILGPU's CUDA backend.</summary>
    Cuda,
}

/// <summary>
/// Where a tensor's memory lives and where its kernels run. <see cref="Cpu"/> is always
/// available; <see cref="Cuda(int)"/> names the i-th CUDA GPU.
/// </summary>
/// <param name="Kind">CPU or CUDA.</param>
/// <param name="Index">Ordinal of the device among those of its kind (0 for the CPU).</param>
public readonly record struct Device(DeviceKind Kind, int Index)
{
    /// <summary>The host processor.</summary>
    public static Device Cpu => new(DeviceKind.Cpu, 0);

    /// <summary>The CUDA GPU with the given ordinal.</summary>
    public static Device Cuda(int index = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return new Device(DeviceKind.Cuda, index);
    }

    /// <summary>Whether this is the host processor.</summary>
    public bool IsCpu => Kind == DeviceKind.Cpu;

    /// <summary>PyTorch-style name: <c>cpu</c>, <c>cuda:0</c>.</summary>
    public override string ToString() => Kind == DeviceKind.Cpu ? "cpu" : $"cuda:{Index}";

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (case-insensitive).</summary>
    /// <exception cref="FormatException">The text names no device.</exception>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return Cpu;
        if (t == "cuda" || t == "gpu") return Cuda(0);
        if (t.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(t.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int i))
            return Cuda(i);
        throw new FormatException($"unknown device '{text}': expected cpu, cuda or cuda:N");
    }
}
