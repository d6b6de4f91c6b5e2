namespace NetCompiler.Cuda;

/// <summary>A PTX module loaded (and JIT-compiled by the driver) into a context.</summary>
public sealed class CudaModule : IDisposable
{
    private readonly CudaContext _context;
    private nint _handle;

    private CudaModule(CudaContext context, nint handle)
    {
        _context = context;
        _handle = handle;
    }

    /// <summary>
    /// Loads PTX text given as UTF-8 bytes. The driver needs a NUL-terminated image; when <paramref name="ptx"/>
    /// does not end with NUL it is copied once with one appended.
    /// </summary>
    public static unsafe CudaModule Load(CudaContext context, ReadOnlySpan<byte> ptx)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.ThrowIfDisposed();
        if (ptx.IsEmpty)
        {
            throw new ArgumentException("The PTX image is empty.", nameof(ptx));
        }

        nint handle;
        if (ptx[^1] == 0)
        {
            fixed (byte* image = ptx)
            {
                CudaException.ThrowIfFailed(CudaNative.cuModuleLoadData(out handle, image), nameof(CudaNative.cuModuleLoadData));
            }
        }
        else
        {
            byte[] terminated = new byte[ptx.Length + 1];
            ptx.CopyTo(terminated);
            fixed (byte* image = terminated)
            {
                CudaException.ThrowIfFailed(CudaNative.cuModuleLoadData(out handle, image), nameof(CudaNative.cuModuleLoadData));
            }
        }

        return new CudaModule(context, handle);
    }

    /// <summary>Looks up the <c>.entry</c> named <paramref name="name"/>.</summary>
    /// <exception cref="CudaException">No such kernel (CUDA_ERROR_NOT_FOUND).</exception>
    public unsafe CudaKernel GetKernel(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ThrowIfDisposed();
        int length = System.Text.Encoding.UTF8.GetByteCount(name);
        byte[] utf8 = new byte[length + 1];
        System.Text.Encoding.UTF8.GetBytes(name, utf8);
        nint function;
        fixed (byte* p = utf8)
        {
            int result = CudaNative.cuModuleGetFunction(out function, _handle, p);
            if (result != CudaNative.Success)
            {
                throw new CudaException($"cuModuleGetFunction(\"{name}\")", result, CudaException.GetErrorName(result));
            }
        }

        return new CudaKernel(this, name, function);
    }

    /// <summary>Unloads the module; its kernels can no longer be launched.</summary>
    public void Dispose()
    {
        if (_handle != 0)
        {
            if (!_context.IsDisposed)
            {
                CudaNative.cuModuleUnload(_handle);
            }

            _handle = 0;
        }
    }

    internal void ThrowIfDisposed()
    {
        _context.ThrowIfDisposed();
        ObjectDisposedException.ThrowIf(_handle == 0, this);
    }
}
