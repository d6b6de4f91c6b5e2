using Microsoft.CodeAnalysis;

namespace NetCompiler.Generator;

/// <summary>Compiles every <c>[Network]</c> partial class into forward, backward and training code.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
