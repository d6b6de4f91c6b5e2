using System.Globalization;

namespace NetCompiler.Cuda;

/// <summary>One kernel argument of a launch.</summary>
/// <param name="Kind">Pointer or a per-launch scalar.</param>
/// <param name="Buffer">For pointers, the buffer.</param>
/// <param name="Offset">For pointers, the element offset; per sample (times the capacity) in the arena. For a dropout key, the layer.</param>
public readonly record struct GpuArgument(GpuArgumentKind Kind, GpuBuffer Buffer, int Offset)
{
    /// <summary>The batch size.</summary>
    public static GpuArgument Batch => new(GpuArgumentKind.Batch, default, 0);

    /// <summary>The learning rate.</summary>
    public static GpuArgument LearningRate => new(GpuArgumentKind.LearningRate, default, 0);

    /// <summary>Adam's first bias correction.</summary>
    public static GpuArgument BiasCorrection1 => new(GpuArgumentKind.BiasCorrection1, default, 0);

    /// <summary>Adam's second bias correction.</summary>
    public static GpuArgument BiasCorrection2 => new(GpuArgumentKind.BiasCorrection2, default, 0);

    /// <summary>Whether the network is in training mode.</summary>
    public static GpuArgument Training => new(GpuArgumentKind.Training, default, 0);

    /// <summary>The dropout key of the layer at position <paramref name="layer"/> among the layer attributes.</summary>
    public static GpuArgument DropoutKey(int layer) => new(GpuArgumentKind.DropoutKey, default, layer);

    /// <summary>A pointer <paramref name="offset"/> elements into <paramref name="buffer"/>.</summary>
    public static GpuArgument Pointer(GpuBuffer buffer, int offset = 0) => new(GpuArgumentKind.Pointer, buffer, offset);
}

/// <summary>One grid dimension as a function of the batch: <c>ceil((BatchScale * batch + Offset) / Divisor)</c> blocks.</summary>
/// <param name="BatchScale">Work items per batch row.</param>
/// <param name="Offset">Work items independent of the batch.</param>
/// <param name="Divisor">Work items per block.</param>
public readonly record struct GpuGridDim(long BatchScale, long Offset, int Divisor)
{
    /// <summary>Blocks for <paramref name="batch"/> rows.</summary>
    public uint Blocks(int batch)
    {
        long blocks = (BatchScale * batch + Offset + Divisor - 1) / Divisor;
        if (blocks < 1 || blocks > int.MaxValue)
        {
            throw new InvalidOperationException($"A launch needs between 1 and {int.MaxValue.ToString(CultureInfo.InvariantCulture)} blocks, but the batch of {batch.ToString(CultureInfo.InvariantCulture)} gives {blocks.ToString(CultureInfo.InvariantCulture)}.");
        }

        return (uint)blocks;
    }
}

/// <summary>One launch of the plan.</summary>
/// <param name="Kernel">Index into <see cref="GpuPlan.KernelNames"/>.</param>
/// <param name="GridX">Blocks along x.</param>
/// <param name="GridY">Blocks along y.</param>
/// <param name="BlockX">Threads per block along x.</param>
/// <param name="BlockY">Threads per block along y.</param>
/// <param name="SharedMemoryBytes">Dynamic shared memory.</param>
/// <param name="Arguments">Kernel arguments in parameter order.</param>
public sealed record GpuLaunch(int Kernel, GpuGridDim GridX, GpuGridDim GridY, int BlockX, int BlockY, int SharedMemoryBytes, GpuArgument[] Arguments);

/// <summary>What the training methods take as targets.</summary>
public enum GpuTargetKind
{
    /// <summary>No loss: forward only.</summary>
    None,

    /// <summary>Float targets shaped like the output.</summary>
    Targets,

    /// <summary>Int32 class labels, one per sample.</summary>
    Labels,
}

/// <summary>
/// A network's GPU execution, generated at compile time: kernel names of the PTX module, the launches of forward,
/// backward and update, and the sizes of the buffers they address.
/// </summary>
public sealed class GpuPlan
{
    /// <summary>Entry names of the module, indexed by <see cref="GpuLaunch.Kernel"/>.</summary>
    public required string[] KernelNames { get; init; }

    /// <summary>Forward launches: input to output.</summary>
    public required GpuLaunch[] Forward { get; init; }

    /// <summary>Loss and backward launches (after forward): fill the gradients and the loss.</summary>
    public required GpuLaunch[] Backward { get; init; }

    /// <summary>Optimizer launches: update the parameters from the gradients.</summary>
    public required GpuLaunch[] Update { get; init; }

    /// <summary>Forward layer outputs, in order.</summary>
    public required GpuLayerOutput[] LayerOutputs { get; init; }

    /// <summary>Elements of one input sample.</summary>
    public required int InputSize { get; init; }

    /// <summary>Elements of one output sample.</summary>
    public required int OutputSize { get; init; }

    /// <summary>Number of parameters.</summary>
    public required int ParameterCount { get; init; }

    /// <summary>Arena floats per sample of capacity.</summary>
    public required int ArenaSizePerSample { get; init; }

    /// <summary>Arena offset (per sample) of the output.</summary>
    public required int OutputOffset { get; init; }

    /// <summary>Parameter-sized optimizer state buffers.</summary>
    public required int OptimizerStateBuffers { get; init; }

    /// <summary>What the loss compares the output with.</summary>
    public required GpuTargetKind TargetKind { get; init; }

    /// <summary>Adam's beta1 (0 for other optimizers).</summary>
    public float Beta1 { get; init; }

    /// <summary>Adam's beta2 (0 for other optimizers).</summary>
    public float Beta2 { get; init; }
}
