using Microsoft.CodeAnalysis;
using NetCompiler.Compiler;

namespace NetCompiler.Generator.Tests;

/// <summary>One test per diagnostic id: the id, its severity, where it points and its message.</summary>
public sealed class DiagnosticTests
{
    private const string Usings = "using NetCompiler;\n";

    [Fact]
    public void NotPartial_PointsAtClassIdentifier()
    {
        AssertSingleDiagnostic(
            """
            [Network(Input = [2])]
            [Dense(1)]
            public class [|Net|] { }
            """,
            DiagnosticIds.NotPartial,
            "Network class 'Net' must be declared partial so that the generator can add its members");
    }

    [Fact]
    public void NotPartial_ContainingTypeNotPartial()
    {
        AssertSingleDiagnostic(
            """
            public class Outer
            {
                [Network(Input = [2])]
                [Dense(1)]
                public partial class [|Net|];
            }
            """,
            DiagnosticIds.NotPartial,
            "Network class 'Net' must be declared partial so that the generator can add its members");
    }

    [Fact]
    public void MissingInputShape_PointsAtClassIdentifier()
    {
        AssertSingleDiagnostic(
            """
            [Network]
            [Dense(1)]
            public partial class [|Net|];
            """,
            DiagnosticIds.MissingInputShape,
            "Network 'Net' declares no input shape; set it with [Network(Input = [...])]");
    }

    [Fact]
    public void InvalidLayerArgument_DenseUnits_PointsAtLayer()
    {
        AssertSingleDiagnostic(
            """
            [Network(Input = [2])]
            [Dense(4), ReLU]
            [[|Dense(0)|]]
            public partial class Net;
            """,
            DiagnosticIds.InvalidLayerArgument,
            "Dense: units is 0; expected a positive number of output features");
    }

    [Fact]
    public void InvalidLayerArgument_InputDimension_PointsAtClassIdentifier()
    {
        AssertSingleDiagnostic(
            """
            [Network(Input = [3, 0])]
            [Dense(1)]
            public partial class [|Net|];
            """,
            DiagnosticIds.InvalidLayerArgument,
            "Network: Input is [3, 0]; expected positive dimensions");
    }

    [Fact]
    public void InvalidLayerArgument_UndefinedLossKind_PointsAtLoss()
    {
        AssertSingleDiagnostic(
            """
            [Network(Input = [2])]
            [Dense(1)]
            [[|Loss((LossKind)7)|]]
            public partial class Net;
            """,
            DiagnosticIds.InvalidLayerArgument,
            "Loss: kind is 7; expected one of MeanSquaredError, BinaryCrossEntropy, SoftmaxCrossEntropy, Perceptron");
    }

    [Fact]
    public void MisplacedActivation_First_PointsAtActivation()
    {
        AssertSingleDiagnostic(
            """
            [Network(Input = [2])]
            [[|ReLU|], Dense(1)]
            public partial class Net;
            """,
            DiagnosticIds.MisplacedActivation,
            "Activation ReLU must follow a layer such as Dense or Conv2D; it cannot come first or right after another activation");
    }

    [Fact]
    public void MisplacedActivation_AfterActivation_PointsAtSecondActivation()
    {
        AssertSingleDiagnostic(
            """
            [Network(Input = [2])]
            [Dense(3), Tanh, [|Sigmoid|]]
            public partial class Net;
            """,
            DiagnosticIds.MisplacedActivation,
            "Activation Sigmoid must follow a layer such as Dense or Conv2D; it cannot come first or right after another activation");
    }

    [Fact]
    public void LayersInSeveralParts_PointsAtAttributedDeclaration()
    {
        AssertSingleDiagnostic(
            """
            [Network(Input = [2])]
            [Dense(4)]
            public partial class [|Net|];

            [ReLU]
            public partial class Net;
            """,
            DiagnosticIds.LayersInSeveralParts,
            "Network 'Net' declares layers in more than one partial declaration; declare all its layers on one, so their order is defined");
    }

    [Fact]
    public void OptimizerWithoutLoss_PointsAtOptimizer()
    {
        AssertSingleDiagnostic(
            """
            [Network(Input = [2])]
            [Dense(1)]
            [[|Sgd(LearningRate = 0.1f)|]]
            public partial class Net;
            """,
            DiagnosticIds.OptimizerWithoutLoss,
            "Network 'Net' declares an optimizer but no loss; add [Loss(LossKind...)] to train it");
    }

    [Theory]
    [InlineData("Sgd(LearningRate = -1f)", "Sgd: LearningRate is -1; expected a positive, finite number")]
    [InlineData("Sgd(LearningRate = float.PositiveInfinity)", "Sgd: LearningRate is Infinity; expected a positive, finite number")]
    [InlineData("Sgd(Momentum = 1f)", "Sgd: Momentum is 1; expected a number in [0, 1)")]
    [InlineData("Sgd(Nesterov = true)", "Sgd: Momentum is 0; expected a positive momentum, which Nesterov needs")]
    [InlineData("Adagrad(WeightDecay = -0.5f)", "Adagrad: WeightDecay is -0.5; expected zero or a positive number")]
    [InlineData("Adam(Beta1 = 1f)", "Adam: Beta1 is 1; expected a number in [0, 1)")]
    [InlineData("Adam(Beta2 = -0.25f)", "Adam: Beta2 is -0.25; expected a number in [0, 1)")]
    [InlineData("Adam(Epsilon = 0f)", "Adam: Epsilon is 0; expected a positive number")]
    public void InvalidOptimizerArgument_PointsAtOptimizer(string optimizer, string message)
    {
        AssertSingleDiagnostic(
            $$"""
            [Network(Input = [2])]
            [Dense(1)]
            [Loss(LossKind.MeanSquaredError), [|{{optimizer}}|]]
            public partial class Net;
            """,
            DiagnosticIds.InvalidOptimizerArgument,
            message);
    }

    [Fact]
    public void NoLayers_PointsAtClassIdentifier()
    {
        AssertSingleDiagnostic(
            """
            [Network(Input = [2])]
            [Loss(LossKind.MeanSquaredError)]
            public partial class [|Net|];
            """,
            DiagnosticIds.NoLayers,
            "Network 'Net' has no layers; add at least one, for example [Dense(10)]");
    }

    [Fact]
    public void LossNeedsWiderOutput_PointsAtLoss()
    {
        AssertSingleDiagnostic(
            """
            [Network(Input = [2])]
            [Dense(1)]
            [[|Loss(LossKind.SoftmaxCrossEntropy)|]]
            public partial class Net;
            """,
            DiagnosticIds.LossNeedsWiderOutput,
            "SoftmaxCrossEntropy needs an output of at least 2 classes, but the network's output has 1 feature(s)");
    }

    [Theory]
    [InlineData("[Dense(1)]", "BinaryCrossEntropy", "BinaryCrossEntropy needs the last layer to end with Sigmoid, but it ends with Identity")]
    [InlineData("[Dense(2), Sigmoid]\n[Dense(1)]", "BinaryCrossEntropy", "BinaryCrossEntropy needs the last layer to end with Sigmoid, but it ends with Identity")]
    [InlineData("[Dense(1), Tanh]", "BinaryCrossEntropy", "BinaryCrossEntropy needs the last layer to end with Sigmoid, but it ends with Tanh")]
    [InlineData("[Dense(1), Sigmoid]", "Perceptron", "Perceptron needs the last layer to end with no activation (Identity), but it ends with Sigmoid")]
    public void LossNeedsActivation_PointsAtLoss(string layers, string loss, string message)
    {
        AssertSingleDiagnostic(
            $$"""
            [Network(Input = [2])]
            {{layers}}
            [[|Loss(LossKind.{{loss}})|]]
            public partial class Net;
            """,
            DiagnosticIds.LossNeedsActivation,
            message);
    }

    [Fact]
    public void SoftmaxBeforeCrossEntropy_PointsAtSoftmax()
    {
        AssertSingleDiagnostic(
            """
            [Network(Input = [4])]
            [Dense(3), [|Softmax|]]
            [Loss(LossKind.SoftmaxCrossEntropy)]
            public partial class Net;
            """,
            DiagnosticIds.SoftmaxBeforeCrossEntropy,
            "SoftmaxCrossEntropy applies softmax itself; remove this [Softmax] so that the last layer outputs logits");
    }

    [Fact]
    public void SoftmaxNotLast_PointsAtSoftmax()
    {
        AssertSingleDiagnostic(
            """
            [Network(Input = [4])]
            [Dense(3), [|Softmax|]]
            [Dense(2)]
            public partial class Net;
            """,
            DiagnosticIds.SoftmaxNotLast,
            "Softmax must be the last layer of the network");
    }

    [Fact]
    public void DiagnosticsOfOneNetworkDoNotStopAnother()
    {
        var run = GeneratorHarness.Run(Usings +
            """
            [Network(Input = [2])]
            [Dense(0)]
            public partial class Broken;

            [Network(Input = [2])]
            [Dense(1)]
            public partial class Fine;
            """);

        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal(DiagnosticIds.InvalidLayerArgument, diagnostic.Id);
        Assert.Equal(["Fine.g.cs", "Fine.Cuda.g.cs"], run.Result.GeneratedSources.Select(s => s.HintName));
        Assert.Empty(run.OutputProblems());
    }

    [Theory]
    [InlineData("MeanSquaredError", "[Dense(8), Tanh]\n[Dense(1), Sigmoid]", "[Sgd(LearningRate = 0.5f, Momentum = 0.9f)]")]
    [InlineData("MeanSquaredError", "[Dense(3, Bias = false, Name = \"fc1\"), ReLU]\n[Dense(2, Name = \"head\")]", "[Sgd(LearningRate = 0.1f, Momentum = 0.5f, Nesterov = true, WeightDecay = 1e-4f)]")]
    [InlineData("BinaryCrossEntropy", "[Dense(17), ReLU]\n[Dense(1), Sigmoid]", "[Adagrad(LearningRate = 0.05f)]")]
    [InlineData("SoftmaxCrossEntropy", "[Dense(33), ReLU]\n[Dense(10)]", "[Adam(LearningRate = 0.002f, WeightDecay = 0.01f)]")]
    [InlineData("Perceptron", "[Dense(1)]", "")]
    [InlineData(null, "[Dense(5), Identity]\n[Dense(4), Softmax]", "")]
    public void ValidNetworks_ProduceNoDiagnosticsAndCompileCleanly(string? loss, string layers, string optimizer)
    {
        string source = Usings +
            $$"""
            namespace Models.Tests;

            public static partial class Outer
            {
                [Network(Input = [3, 2], Seed = 7)]
                {{layers}}
                {{(loss is null ? "" : $"[Loss(LossKind.{loss})]")}}
                {{optimizer}}
                internal partial class Net;
            }
            """;

        var run = GeneratorHarness.Run(source);

        Assert.True(run.Diagnostics.IsEmpty, GeneratorHarness.Describe(run.Diagnostics));
        Assert.Equal(["Models.Tests.Outer.Net.g.cs", "Models.Tests.Outer.Net.Cuda.g.cs"], run.Result.GeneratedSources.Select(s => s.HintName));
        var problems = run.OutputProblems().ToList();
        Assert.True(problems.Count == 0, GeneratorHarness.Describe(problems));
    }

    private static void AssertSingleDiagnostic(string markedSource, string id, string message)
    {
        var marked = MarkedSource.Parse(Usings + markedSource);
        var run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(GeneratorHarness.Parse(marked.Text, "Net.cs")));

        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        // The generator keeps locations as plain values (no syntax tree), so they come back as file locations.
        var lineSpan = diagnostic.Location.GetLineSpan();
        Assert.Equal("Net.cs", lineSpan.Path);
        Assert.Equal(marked.LineSpan, lineSpan.Span);
        Assert.Equal(marked.Span, diagnostic.Location.SourceSpan);
        // An erroneous network generates nothing, so its diagnostics are the only errors the user sees.
        Assert.Empty(run.Result.GeneratedSources);
    }
}
