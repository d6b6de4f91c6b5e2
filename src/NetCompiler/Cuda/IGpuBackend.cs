namespace NetCompiler.Cuda;

/// <summary>
/// Where a <see cref="GpuNetwork"/> runs its plan: <see cref="CudaBackend"/> on an NVIDIA GPU, or another executor of
/// the same PTX (the tests use an interpreter). Addresses are opaque 64-bit values that support adding byte offsets.
/// </summary>
public interface IGpuBackend : IDisposable
{
    /// <summary>Loads the PTX module and looks up <paramref name="kernelNames"/>; launches refer to them by index.</summary>
    void LoadModule(ReadOnlySpan<byte> ptx, IReadOnlyList<string> kernelNames);

    /// <summary>Allocates <paramref name="length"/> 4-byte elements and returns the device address.</summary>
    ulong Allocate(int length);

    /// <summary>Copies <paramref name="source"/> to device address <paramref name="destination"/>.</summary>
    void CopyToDevice(ReadOnlySpan<byte> source, ulong destination);

    /// <summary>Copies from device address <paramref name="source"/> into <paramref name="destination"/>, after queued launches finish.</summary>
    void CopyToHost(ulong source, Span<byte> destination);

    /// <summary>Queues kernel <paramref name="kernel"/>; each argument is an 8-byte slot (a pointer, or a 32-bit value in the low half).</summary>
    void Launch(int kernel, CudaDim3 grid, CudaDim3 block, int sharedMemoryBytes, ReadOnlySpan<ulong> arguments);
}
