using System.Runtime.InteropServices;

namespace TorchSla.Kernels.Cuda;

/// <summary>
/// L2 residency control of compute capability ≥ 8.0 (CUDA Programming Guide, "Device Memory L2 Access
/// Management"): a set-aside part of L2 for persisting accesses, and a stream's <i>access policy window</i>
/// that marks one address range as persisting, so that later kernels on the stream keep it in L2 while
/// everything else streams through. SpMV on a graph gathers x at random: with x in the set-aside part, the
/// 32-byte sectors of those reads come from L2 instead of DRAM, and only the matrix streams from DRAM.
/// Driver calls through P/Invoke (ILGPU exposes no wrapper); every failure only means "not available".
/// </summary>
internal static class L2Persistence
{
    private const string Driver = "libcuda.so.1";
    private const int LimitPersistingL2CacheSize = 0x06;          // CU_LIMIT_PERSISTING_L2_CACHE_SIZE
    private const int AttributeL2CacheSize = 38;                  // CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE
    private const int AttributeMaxPersistingL2 = 108;             // CU_DEVICE_ATTRIBUTE_MAX_PERSISTING_L2_CACHE_SIZE
    private const int AttributeMaxWindow = 109;                   // CU_DEVICE_ATTRIBUTE_MAX_ACCESS_POLICY_WINDOW_SIZE
    private const int StreamAttributeAccessPolicyWindow = 1;      // CU_STREAM_ATTRIBUTE_ACCESS_POLICY_WINDOW
    private const int AccessNormal = 0, AccessStreaming = 1, AccessPersisting = 2;

    /// <summary>CUaccessPolicyWindow inside the 64-byte CUstreamAttrValue union.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 64)]
    private struct PolicyWindow
    {
        public IntPtr BasePtr;
        public nuint NumBytes;
        public float HitRatio;
        public int HitProp;
        public int MissProp;
    }

    [DllImport(Driver, EntryPoint = "cuCtxSetLimit")]
    private static extern int CtxSetLimit(int limit, nuint value);

    [DllImport(Driver, EntryPoint = "cuDeviceGetAttribute")]
    private static extern int DeviceGetAttribute(out int value, int attribute, int device);

    [DllImport(Driver, EntryPoint = "cuStreamSetAttribute")]
    private static extern int StreamSetAttribute(IntPtr stream, int attribute, ref PolicyWindow value);

    /// <summary>
    /// Sets aside min(¾ of L2, the device maximum) for persisting accesses in the current context; returns
    /// (set-aside bytes, largest window bytes), or null where the driver or device does not support it.
    /// </summary>
    public static (long SetAside, long MaxWindow)? Enable(int device)
    {
        try
        {
            if (DeviceGetAttribute(out int l2, AttributeL2CacheSize, device) != 0
                || DeviceGetAttribute(out int maxPersist, AttributeMaxPersistingL2, device) != 0
                || DeviceGetAttribute(out int maxWindow, AttributeMaxWindow, device) != 0
                || maxPersist <= 0 || maxWindow <= 0)
                return null;
            long size = Math.Min(3L * l2 / 4, maxPersist);
            return CtxSetLimit(LimitPersistingL2CacheSize, (nuint)size) == 0 ? (size, maxWindow) : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Marks [ptr, ptr + bytes) persisting for the stream's later kernels (bytes = 0 clears the window).</summary>
    public static bool SetWindow(IntPtr stream, IntPtr ptr, long bytes, double hitRatio)
    {
        var w = new PolicyWindow
        {
            BasePtr = ptr, NumBytes = (nuint)Math.Max(bytes, 0), HitRatio = (float)Math.Clamp(hitRatio, 0, 1),
            HitProp = bytes > 0 ? AccessPersisting : AccessNormal, MissProp = bytes > 0 ? AccessStreaming : AccessNormal,
        };
        try { return StreamSetAttribute(stream, StreamAttributeAccessPolicyWindow, ref w) == 0; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }
}
