using System.Globalization;

namespace NetCompiler.Cuda;

/// <summary>
/// Device memory of 32-bit elements: floats for tensors, or ints for class labels.
/// Dispose it before its context; disposing the context frees it too.
/// </summary>
public sealed class DeviceBuffer : IDisposable
{
    private readonly CudaContext _context;
    private ulong _pointer;

    /// <summary>Allocates <paramref name="length"/> 4-byte elements (uninitialized).</summary>
    public DeviceBuffer(CudaContext context, int length)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        context.ThrowIfDisposed();
        CudaException.ThrowIfFailed(CudaNative.cuMemAlloc_v2(out _pointer, (nuint)length * sizeof(float)), nameof(CudaNative.cuMemAlloc_v2));
        _context = context;
        Length = length;
    }

    /// <summary>Number of 4-byte elements.</summary>
    public int Length { get; }

    /// <summary>The device address, as passed to kernels.</summary>
    public ulong Pointer
    {
        get
        {
            ThrowIfDisposed();
            return _pointer;
        }
    }

    /// <summary>Copies <paramref name="source"/> to the start of the buffer (it may be shorter than the buffer).</summary>
    public void CopyFrom(ReadOnlySpan<float> source) => CopyFromCore(System.Runtime.InteropServices.MemoryMarshal.AsBytes(source), source.Length);

    /// <summary>Copies <paramref name="source"/> (e.g. class labels) to the start of the buffer.</summary>
    public void CopyFrom(ReadOnlySpan<int> source) => CopyFromCore(System.Runtime.InteropServices.MemoryMarshal.AsBytes(source), source.Length);

    /// <summary>Copies the first <c>destination.Length</c> elements to <paramref name="destination"/>; waits for queued kernels first.</summary>
    public void CopyTo(Span<float> destination) => CopyToCore(System.Runtime.InteropServices.MemoryMarshal.AsBytes(destination), destination.Length);

    /// <summary>Copies the first <c>destination.Length</c> elements to <paramref name="destination"/> as ints.</summary>
    public void CopyTo(Span<int> destination) => CopyToCore(System.Runtime.InteropServices.MemoryMarshal.AsBytes(destination), destination.Length);

    /// <summary>Frees the device memory.</summary>
    public void Dispose()
    {
        if (_pointer != 0)
        {
            if (!_context.IsDisposed)
            {
                CudaNative.cuMemFree_v2(_pointer);
            }

            _pointer = 0;
        }
    }

    private unsafe void CopyFromCore(ReadOnlySpan<byte> source, int elements)
    {
        ThrowIfDisposed();
        CheckLength(elements, "source");
        if (elements == 0)
        {
            return;
        }

        fixed (byte* p = source)
        {
            CudaException.ThrowIfFailed(CudaNative.cuMemcpyHtoD_v2(_pointer, p, (nuint)source.Length), nameof(CudaNative.cuMemcpyHtoD_v2));
        }
    }

    private unsafe void CopyToCore(Span<byte> destination, int elements)
    {
        ThrowIfDisposed();
        CheckLength(elements, "destination");
        if (elements == 0)
        {
            return;
        }

        fixed (byte* p = destination)
        {
            CudaException.ThrowIfFailed(CudaNative.cuMemcpyDtoH_v2(p, _pointer, (nuint)destination.Length), nameof(CudaNative.cuMemcpyDtoH_v2));
        }
    }

    private void CheckLength(int elements, string parameterName)
    {
        if (elements > Length)
        {
            throw new ArgumentException(
                $"The {parameterName} has {elements.ToString(CultureInfo.InvariantCulture)} elements but the device buffer holds only {Length.ToString(CultureInfo.InvariantCulture)}.",
                parameterName);
        }
    }

    private void ThrowIfDisposed()
    {
        _context.ThrowIfDisposed();
        ObjectDisposedException.ThrowIf(_pointer == 0, this);
    }
}
