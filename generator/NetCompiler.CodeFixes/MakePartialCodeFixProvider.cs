using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NetCompiler.CodeFixes;

/// <summary>
/// Fixes NC0001 (network class not partial) by adding <c>partial</c> to the class and to every containing type
/// that lacks it, since the generated members are emitted inside the same chain of type declarations.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFixProvider)), Shared]
public sealed class MakePartialCodeFixProvider : CodeFixProvider
{
    /// <summary>The code action's title, also its equivalence key so that Fix All groups them.</summary>
    public const string Title = "Make the network class partial";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(FixableIds.NotPartial);

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
            // NC0001 is reported on the class identifier; its parent is the declaration to change.
            var declaration = root.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.AncestorsAndSelf().OfType<ClassDeclarationSyntax>().FirstOrDefault();
            if (declaration is null)
                continue;

            context.RegisterCodeFix(
                CodeAction.Create(Title, ct => AddPartialAsync(context.Document, declaration, ct), equivalenceKey: Title),
                diagnostic);
        }
    }

    private static async Task<Document> AddPartialAsync(Document document, ClassDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
            return document;

        var targets = declaration.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().Where(t => !t.Modifiers.Any(SyntaxKind.PartialKeyword));
        var newRoot = root.ReplaceNodes(targets, (original, rewritten) => AddPartial(rewritten));
        return document.WithSyntaxRoot(newRoot);
    }

    /// <summary>
    /// Puts <c>partial</c> last among the modifiers, right before the <c>class</c> (or <c>record</c>, <c>struct</c>) keyword,
    /// where C# requires it, and keeps the declaration's leading trivia (comments, attributes' layout) in place.
    /// </summary>
    internal static TypeDeclarationSyntax AddPartial(TypeDeclarationSyntax declaration)
    {
        if (declaration.Modifiers.Count == 0)
        {
            // Without modifiers the keyword carries the leading trivia (indentation); partial takes it over.
            var keyword = declaration.Keyword;
            var partial = SyntaxFactory.Token(keyword.LeadingTrivia, SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
            return declaration
                .WithKeyword(keyword.WithLeadingTrivia(SyntaxTriviaList.Empty))
                .WithModifiers(SyntaxFactory.TokenList(partial));
        }

        var token = SyntaxFactory.Token(SyntaxFactory.TriviaList(), SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
        return declaration.WithModifiers(declaration.Modifiers.Add(token));
    }
}
