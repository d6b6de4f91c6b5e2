using Microsoft.CodeAnalysis;
using NetCompiler.Compiler;

namespace NetCompiler.Generator;

/// <summary>Every diagnostic the generator reports. Each id is listed in AnalyzerReleases.Unshipped.md and documented in docs/diagnostics.md.</summary>
internal static class DiagnosticDescriptors
{
    private const string Declaration = "NetCompiler.Declaration";
    private const string Graph = "NetCompiler.Graph";

    private static DiagnosticDescriptor Error(string id, string title, string message, string category) =>
        new(id, title, message, category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: "docs/diagnostics.md#" + id.ToLowerInvariant());

    public static readonly DiagnosticDescriptor NotPartial = Error(DiagnosticIds.NotPartial,
        "Network class must be partial", "Network class '{0}' must be declared partial so that the generator can add its members", Declaration);

    public static readonly DiagnosticDescriptor MissingInputShape = Error(DiagnosticIds.MissingInputShape,
        "Network has no input shape", "Network '{0}' declares no input shape; set it with [Network(Input = [...])]", Declaration);

    public static readonly DiagnosticDescriptor InvalidLayerArgument = Error(DiagnosticIds.InvalidLayerArgument,
        "Invalid layer argument", "{0}: {1} is {2}; expected {3}", Declaration);

    public static readonly DiagnosticDescriptor MisplacedActivation = Error(DiagnosticIds.MisplacedActivation,
        "Activation does not follow a layer", "Activation {0} must follow a layer such as Dense or Conv2D; it cannot come first or right after another activation", Declaration);

    public static readonly DiagnosticDescriptor LayersInSeveralParts = Error(DiagnosticIds.LayersInSeveralParts,
        "Layers declared in several partial declarations", "Network '{0}' declares layers in more than one partial declaration; declare all its layers on one, so their order is defined", Declaration);

    public static readonly DiagnosticDescriptor OptimizerWithoutLoss = Error(DiagnosticIds.OptimizerWithoutLoss,
        "Optimizer without a loss", "Network '{0}' declares an optimizer but no loss; add [Loss(LossKind...)] to train it", Declaration);

    public static readonly DiagnosticDescriptor InvalidOptimizerArgument = Error(DiagnosticIds.InvalidOptimizerArgument,
        "Invalid optimizer argument", "{0}: {1} is {2}; expected {3}", Declaration);

    public static readonly DiagnosticDescriptor NoLayers = Error(DiagnosticIds.NoLayers,
        "Network has no layers", "Network '{0}' has no layers; add at least one, for example [Dense(10)]", Declaration);

    public static readonly DiagnosticDescriptor LossNeedsWiderOutput = Error(DiagnosticIds.LossNeedsWiderOutput,
        "Loss does not fit the output", "{0} needs an output of at least {2}, but the network's output has {1} feature(s)", Graph);

    public static readonly DiagnosticDescriptor LossNeedsActivation = Error(DiagnosticIds.LossNeedsActivation,
        "Loss does not fit the last activation", "{0} needs the last layer to end with {1}, but it ends with {2}", Graph);

    public static readonly DiagnosticDescriptor SoftmaxBeforeCrossEntropy = Error(DiagnosticIds.SoftmaxBeforeCrossEntropy,
        "Softmax before softmax cross-entropy", "SoftmaxCrossEntropy applies softmax itself; remove this [Softmax] so that the last layer outputs logits", Graph);

    public static readonly DiagnosticDescriptor SoftmaxNotLast = Error(DiagnosticIds.SoftmaxNotLast,
        "Softmax is not the last layer", "Softmax must be the last layer of the network", Graph);

    public static readonly DiagnosticDescriptor DenseNeedsFlatInput = Error(DiagnosticIds.DenseNeedsFlatInput,
        "Dense needs a flat input", "Dense needs a flat input, but the layer before it outputs shape {0}; add [Flatten] before it", Graph);

    public static readonly DiagnosticDescriptor NeedsImageInput = Error(DiagnosticIds.NeedsImageInput,
        "Layer needs a [channels, height, width] input", "{0} needs a 3-D [channels, height, width] input, but its input has shape {1}", Graph);

    public static readonly DiagnosticDescriptor KernelLargerThanInput = Error(DiagnosticIds.KernelLargerThanInput,
        "Kernel larger than the input", "{0}: the kernel ({2}) is larger than the padded input {1} {3} (input {1} {4} plus padding {5} on each side)", Graph);

    public static readonly DiagnosticDescriptor WindowsDoNotTile = Error(DiagnosticIds.WindowsDoNotTile,
        "Windows do not tile the input", "{0}: the windows do not tile the input {1}: {2} + 2*{3} - {4} = {5} is not a multiple of the stride {6}; change the padding, kernel or stride so that the output {1} is an integer", Graph);
    public static readonly DiagnosticDescriptor GpuCodeNotGenerated = new(DiagnosticIds.GpuCodeNotGenerated,
        "GPU code not generated", "GPU code not generated for network {0}: {1}", "NetCompiler.Target", DiagnosticSeverity.Info, isEnabledByDefault: true,
        helpLinkUri: "docs/diagnostics.md#nc2001");

    public static readonly DiagnosticDescriptor InternalError = Error(DiagnosticIds.InternalError,
        "Internal compiler error", "Internal error while compiling network '{0}': {1}", "NetCompiler.Internal");

    public static DiagnosticDescriptor ById(string id) => id switch
    {
        DiagnosticIds.NotPartial => NotPartial,
        DiagnosticIds.MissingInputShape => MissingInputShape,
        DiagnosticIds.InvalidLayerArgument => InvalidLayerArgument,
        DiagnosticIds.MisplacedActivation => MisplacedActivation,
        DiagnosticIds.LayersInSeveralParts => LayersInSeveralParts,
        DiagnosticIds.OptimizerWithoutLoss => OptimizerWithoutLoss,
        DiagnosticIds.InvalidOptimizerArgument => InvalidOptimizerArgument,
        DiagnosticIds.NoLayers => NoLayers,
        DiagnosticIds.LossNeedsWiderOutput => LossNeedsWiderOutput,
        DiagnosticIds.LossNeedsActivation => LossNeedsActivation,
        DiagnosticIds.SoftmaxBeforeCrossEntropy => SoftmaxBeforeCrossEntropy,
        DiagnosticIds.SoftmaxNotLast => SoftmaxNotLast,
        DiagnosticIds.DenseNeedsFlatInput => DenseNeedsFlatInput,
        DiagnosticIds.NeedsImageInput => NeedsImageInput,
        DiagnosticIds.KernelLargerThanInput => KernelLargerThanInput,
        DiagnosticIds.WindowsDoNotTile => WindowsDoNotTile,
        DiagnosticIds.GpuCodeNotGenerated => GpuCodeNotGenerated,
        _ => InternalError,
    };
}
