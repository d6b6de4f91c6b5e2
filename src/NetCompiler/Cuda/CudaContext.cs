namespace NetCompiler.Cuda;

/// <summary>
/// A CUDA context on one device. Creating it makes it current on the calling thread; driver calls that use it
/// (allocations, copies, launches) must run on that thread.
/// </summary>
public sealed class CudaContext : IDisposable
{
    private nint _handle;

    /// <summary>Creates a context on device <paramref name="deviceOrdinal"/>.</summary>
    /// <exception cref="InvalidOperationException">No CUDA device is available; the message says why.</exception>
    public CudaContext(int deviceOrdinal = 0)
    {
        CudaDevice.ThrowIfUnavailable();
        ArgumentOutOfRangeException.ThrowIfNegative(deviceOrdinal);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(deviceOrdinal, CudaDevice.Count);
        CudaException.ThrowIfFailed(CudaNative.cuDeviceGet(out int device, deviceOrdinal), nameof(CudaNative.cuDeviceGet));
        CudaException.ThrowIfFailed(CudaNative.cuCtxCreate_v2(out _handle, 0, device), nameof(CudaNative.cuCtxCreate_v2));
        DeviceOrdinal = deviceOrdinal;
    }

    /// <summary>The device this context runs on.</summary>
    public int DeviceOrdinal { get; }

    /// <summary>Waits until all work queued in this context has finished; reports kernel faults.</summary>
    public void Synchronize()
    {
        ThrowIfDisposed();
        CudaException.ThrowIfFailed(CudaNative.cuCtxSynchronize(), nameof(CudaNative.cuCtxSynchronize));
    }

    /// <summary>Destroys the context, and with it every module and allocation made in it.</summary>
    public void Dispose()
    {
        if (_handle != 0)
        {
            CudaNative.cuCtxDestroy_v2(_handle);
            _handle = 0;
        }
    }

    internal bool IsDisposed => _handle == 0;

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_handle == 0, this);
}
