namespace TorchSla.Kernels;

/// <summary>
/// Counts the scalar results a thread has asked the backends to bring to the host: <see cref="Backend.Dot{T}"/> and
/// <see cref="Backend.Reduce{T}"/> (each a read-back of one value on a GPU, a wait for the device) and a solver's read of
/// its scalar block (IVectorSpace.ReadScalars). The CPU backend counts the same calls, though its "device" memory is host
/// memory, so a test on the CPU checks how often a solver would wait on a GPU. Per thread, so concurrent solves do not
/// disturb each other's counts.
/// </summary>
public static class ScalarReadBacks
{
    [ThreadStatic] private static long _count;

    /// <summary>Read-backs made on this thread so far (take differences around the code of interest).</summary>
    public static long OnThisThread => _count;

    /// <summary>Counts one read-back on this thread.</summary>
    internal static void Count() => _count++;
}
