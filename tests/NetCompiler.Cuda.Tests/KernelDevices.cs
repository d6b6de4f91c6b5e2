using NetCompiler.Compiler.Ptx;
using Xunit;

namespace NetCompiler.Cuda.Tests;

/// <summary>A device buffer of 4-byte elements on some backend.</summary>
internal sealed record DeviceTensor(int Length, object Handle);

/// <summary>Where kernels run in the tests: the real GPU or the PTX emulator.</summary>
internal interface IKernelDevice : IDisposable
{
    DeviceTensor Upload(float[] data);

    DeviceTensor Upload(int[] data);

    float[] Download(DeviceTensor tensor);

    /// <summary>Launches with the grid, block and shared memory of <see cref="PtxKernel.Launch"/> for <paramref name="batch"/>.</summary>
    void Launch(PtxKernel kernel, int batch, params object[] arguments);
}

internal static class KernelDeviceExtensions
{
    /// <summary>An output buffer pre-filled with NaN, so an element the kernel fails to write cannot pass a comparison.</summary>
    public static DeviceTensor AllocateOutput(this IKernelDevice device, int length) => device.Upload(Enumerable.Repeat(float.NaN, length).ToArray());

    /// <summary>Checks arguments against the kernel's parameter list, so the metadata the emitter relies on is tested too.</summary>
    public static void CheckArguments(PtxKernel kernel, object[] arguments)
    {
        Assert.Equal(kernel.Parameters.Count, arguments.Length);
        for (int i = 0; i < arguments.Length; i++)
        {
            PtxParameterKind expected = arguments[i] switch
            {
                DeviceTensor => PtxParameterKind.Pointer,
                uint => PtxParameterKind.UInt32,
                float => PtxParameterKind.Float32,
                _ => throw new ArgumentException($"Unsupported argument {arguments[i]}."),
            };
            Assert.True(expected == kernel.Parameters[i].Kind, $"{kernel.Name} parameter {i} ({kernel.Parameters[i].Name}) is {kernel.Parameters[i].Kind}, the test passes {expected}.");
        }
    }

    public static (uint X, uint Y) Grid(PtxKernel kernel, int batch) =>
        ((uint)kernel.Launch.GridX.Blocks(batch), (uint)kernel.Launch.GridY.Blocks(batch));
}

internal sealed class EmulatedDevice : IKernelDevice
{
    private readonly Dictionary<string, PtxEmulator> _emulators = new(StringComparer.Ordinal);
    private readonly PtxEmulator _memory = new("");

    public DeviceTensor Upload(float[] data)
    {
        ulong address = _memory.Allocate(data.Length);
        for (int i = 0; i < data.Length; i++)
        {
            _memory.Buffer(address)[i] = BitConverter.SingleToUInt32Bits(data[i]);
        }

        return new DeviceTensor(data.Length, address);
    }

    public DeviceTensor Upload(int[] data)
    {
        ulong address = _memory.Allocate(data.Length);
        for (int i = 0; i < data.Length; i++)
        {
            _memory.Buffer(address)[i] = (uint)data[i];
        }

        return new DeviceTensor(data.Length, address);
    }

    public float[] Download(DeviceTensor tensor) =>
        _memory.Buffer((ulong)tensor.Handle).Select(BitConverter.UInt32BitsToSingle).ToArray();

    public void Launch(PtxKernel kernel, int batch, params object[] arguments)
    {
        KernelDeviceExtensions.CheckArguments(kernel, arguments);
        (uint gridX, uint gridY) = KernelDeviceExtensions.Grid(kernel, batch);
        // Keyed by text: tests reuse a kernel name for different shapes and hyperparameters.
        if (!_emulators.TryGetValue(kernel.Text, out PtxEmulator? emulator))
        {
            emulator = new PtxEmulator(PtxModule.Create([kernel]).Text);
            _emulators.Add(kernel.Text, emulator);
        }

        emulator.ShareMemoryWith(_memory);
        emulator.Launch(
            kernel.Name,
            ((int)gridX, (int)gridY),
            (kernel.Launch.BlockX, kernel.Launch.BlockY),
            kernel.Launch.SharedMemoryBytes,
            arguments.Select(a => a is DeviceTensor t ? t.Handle : a).ToArray());
    }

    public void Dispose()
    {
    }
}

internal sealed class GpuDevice : IKernelDevice
{
    private readonly CudaContext _context = new();
    private readonly List<IDisposable> _owned = [];
    private readonly Dictionary<string, CudaKernel> _kernels = new(StringComparer.Ordinal);

    public DeviceTensor Upload(float[] data)
    {
        var buffer = new DeviceBuffer(_context, Math.Max(1, data.Length));
        _owned.Add(buffer);
        buffer.CopyFrom(data);
        return new DeviceTensor(data.Length, buffer);
    }

    public DeviceTensor Upload(int[] data)
    {
        var buffer = new DeviceBuffer(_context, Math.Max(1, data.Length));
        _owned.Add(buffer);
        buffer.CopyFrom(data);
        return new DeviceTensor(data.Length, buffer);
    }

    public float[] Download(DeviceTensor tensor)
    {
        var result = new float[tensor.Length];
        ((DeviceBuffer)tensor.Handle).CopyTo(result);
        return result;
    }

    public void Launch(PtxKernel kernel, int batch, params object[] arguments)
    {
        KernelDeviceExtensions.CheckArguments(kernel, arguments);
        // Keyed by text: tests reuse a kernel name for different shapes and hyperparameters.
        if (!_kernels.TryGetValue(kernel.Text, out CudaKernel? function))
        {
            CudaModule module = CudaModule.Load(_context, PtxModule.Create([kernel]).ToNullTerminatedUtf8());
            _owned.Add(module);
            function = module.GetKernel(kernel.Name);
            _kernels.Add(kernel.Text, function);
        }

        var args = new CudaKernelArguments();
        foreach (object argument in arguments)
        {
            switch (argument)
            {
                case DeviceTensor tensor:
                    args.Add((DeviceBuffer)tensor.Handle);
                    break;
                case uint value:
                    args.Add(value);
                    break;
                case float value:
                    args.Add(value);
                    break;
            }
        }

        (uint gridX, uint gridY) = KernelDeviceExtensions.Grid(kernel, batch);
        function.Launch(
            new CudaDim3(gridX, gridY),
            new CudaDim3((uint)kernel.Launch.BlockX, (uint)kernel.Launch.BlockY),
            kernel.Launch.SharedMemoryBytes,
            args);
        _context.Synchronize();
    }

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }

        _context.Dispose();
    }
}
