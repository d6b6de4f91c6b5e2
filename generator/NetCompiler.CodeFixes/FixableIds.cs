namespace NetCompiler.CodeFixes;

/// <summary>
/// The diagnostic ids these fixes handle. They repeat NetCompiler.Compiler.DiagnosticIds rather than link it,
/// so this assembly stays free of the compiler core; a test checks that the two agree.
/// </summary>
public static class FixableIds
{
    /// <summary>NC0001: the network class is not partial.</summary>
    public const string NotPartial = "NC0001";

    /// <summary>NC1003: a Softmax layer before the softmax cross-entropy loss.</summary>
    public const string SoftmaxBeforeCrossEntropy = "NC1003";
}
