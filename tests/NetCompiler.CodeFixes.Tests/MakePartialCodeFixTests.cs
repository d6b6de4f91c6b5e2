using NetCompiler.Compiler;

namespace NetCompiler.CodeFixes.Tests;

public class MakePartialCodeFixTests
{
    [Fact]
    public void FixableIdsMatchTheCompilersIds()
    {
        Assert.Equal(DiagnosticIds.NotPartial, FixableIds.NotPartial);
        Assert.Equal(DiagnosticIds.SoftmaxBeforeCrossEntropy, FixableIds.SoftmaxBeforeCrossEntropy);
        Assert.Equal(DiagnosticIds.NotPartial, Assert.Single(new MakePartialCodeFixProvider().FixableDiagnosticIds));
        Assert.Equal(DiagnosticIds.SoftmaxBeforeCrossEntropy, Assert.Single(new RemoveSoftmaxCodeFixProvider().FixableDiagnosticIds));
    }

    [Fact]
    public async Task AddsPartialAfterTheOtherModifiers()
    {
        const string Source = """
            using NetCompiler;

            /// <summary>A network.</summary>
            [Network(Input = [2])]
            [Dense(1)]
            public sealed class Net;
            """;
        const string Expected = """
            using NetCompiler;

            /// <summary>A network.</summary>
            [Network(Input = [2])]
            [Dense(1)]
            public sealed partial class Net;
            """;

        string fixedSource = await CodeFixHarness.FixAllAsync(Source, DiagnosticIds.NotPartial, new MakePartialCodeFixProvider(), expectedFixes: 1);

        Assert.Equal(Expected, fixedSource);
        Assert.Empty(await CodeFixHarness.DiagnosticsAsync(CodeFixHarness.CreateDocument(fixedSource)));
    }

    [Fact]
    public async Task AddsPartialToAClassWithoutModifiersKeepingItsIndentation()
    {
        const string Source = """
            namespace Models
            {
                [NetCompiler.Network(Input = [4])]
                [NetCompiler.Dense(3)]
                class Net
                {
                }
            }
            """;
        const string Expected = """
            namespace Models
            {
                [NetCompiler.Network(Input = [4])]
                [NetCompiler.Dense(3)]
                partial class Net
                {
                }
            }
            """;

        string fixedSource = await CodeFixHarness.FixAllAsync(Source, DiagnosticIds.NotPartial, new MakePartialCodeFixProvider(), expectedFixes: 1);

        Assert.Equal(Expected, fixedSource);
        Assert.Empty(await CodeFixHarness.DiagnosticsAsync(CodeFixHarness.CreateDocument(fixedSource)));
    }

    [Fact]
    public async Task AlsoMakesTheContainingTypesPartial()
    {
        const string Source = """
            using NetCompiler;

            public static class Outer
            {
                internal class Middle
                {
                    [Network(Input = [2])]
                    [Dense(2), ReLU]
                    [Dense(1)]
                    public partial class Net;
                }
            }
            """;
        const string Expected = """
            using NetCompiler;

            public static partial class Outer
            {
                internal partial class Middle
                {
                    [Network(Input = [2])]
                    [Dense(2), ReLU]
                    [Dense(1)]
                    public partial class Net;
                }
            }
            """;

        string fixedSource = await CodeFixHarness.FixAllAsync(Source, DiagnosticIds.NotPartial, new MakePartialCodeFixProvider(), expectedFixes: 1);

        Assert.Equal(Expected, fixedSource);
        Assert.Empty(await CodeFixHarness.DiagnosticsAsync(CodeFixHarness.CreateDocument(fixedSource)));
    }
}
