using System.Runtime.InteropServices;

namespace NetCompiler.Cuda;

/// <summary>
/// Executes a network's generated <see cref="GpuPlan"/> on a device: one buffer each for parameters, gradients,
/// optimizer state and the activation arena (sized like the CPU network's), plus the batch's input and targets.
/// A step copies the batch in once, launches the planned kernels and copies back only the output or the 1-float loss.
/// The generated <c>Gpu</c> class of each network derives from this and adds the typed entry points.
/// Not thread-safe: with <see cref="CudaBackend"/>, call it from the thread that created it.
/// </summary>
public abstract class GpuNetwork : IDisposable
{
    private readonly GpuPlan _plan;
    private readonly IGpuBackend _backend;
    private readonly ulong[] _buffers = new ulong[8];
    private readonly ulong[] _arguments = new ulong[CudaKernelArguments.MaxCount];
    private readonly int _capacity;
    private float _learningRate;
    private float _biasCorrection1 = 1f;
    private float _biasCorrection2 = 1f;
    private long _step;
    private bool _disposed;

    /// <summary>Loads the module, allocates the buffers and uploads <paramref name="parameters"/>; disposes <paramref name="backend"/> if that fails.</summary>
    /// <param name="plan">The generated plan.</param>
    /// <param name="ptx">The generated PTX module (UTF-8).</param>
    /// <param name="backend">Where to run; owned by this object from now on.</param>
    /// <param name="batchCapacity">The largest batch a call accepts.</param>
    /// <param name="parameters">Initial parameters, <c>[ParameterCount]</c>.</param>
    /// <param name="learningRate">Initial learning rate (ignored without an optimizer).</param>
    protected GpuNetwork(GpuPlan plan, ReadOnlySpan<byte> ptx, IGpuBackend backend, int batchCapacity, ReadOnlySpan<float> parameters, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(backend);
        try
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchCapacity);
            Guard.Length(parameters.Length, plan.ParameterCount, nameof(parameters));
            _plan = plan;
            _backend = backend;
            _capacity = batchCapacity;
            _learningRate = learningRate;
            backend.LoadModule(ptx, plan.KernelNames);
            int stateLength = Math.Max(1, plan.OptimizerStateBuffers * plan.ParameterCount);
            Allocate(GpuBuffer.Parameters, plan.ParameterCount);
            Allocate(GpuBuffer.Gradients, plan.ParameterCount);
            Allocate(GpuBuffer.OptimizerState, stateLength);
            Allocate(GpuBuffer.Arena, checked(plan.ArenaSizePerSample * batchCapacity));
            Allocate(GpuBuffer.Input, checked(plan.InputSize * batchCapacity));
            Allocate(GpuBuffer.Targets, checked(Math.Max(1, plan.OutputSize) * batchCapacity));
            Allocate(GpuBuffer.RowLoss, batchCapacity);
            Allocate(GpuBuffer.Loss, 1);
            Upload(GpuBuffer.Parameters, 0, parameters);
            Upload(GpuBuffer.OptimizerState, 0, new float[stateLength]);
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }

    /// <summary>The largest batch a call accepts.</summary>
    public int BatchCapacity => _capacity;

    /// <summary>The optimizer's step size; change it between steps for a schedule.</summary>
    public float LearningRate
    {
        get => _learningRate;
        set => _learningRate = value > 0f && float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The learning rate must be positive and finite.");
    }

    /// <summary>Number of optimizer steps taken on the device.</summary>
    public long Step => _step;

    /// <summary>
    /// Training or inference behaviour of the device network, independent of the host network's. In training, dropout
    /// masks are drawn from <see cref="DropoutSeed"/>, the layer and <see cref="Step"/> exactly as on the CPU; in
    /// inference, dropout is the identity.
    /// </summary>
    public NetworkMode Mode { get; set; } = NetworkMode.Training;

    /// <summary>The seed of the dropout masks: the generated class copies the host network's (its initialization seed).</summary>
    protected int DropoutSeed { get; set; }

    /// <summary>Applies one optimizer step to the device parameters using the device gradients.</summary>
    public void Update()
    {
        ThrowIfDisposed();
        if (_plan.Update.Length == 0)
        {
            throw new InvalidOperationException("This network declares no optimizer.");
        }

        _step++;
        _biasCorrection1 = 1f - MathF.Pow(_plan.Beta1, _step);
        _biasCorrection2 = 1f - MathF.Pow(_plan.Beta2, _step);
        Run(_plan.Update, 1);
    }

    /// <summary>Clears the device optimizer state and the step count.</summary>
    public void ResetOptimizer()
    {
        ThrowIfDisposed();
        Upload(GpuBuffer.OptimizerState, 0, new float[Math.Max(1, _plan.OptimizerStateBuffers * _plan.ParameterCount)]);
        _step = 0;
    }

    /// <summary>Frees the device memory and the backend.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _backend.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Runs forward on <c>input.Length / InputSize</c> samples and copies their outputs back.</summary>
    protected void ForwardCore(ReadOnlySpan<float> input, Span<float> output)
    {
        ThrowIfDisposed();
        int batch = Guard.BatchOf(input.Length, _plan.InputSize, _capacity, nameof(input));
        Guard.Length(output.Length, batch * _plan.OutputSize, nameof(output));
        Upload(GpuBuffer.Input, 0, input);
        Run(_plan.Forward, batch);
        Download(GpuBuffer.Arena, _plan.OutputOffset * _capacity, output);
    }

    /// <summary>Forward, loss and backward against float targets; returns the mean loss, leaves the gradients on the device.</summary>
    protected float BackwardCore(ReadOnlySpan<float> input, ReadOnlySpan<float> targets)
    {
        ThrowIfDisposed();
        ExpectTargets(GpuTargetKind.Targets);
        int batch = Guard.BatchOf(input.Length, _plan.InputSize, _capacity, nameof(input));
        Guard.Length(targets.Length, batch * _plan.OutputSize, nameof(targets));
        Upload(GpuBuffer.Targets, 0, targets);
        return RunBackward(input, batch);
    }

    /// <summary>Forward, loss and backward against class labels; returns the mean loss, leaves the gradients on the device.</summary>
    protected float BackwardCore(ReadOnlySpan<float> input, ReadOnlySpan<int> labels)
    {
        ThrowIfDisposed();
        ExpectTargets(GpuTargetKind.Labels);
        int batch = Guard.BatchOf(input.Length, _plan.InputSize, _capacity, nameof(input));
        Guard.Length(labels.Length, batch, nameof(labels));
        Guard.Labels(labels, _plan.OutputSize, nameof(labels));
        Upload(GpuBuffer.Targets, 0, labels);
        return RunBackward(input, batch);
    }

    /// <summary>Copies the device parameters into <paramref name="destination"/>.</summary>
    protected void DownloadParameters(Span<float> destination)
    {
        ThrowIfDisposed();
        Guard.Length(destination.Length, _plan.ParameterCount, nameof(destination));
        Download(GpuBuffer.Parameters, 0, destination);
    }

    /// <summary>Replaces the device parameters with <paramref name="source"/>.</summary>
    protected void UploadParameters(ReadOnlySpan<float> source)
    {
        ThrowIfDisposed();
        Guard.Length(source.Length, _plan.ParameterCount, nameof(source));
        Upload(GpuBuffer.Parameters, 0, source);
    }

    /// <summary>Copies the device gradients of the last backward pass into <paramref name="destination"/>.</summary>
    protected void DownloadGradients(Span<float> destination)
    {
        ThrowIfDisposed();
        Guard.Length(destination.Length, _plan.ParameterCount, nameof(destination));
        Download(GpuBuffer.Gradients, 0, destination);
    }

    private float RunBackward(ReadOnlySpan<float> input, int batch)
    {
        Upload(GpuBuffer.Input, 0, input);
        Run(_plan.Forward, batch);
        Run(_plan.Backward, batch);
        Span<float> loss = stackalloc float[1];
        Download(GpuBuffer.Loss, 0, loss);
        if (!float.IsFinite(loss[0]))
        {
            ThrowNonFinite(batch, loss[0]);
        }

        return loss[0];
    }

    private void Run(GpuLaunch[] launches, int batch)
    {
        foreach (GpuLaunch launch in launches)
        {
            GpuArgument[] arguments = launch.Arguments;
            for (int i = 0; i < arguments.Length; i++)
            {
                GpuArgument a = arguments[i];
                _arguments[i] = a.Kind switch
                {
                    GpuArgumentKind.Pointer => Address(a.Buffer, a.Buffer == GpuBuffer.Arena ? a.Offset * _capacity : a.Offset),
                    GpuArgumentKind.Batch => (uint)batch,
                    GpuArgumentKind.LearningRate => BitConverter.SingleToUInt32Bits(_learningRate),
                    GpuArgumentKind.BiasCorrection1 => BitConverter.SingleToUInt32Bits(_biasCorrection1),
                    GpuArgumentKind.BiasCorrection2 => BitConverter.SingleToUInt32Bits(_biasCorrection2),
                    GpuArgumentKind.DropoutKey => DropoutKey(a.Offset),
                    GpuArgumentKind.Training => Mode == NetworkMode.Training ? 1u : 0u,
                    _ => throw new InvalidOperationException($"Unknown argument kind {a.Kind}."),
                };
            }

            _backend.Launch(
                launch.Kernel,
                new CudaDim3(launch.GridX.Blocks(batch), launch.GridY.Blocks(batch)),
                new CudaDim3((uint)launch.BlockX, (uint)launch.BlockY),
                launch.SharedMemoryBytes,
                _arguments.AsSpan(0, arguments.Length));
        }
    }

    // The CPU network's key: seed and layer mixed by SplitMix64's finalizer, then the step when there is an optimizer.
    private ulong DropoutKey(int layer)
    {
        const ulong Gamma = 0x9E3779B97F4A7C15UL;
        ulong key = DropoutMix((((ulong)(uint)DropoutSeed << 32) | (uint)layer) + Gamma);
        return _plan.Update.Length > 0 ? DropoutMix(key + (ulong)_step * Gamma) : key;
    }

    private static ulong DropoutMix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    // Cold path: the activations of this batch are still in the arena, so the first non-finite layer can be named.
    private void ThrowNonFinite(int batch, float loss)
    {
        string? layer = null;
        foreach (GpuLayerOutput output in _plan.LayerOutputs)
        {
            var values = new float[batch * output.Size];
            Download(GpuBuffer.Arena, output.Offset * _capacity, values);
            if (!Guard.AllFinite(values))
            {
                layer = output.Layer;
                break;
            }
        }

        throw new NonFiniteLossException(_step + 1, loss, layer);
    }

    private void ExpectTargets(GpuTargetKind kind)
    {
        if (_plan.TargetKind != kind)
        {
            throw new InvalidOperationException($"This network's loss takes {_plan.TargetKind.ToString().ToLowerInvariant()}, not {kind.ToString().ToLowerInvariant()}.");
        }
    }

    private void Allocate(GpuBuffer buffer, int length) => _buffers[(int)buffer] = _backend.Allocate(length);

    private ulong Address(GpuBuffer buffer, int offset) => _buffers[(int)buffer] + (ulong)offset * sizeof(float);

    private void Upload(GpuBuffer buffer, int offset, ReadOnlySpan<float> source) =>
        _backend.CopyToDevice(MemoryMarshal.AsBytes(source), Address(buffer, offset));

    private void Upload(GpuBuffer buffer, int offset, ReadOnlySpan<int> source) =>
        _backend.CopyToDevice(MemoryMarshal.AsBytes(source), Address(buffer, offset));

    private void Download(GpuBuffer buffer, int offset, Span<float> destination) =>
        _backend.CopyToHost(Address(buffer, offset), MemoryMarshal.AsBytes(destination));

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
