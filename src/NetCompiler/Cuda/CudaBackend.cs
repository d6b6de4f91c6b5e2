namespace NetCompiler.Cuda;

/// <summary>Runs a <see cref="GpuNetwork"/> on a CUDA device through the driver API.</summary>
public sealed class CudaBackend : IGpuBackend
{
    private readonly CudaContext _context;
    private readonly List<DeviceBuffer> _buffers = [];
    private CudaModule? _module;
    private CudaKernel[] _kernels = [];

    /// <summary>Creates a context on device <paramref name="deviceOrdinal"/>.</summary>
    /// <exception cref="InvalidOperationException">No CUDA device is available; the message gives <see cref="CudaDevice.UnavailableReason"/>.</exception>
    public CudaBackend(int deviceOrdinal = 0)
    {
        _context = new CudaContext(deviceOrdinal);
    }

    /// <summary>The device name, e.g. "NVIDIA H100 80GB HBM3".</summary>
    public string DeviceName => CudaDevice.GetName(_context.DeviceOrdinal);

    /// <inheritdoc/>
    public void LoadModule(ReadOnlySpan<byte> ptx, IReadOnlyList<string> kernelNames)
    {
        ArgumentNullException.ThrowIfNull(kernelNames);
        if (_module is not null)
        {
            throw new InvalidOperationException("This backend has already loaded a module.");
        }

        _module = CudaModule.Load(_context, ptx);
        _kernels = new CudaKernel[kernelNames.Count];
        for (int i = 0; i < _kernels.Length; i++)
        {
            _kernels[i] = _module.GetKernel(kernelNames[i]);
        }
    }

    /// <inheritdoc/>
    public ulong Allocate(int length)
    {
        var buffer = new DeviceBuffer(_context, length);
        _buffers.Add(buffer);
        return buffer.Pointer;
    }

    /// <inheritdoc/>
    public unsafe void CopyToDevice(ReadOnlySpan<byte> source, ulong destination)
    {
        _context.ThrowIfDisposed();
        if (source.IsEmpty)
        {
            return;
        }

        fixed (byte* p = source)
        {
            CudaException.ThrowIfFailed(CudaNative.cuMemcpyHtoD_v2(destination, p, (nuint)source.Length), nameof(CudaNative.cuMemcpyHtoD_v2));
        }
    }

    /// <inheritdoc/>
    public unsafe void CopyToHost(ulong source, Span<byte> destination)
    {
        _context.ThrowIfDisposed();
        if (destination.IsEmpty)
        {
            return;
        }

        fixed (byte* p = destination)
        {
            CudaException.ThrowIfFailed(CudaNative.cuMemcpyDtoH_v2(p, source, (nuint)destination.Length), nameof(CudaNative.cuMemcpyDtoH_v2));
        }
    }

    /// <inheritdoc/>
    public void Launch(int kernel, CudaDim3 grid, CudaDim3 block, int sharedMemoryBytes, ReadOnlySpan<ulong> arguments)
    {
        if ((uint)kernel >= (uint)_kernels.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(kernel), kernel, $"The module has {_kernels.Length} kernels.");
        }

        _kernels[kernel].Launch(grid, block, sharedMemoryBytes, arguments);
    }

    /// <summary>Frees the buffers, the module and the context.</summary>
    public void Dispose()
    {
        foreach (DeviceBuffer buffer in _buffers)
        {
            buffer.Dispose();
        }

        _buffers.Clear();
        _module?.Dispose();
        _context.Dispose();
    }
}
