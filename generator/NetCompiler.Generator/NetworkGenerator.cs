using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using NetCompiler.Compiler;
using NetCompiler.Compiler.Passes;

namespace NetCompiler.Generator;

/// <summary>
/// Compiles every <c>[Network]</c> partial class into forward, backward and training code.
/// Pipeline: Parse (symbols -> spec + locations) -> Spec (the spec alone) -> Compile (spec -> files or errors);
/// errors are mapped back to locations in a separate, cheap output so that edits which move code leave Compile cached.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, for caching tests.</summary>
    public static class Steps
    {
        public const string Parse = nameof(Parse);
        public const string Spec = nameof(Spec);
        public const string Compile = nameof(Compile);
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName("NetCompiler.NetworkAttribute", static (node, _) => node is ClassDeclarationSyntax, Parser.SafeParse)
            .WithTrackingName(Steps.Parse);

        var compiled = parsed
            .Select(static (r, _) => r.Spec)
            .WithTrackingName(Steps.Spec)
            .Where(static s => s is not null)
            .Select(static (s, _) => (s!.FullName, Result: NetworkCompiler.Compile(s)))
            .WithTrackingName(Steps.Compile);

        context.RegisterSourceOutput(compiled, static (spc, c) =>
        {
            foreach (var file in c.Result.Files) spc.AddSource(file.HintName, SourceText.From(file.Text, System.Text.Encoding.UTF8));
        });

        context.RegisterSourceOutput(parsed.Collect().Combine(compiled.Collect()), static (spc, pair) => Report(spc, pair.Left, pair.Right));
    }

    private static void Report(SourceProductionContext spc, ImmutableArray<ParseResult> parsed, ImmutableArray<(string FullName, CompileResult Result)> compiled)
    {
        foreach (var p in parsed)
        {
            foreach (var d in p.Diagnostics)
                spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ById(d.Id), d.Location?.ToLocation(), d.Args.ToArray<object>()));
            if (p.Spec is null) continue;
            var result = compiled.FirstOrDefault(c => c.FullName == p.Spec.FullName).Result;
            if (result is null) continue;
            foreach (var e in result.Errors)
            {
                var location = e.Layer switch
                {
                    >= 0 when e.Layer < p.LayerLocations.Count => p.LayerLocations[e.Layer],
                    Lowering.LossLocation => p.LossLocation ?? p.ClassLocation,
                    Lowering.OptimizerLocation => p.OptimizerLocation ?? p.ClassLocation,
                    _ => p.ClassLocation,
                };
                spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ById(e.Id), location?.ToLocation(), e.Args.ToArray<object>()));
            }
        }
    }
}
