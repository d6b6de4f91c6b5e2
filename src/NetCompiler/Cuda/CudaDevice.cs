using System.Globalization;

namespace NetCompiler.Cuda;

/// <summary>Whether a CUDA device can be used, and why not.</summary>
public static class CudaDevice
{
    /// <summary>True when the driver loads, initializes and reports at least one device.</summary>
    public static bool IsAvailable => Probe.Reason is null;

    /// <summary>Why no device can be used (null when <see cref="IsAvailable"/>).</summary>
    public static string? UnavailableReason => Probe.Reason;

    /// <summary>Number of CUDA devices (0 when unavailable).</summary>
    public static int Count => Probe.DeviceCount;

    /// <summary>The name of device <paramref name="ordinal"/>, e.g. "NVIDIA H100 80GB HBM3".</summary>
    public static unsafe string GetName(int ordinal)
    {
        ThrowIfUnavailable();
        ArgumentOutOfRangeException.ThrowIfNegative(ordinal);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(ordinal, Count);
        CudaException.ThrowIfFailed(CudaNative.cuDeviceGet(out int device, ordinal), nameof(CudaNative.cuDeviceGet));
        const int Capacity = 256;
        byte* name = stackalloc byte[Capacity];
        CudaException.ThrowIfFailed(CudaNative.cuDeviceGetName(name, Capacity, device), nameof(CudaNative.cuDeviceGetName));
        return new string((sbyte*)name);
    }

    internal static void ThrowIfUnavailable()
    {
        if (Probe.Reason is { } reason)
        {
            throw new InvalidOperationException("No CUDA device is available: " + reason);
        }
    }

    // The type initializer runs the probe once, thread-safely, on first use.
    private static class Probe
    {
        internal static readonly string? Reason;
        internal static readonly int DeviceCount;

        static Probe()
        {
            try
            {
                int result = CudaNative.cuInit(0);
                if (result != CudaNative.Success)
                {
                    Reason = $"cuInit failed with {CudaException.GetErrorName(result)} ({result.ToString(CultureInfo.InvariantCulture)}).";
                    return;
                }

                result = CudaNative.cuDeviceGetCount(out int count);
                if (result != CudaNative.Success)
                {
                    Reason = $"cuDeviceGetCount failed with {CudaException.GetErrorName(result)} ({result.ToString(CultureInfo.InvariantCulture)}).";
                    return;
                }

                if (count == 0)
                {
                    Reason = "The CUDA driver reports no devices.";
                    return;
                }

                DeviceCount = count;
            }
            catch (DllNotFoundException ex)
            {
                Reason = "The CUDA driver library libcuda.so.1 could not be loaded (no NVIDIA driver installed?): " + ex.Message;
            }
            catch (EntryPointNotFoundException ex)
            {
                Reason = "The CUDA driver library libcuda.so.1 lacks a required entry point (driver too old?): " + ex.Message;
            }
        }
    }
}
