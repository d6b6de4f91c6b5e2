using NetCompiler.Compiler;

namespace NetCompiler.CodeFixes.Tests;

public class RemoveSoftmaxCodeFixTests
{
    [Fact]
    public async Task RemovesSoftmaxFromASharedAttributeList()
    {
        const string Source = """
            using NetCompiler;

            [Network(Input = [4])]
            [Dense(8), ReLU]
            [Dense(3), Softmax]
            [Loss(LossKind.SoftmaxCrossEntropy), Sgd(LearningRate = 0.1f)]
            public partial class Classifier;
            """;
        const string Expected = """
            using NetCompiler;

            [Network(Input = [4])]
            [Dense(8), ReLU]
            [Dense(3)]
            [Loss(LossKind.SoftmaxCrossEntropy), Sgd(LearningRate = 0.1f)]
            public partial class Classifier;
            """;

        string fixedSource = await CodeFixHarness.FixAllAsync(Source, DiagnosticIds.SoftmaxBeforeCrossEntropy, new RemoveSoftmaxCodeFixProvider(), expectedFixes: 1);

        Assert.Equal(Expected, fixedSource);
        Assert.Empty(await CodeFixHarness.DiagnosticsAsync(CodeFixHarness.CreateDocument(fixedSource)));
    }

    [Fact]
    public async Task RemovesAnAttributeListThatHeldOnlySoftmax()
    {
        const string Source = """
            using NetCompiler;

            [Network(Input = [4])]
            [Dense(3)]
            [Softmax]
            [Loss(LossKind.SoftmaxCrossEntropy)]
            public partial class Classifier;
            """;
        const string Expected = """
            using NetCompiler;

            [Network(Input = [4])]
            [Dense(3)]
            [Loss(LossKind.SoftmaxCrossEntropy)]
            public partial class Classifier;
            """;

        string fixedSource = await CodeFixHarness.FixAllAsync(Source, DiagnosticIds.SoftmaxBeforeCrossEntropy, new RemoveSoftmaxCodeFixProvider(), expectedFixes: 1);

        Assert.Equal(Expected, fixedSource);
        Assert.Empty(await CodeFixHarness.DiagnosticsAsync(CodeFixHarness.CreateDocument(fixedSource)));
    }
}
