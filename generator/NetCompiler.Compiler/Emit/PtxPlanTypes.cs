// Compiled into the runtime (namespace NetCompiler.Cuda) and into the compiler and generator (netstandard2.0,
// namespace NetCompiler.Compiler.Emit): the generated host code names these members, so both sides must agree, and
// distinct namespaces keep a project that references both assemblies free of ambiguous types.
#if NETSTANDARD2_0
namespace NetCompiler.Compiler.Emit;
#else
namespace NetCompiler.Cuda;
#endif

/// <summary>The device buffers of a network on the GPU.</summary>
public enum GpuBuffer
{
    /// <summary>All parameters, flat, in the layout of the network's <c>ParameterLayout</c>.</summary>
    Parameters,

    /// <summary>Parameter gradients, same layout.</summary>
    Gradients,

    /// <summary>Optimizer state: one or two parameter-sized buffers back to back.</summary>
    OptimizerState,

    /// <summary>The activation arena; offsets are per sample and multiplied by the batch capacity, as on the CPU.</summary>
    Arena,

    /// <summary>The input batch, <c>[capacity, InputSize]</c>.</summary>
    Input,

    /// <summary>Targets <c>[capacity, OutputSize]</c> or int32 labels <c>[capacity]</c>.</summary>
    Targets,

    /// <summary>Per-row losses, <c>[capacity]</c>.</summary>
    RowLoss,

    /// <summary>The mean loss, one float.</summary>
    Loss,
}

/// <summary>What a kernel argument is.</summary>
public enum GpuArgumentKind
{
    /// <summary>A device pointer: a buffer plus an element offset.</summary>
    Pointer,

    /// <summary>The batch size (u32).</summary>
    Batch,

    /// <summary>The learning rate (f32).</summary>
    LearningRate,

    /// <summary>Adam's <c>1 - beta1^t</c> (f32).</summary>
    BiasCorrection1,

    /// <summary>Adam's <c>1 - beta2^t</c> (f32).</summary>
    BiasCorrection2,

    /// <summary>The dropout key (u64) of the layer whose position is <see cref="GpuArgument.Offset"/>, at the current step.</summary>
    DropoutKey,

    /// <summary>1 in <see cref="NetworkMode.Training"/>, 0 in <see cref="NetworkMode.Inference"/> (u32).</summary>
    Training,
}

/// <summary>A forward layer's output in the arena, checked when the loss is not finite to name the first bad layer.</summary>
/// <param name="Layer">Layer name and op, e.g. <c>fc1 (Dense, ReLU)</c>.</param>
/// <param name="Offset">Arena offset per sample.</param>
/// <param name="Size">Elements per sample.</param>
public sealed record GpuLayerOutput(string Layer, int Offset, int Size);
