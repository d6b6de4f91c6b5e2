using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetCompiler.Cuda;

/// <summary>Grid or block dimensions of a launch.</summary>
/// <param name="X">Extent along x.</param>
/// <param name="Y">Extent along y.</param>
/// <param name="Z">Extent along z.</param>
public readonly record struct CudaDim3(uint X, uint Y = 1, uint Z = 1);

/// <summary>
/// Kernel arguments in launch order, held on the stack: each value sits in an 8-byte slot and the driver receives
/// pointers to the slots, so a launch allocates nothing.
/// </summary>
public ref struct CudaKernelArguments
{
    /// <summary>The most arguments one launch takes; the generated kernels use at most 8.</summary>
    public const int MaxCount = 16;

    // Internal so Launch can view the slots through its `in` parameter; a property cannot return a span over `this`.
    internal Slots _values;
    private int _count;

    /// <summary>Number of arguments added so far.</summary>
    public readonly int Count => _count;

    /// <summary>Adds a device pointer (a <c>.u64</c> parameter).</summary>
    public void Add(DeviceBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        Append(buffer.Pointer);
    }

    /// <summary>Adds a device pointer <paramref name="elementOffset"/> 4-byte elements into <paramref name="buffer"/>, e.g. a tensor in an arena.</summary>
    public void Add(DeviceBuffer buffer, int elementOffset)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if ((uint)elementOffset > (uint)buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(elementOffset), elementOffset, $"The offset must be in [0, {buffer.Length.ToString(CultureInfo.InvariantCulture)}] for this buffer.");
        }

        Append(buffer.Pointer + (ulong)elementOffset * sizeof(float));
    }

    /// <summary>Adds a <c>.u32</c> parameter, e.g. the batch size.</summary>
    public void Add(uint value) => Append(value);

    /// <summary>Adds a <c>.f32</c> parameter, e.g. a learning rate.</summary>
    public void Add(float value) => Append(BitConverter.SingleToUInt32Bits(value));

    private void Append(ulong value)
    {
        if (_count == MaxCount)
        {
            throw new InvalidOperationException($"A launch takes at most {MaxCount.ToString(CultureInfo.InvariantCulture)} arguments.");
        }

        // The driver reads 4 bytes for 32-bit parameters from the slot's address: on little-endian hosts
        // (x64, Arm64) that is the low half written here.
        _values[_count++] = value;
    }

    [InlineArray(MaxCount)]
    internal struct Slots
    {
        private ulong _element;
    }
}

/// <summary>A kernel (<c>.entry</c>) of a loaded module.</summary>
public sealed class CudaKernel
{
    private readonly CudaModule _module;
    private readonly nint _function;

    internal CudaKernel(CudaModule module, string name, nint function)
    {
        _module = module;
        _function = function;
        Name = name;
    }

    /// <summary>The entry name.</summary>
    public string Name { get; }

    /// <summary>
    /// Queues the kernel on the default stream. Launches are asynchronous: errors inside the kernel surface at the
    /// next synchronizing call (<see cref="CudaContext.Synchronize"/> or a copy to the host).
    /// </summary>
    public void Launch(CudaDim3 grid, CudaDim3 block, int sharedMemoryBytes, scoped in CudaKernelArguments arguments) =>
        Launch(grid, block, sharedMemoryBytes, ((ReadOnlySpan<ulong>)arguments._values)[..arguments.Count]);

    /// <summary>
    /// Queues the kernel with arguments given as 8-byte slots in parameter order: a device pointer, or a 32-bit
    /// value (u32, or f32 bits) in the low half.
    /// </summary>
    public unsafe void Launch(CudaDim3 grid, CudaDim3 block, int sharedMemoryBytes, ReadOnlySpan<ulong> values)
    {
        _module.ThrowIfDisposed();
        ValidateDimensions(grid, nameof(grid));
        ValidateDimensions(block, nameof(block));
        ArgumentOutOfRangeException.ThrowIfNegative(sharedMemoryBytes);
        if (values.Length > CudaKernelArguments.MaxCount)
        {
            throw new ArgumentException($"A launch takes at most {CudaKernelArguments.MaxCount.ToString(CultureInfo.InvariantCulture)} arguments, but {values.Length.ToString(CultureInfo.InvariantCulture)} were given.", nameof(values));
        }

        void** pointers = stackalloc void*[CudaKernelArguments.MaxCount];
        fixed (ulong* slots = values)
        {
            for (int i = 0; i < values.Length; i++)
            {
                pointers[i] = slots + i;
            }

            int result = CudaNative.cuLaunchKernel(
                _function,
                grid.X, grid.Y, grid.Z,
                block.X, block.Y, block.Z,
                (uint)sharedMemoryBytes,
                0,
                pointers,
                null);
            if (result != CudaNative.Success)
            {
                throw new CudaException($"cuLaunchKernel(\"{Name}\")", result, CudaException.GetErrorName(result));
            }
        }
    }

    private static void ValidateDimensions(CudaDim3 dimensions, string parameterName)
    {
        if (dimensions.X == 0 || dimensions.Y == 0 || dimensions.Z == 0)
        {
            throw new ArgumentOutOfRangeException(parameterName, dimensions, $"Every launch dimension must be at least 1, but was ({dimensions.X.ToString(CultureInfo.InvariantCulture)}, {dimensions.Y.ToString(CultureInfo.InvariantCulture)}, {dimensions.Z.ToString(CultureInfo.InvariantCulture)}).");
        }
    }
}
