using System;

namespace NetCompiler.Compiler;

/// <summary>
/// The ids of every diagnostic. Declaration errors are NC0xxx, graph and shape errors NC1xxx, target
/// information NC2xxx, internal errors NC9xxx. Messages are formatted with <see cref="CompileError.Args"/>;
/// the descriptors (titles, severities) live in the generator.
/// </summary>
public static class DiagnosticIds
{
    public const string NotPartial = "NC0001";
    public const string MissingInputShape = "NC0002";
    public const string InvalidLayerArgument = "NC0003";
    public const string MisplacedActivation = "NC0004";
    public const string LayersInSeveralParts = "NC0005";
    public const string OptimizerWithoutLoss = "NC0006";
    public const string InvalidOptimizerArgument = "NC0007";
    public const string NoLayers = "NC0008";
    public const string LossNeedsWiderOutput = "NC1001";
    public const string LossNeedsActivation = "NC1002";
    public const string SoftmaxBeforeCrossEntropy = "NC1003";
    public const string SoftmaxNotLast = "NC1004";
    public const string DenseNeedsFlatInput = "NC1005";
    public const string NeedsImageInput = "NC1006";
    public const string KernelLargerThanInput = "NC1007";
    public const string WindowsDoNotTile = "NC1008";
    public const string GpuCodeNotGenerated = "NC2001";
    public const string InternalError = "NC9001";
}

/// <summary>An error found while compiling a spec; <see cref="Layer"/> is the layer index (-1: the class itself).</summary>
public sealed record CompileError(string Id, int Layer, EquatableArray<string> Args)
{
    public static CompileError Create(string id, int layer, params string[] args) => new(id, layer, new EquatableArray<string>(args));
}

/// <summary>Thrown by passes to stop compilation with a user-facing error.</summary>
public sealed class CompileErrorException(CompileError error) : Exception(error.Id + " " + error.Args)
{
    public CompileError Error { get; } = error;
}
