using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NetCompiler.CodeFixes;

/// <summary>
/// Fixes NC1003 (<c>[Softmax]</c> before softmax cross-entropy) by removing that attribute, so that the last layer
/// outputs logits as the loss expects; an attribute list left empty is removed with it.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveSoftmaxCodeFixProvider)), Shared]
public sealed class RemoveSoftmaxCodeFixProvider : CodeFixProvider
{
    /// <summary>The code action's title, also its equivalence key.</summary>
    public const string Title = "Remove [Softmax]: SoftmaxCrossEntropy applies softmax itself";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(FixableIds.SoftmaxBeforeCrossEntropy);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
            return;

        foreach (var diagnostic in context.Diagnostics)
        {
            // NC1003 is reported on the Softmax attribute itself.
            if (root.FindNode(diagnostic.Location.SourceSpan) is not AttributeSyntax attribute)
                continue;

            context.RegisterCodeFix(
                CodeAction.Create(Title, ct => RemoveAsync(context.Document, attribute, ct), equivalenceKey: Title),
                diagnostic);
        }
    }

    private static async Task<Document> RemoveAsync(Document document, AttributeSyntax attribute, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || attribute.Parent is not AttributeListSyntax list)
            return document;

        SyntaxNode? newRoot = list.Attributes.Count == 1
            ? root.RemoveNode(list, SyntaxRemoveOptions.KeepNoTrivia)
            : root.RemoveNode(attribute, SyntaxRemoveOptions.KeepNoTrivia);
        return newRoot is null ? document : document.WithSyntaxRoot(newRoot);
    }
}
