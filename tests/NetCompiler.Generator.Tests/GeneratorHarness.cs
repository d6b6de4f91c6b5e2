using System.Collections.Immutable;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetCompiler.Generator;

namespace NetCompiler.Generator.Tests;

/// <summary>What one generator run produced.</summary>
internal sealed record GeneratorRun(
    GeneratorDriver Driver,
    Compilation Output,
    ImmutableArray<Diagnostic> Diagnostics,
    GeneratorRunResult Result)
{
    /// <summary>The generated text for <paramref name="hintName"/>; fails naming the hint names that exist.</summary>
    public string Source(string hintName)
    {
        foreach (var s in Result.GeneratedSources)
            if (s.HintName == hintName) return s.SourceText.ToString();
        throw new Xunit.Sdk.XunitException($"No generated source '{hintName}'; generated: [{string.Join(", ", Result.GeneratedSources.Select(s => s.HintName))}].");
    }

    /// <summary>Errors and warnings of the compilation with the generated sources added.</summary>
    public IEnumerable<Diagnostic> OutputProblems() =>
        Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning);
}

/// <summary>Builds in-memory compilations against the .NET 10 reference assemblies and runs <see cref="NetworkGenerator"/> over them.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly MetadataReference[] References =
    [
        .. Net100.References.All,
        MetadataReference.CreateFromFile(typeof(NetCompiler.INetwork).Assembly.Location),
    ];

    public static SyntaxTree Parse(string source, string path = "Network.cs") =>
        CSharpSyntaxTree.ParseText(source, ParseOptions, path);

    public static CSharpCompilation CreateCompilation(params SyntaxTree[] trees) =>
        CSharpCompilation.Create(
            "GeneratorTests",
            trees,
            References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                optimizationLevel: OptimizationLevel.Release,
                nullableContextOptions: NullableContextOptions.Enable,
                deterministic: true));

    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CreateCompilation(sources.Select((s, i) => Parse(s, $"Network{i}.cs")).ToArray());

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            [new NetworkGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorRun Run(Compilation compilation) => Run(CreateDriver(), compilation);

    public static GeneratorRun Run(GeneratorDriver driver, Compilation compilation)
    {
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var result = Assert.Single(driver.GetRunResult().Results);
        Assert.Null(result.Exception);
        return new GeneratorRun(driver, output, diagnostics, result);
    }

    public static GeneratorRun Run(params string[] sources) => Run(CreateCompilation(sources));

    /// <summary>Formats diagnostics one per line, for assertion messages.</summary>
    public static string Describe(IEnumerable<Diagnostic> diagnostics) =>
        string.Join("\n", diagnostics.Select(d => d.Location.SourceTree is { } tree
            ? d + "\n    " + tree.GetText().Lines.GetLineFromPosition(d.Location.SourceSpan.Start).ToString().Trim()
            : d.ToString()));
}
