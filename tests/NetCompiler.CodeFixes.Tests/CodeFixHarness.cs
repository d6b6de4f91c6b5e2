using System.Collections.Immutable;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using NetCompiler.Generator;

namespace NetCompiler.CodeFixes.Tests;

/// <summary>
/// Runs the generator over one source file in an <see cref="AdhocWorkspace"/>, applies a code fix to each of its
/// diagnostics with a given id, and returns the fixed text, as an IDE would (one fix at a time, diagnostics recomputed).
/// </summary>
internal static class CodeFixHarness
{
    private static readonly ImmutableArray<MetadataReference> s_references =
        [.. Net100.References.All, MetadataReference.CreateFromFile(typeof(NetworkAttribute).Assembly.Location)];

    /// <summary>The generator's diagnostics plus the compiler's errors for <paramref name="source"/> with the generated code added.</summary>
    public static async Task<ImmutableArray<Diagnostic>> DiagnosticsAsync(Document document)
    {
        var compilation = await document.Project.GetCompilationAsync() ?? throw new InvalidOperationException("The project has no compilation.");
        // Generated trees must be parsed like the user's, or the compilation rejects the mix of language versions.
        var driver = CSharpGeneratorDriver.Create([new NetworkGenerator().AsSourceGenerator()], parseOptions: (CSharpParseOptions?)document.Project.ParseOptions);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error);
        return [.. generatorDiagnostics, .. errors];
    }

    public static Document CreateDocument(string source)
    {
        var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(), VersionStamp.Default, "Test", "Test", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
            metadataReferences: s_references));
        return workspace.AddDocument(project.Id, "Test.cs", SourceText.From(source));
    }

    /// <summary>Applies <paramref name="provider"/> to the first <paramref name="id"/> diagnostic until none is left; returns the final text.</summary>
    public static async Task<string> FixAllAsync(string source, string id, CodeFixProvider provider, int expectedFixes)
    {
        var document = CreateDocument(source);
        int applied = 0;
        while (true)
        {
            var diagnostic = (await DiagnosticsAsync(document)).FirstOrDefault(d => d.Id == id);
            if (diagnostic is null)
                break;
            if (applied == expectedFixes)
                throw new InvalidOperationException($"{id} is still reported after {applied} fix(es): {diagnostic}");

            var actions = new List<CodeAction>();
            var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
            await provider.RegisterCodeFixesAsync(context);
            var action = Assert.Single(actions);

            var operation = Assert.Single((await action.GetOperationsAsync(CancellationToken.None)).OfType<ApplyChangesOperation>());
            document = operation.ChangedSolution.GetDocument(document.Id) ?? throw new InvalidOperationException("The fix removed the document.");
            applied++;
        }
        Assert.Equal(expectedFixes, applied);
        return (await document.GetTextAsync()).ToString();
    }
}
