using NetCompiler.Compiler.IR;
using NetCompiler.Compiler.Model;
using NetCompiler.Compiler.Passes;
using static NetCompiler.Compiler.Tests.Specs;

namespace NetCompiler.Compiler.Tests;

/// <summary>Shape inference and declaration checks of <see cref="Lowering"/>, on specs built directly.</summary>
public sealed class LoweringTests
{
    [Fact]
    public void Dense_AfterFlattenUsesPyTorchWeightLayout()
    {
        var graph = Lowering.Run(Network([3, 4, 5], [new LayerSpec(LayerKind.Flatten, null), Dense(7), Act(ActivationKind.ReLU), Dense(2, "head", bias: false)]));

        Assert.Equal([3, 4, 5], graph.Tensor(graph.Input).Shape);
        Assert.Equal([2], graph.Tensor(graph.Output).Shape);
        Assert.Equal(["1.weight [7, 60]", "1.bias [7]", "head.weight [2, 7]"], graph.Parameters.Select(p => p.Name + " " + p.ShapeText));
        Assert.Equal([OpKind.Flatten, OpKind.Dense, OpKind.Activation, OpKind.Dense], graph.Nodes.Select(n => n.Op));
        Assert.Equal(4, graph.ForwardNodeCount);
        Assert.Equal(-1, graph.Target);
    }

    [Fact]
    public void Dense_OnTheDeclaredInputReadsItsRowMajorFeatures()
    {
        var graph = Lowering.Run(Network([3, 4, 5], [Dense(7)]));

        Assert.Equal(["0.weight [7, 60]", "0.bias [7]"], graph.Parameters.Select(p => p.Name + " " + p.ShapeText));
    }

    [Fact]
    public void Dense_InitializationFollowsNextActivation()
    {
        var graph = Lowering.Run(Network([4], [Dense(6), Act(ActivationKind.ReLU), Dense(5), Act(ActivationKind.Tanh), Dense(1)]));

        Assert.Equal(
            [ParameterInit.HeUniform, ParameterInit.Zeros, ParameterInit.XavierUniform, ParameterInit.Zeros, ParameterInit.XavierUniform, ParameterInit.Zeros],
            graph.Parameters.Select(p => p.Init));
        var w1 = graph.Parameters[2];
        Assert.Equal((6, 5), (w1.FanIn, w1.FanOut));
    }

    [Fact]
    public void Activation_KeepsShapeAndNamesByLayerIndex()
    {
        var graph = Lowering.Run(Network([4], [Dense(6), Act(ActivationKind.Sigmoid, "gate"), Dense(2), Act(ActivationKind.Softmax)]));

        Assert.Equal(["input [batch, 4]", "0 [batch, 6]", "gate [batch, 6]", "2 [batch, 2]", "3 [batch, 2]"], graph.Tensors.Select(t => t.Name + " " + t.ShapeText));
        Assert.Equal(OpKind.Softmax, graph.Nodes[^1].Op);
    }

    [Theory]
    [InlineData(LossKind.MeanSquaredError, "targets", new[] { 3 })]
    [InlineData(LossKind.Perceptron, "targets", new[] { 3 })]
    [InlineData(LossKind.SoftmaxCrossEntropy, "labels", new[] { 1 })]
    public void Loss_AddsTargetOfTheRightShape(LossKind loss, string targetName, int[] targetShape)
    {
        var graph = Lowering.Run(Network([4], [Dense(3)], loss));

        var target = graph.Tensor(graph.Target);
        Assert.Equal(TensorKind.Target, target.Kind);
        Assert.Equal(targetName, target.Name);
        Assert.Equal(targetShape, target.Shape);
        var lossNode = graph.Nodes[^1];
        Assert.Equal((OpKind.Loss, loss, Lowering.LossLocation), (lossNode.Op, lossNode.Loss, lossNode.Layer));
        Assert.Equal([graph.Output, graph.Target], lossNode.Inputs);
    }

    [Theory]
    [MemberData(nameof(InvalidSpecs))]
    public void InvalidSpec_ThrowsCompileError(string description, NetworkSpec spec, string id, int layer, string[] args)
    {
        var e = Assert.Throws<CompileErrorException>(() => Lowering.Run(spec));

        Assert.True(e.Error == CompileError.Create(id, layer, args), $"{description}: expected {id} at {layer} [{string.Join(", ", args)}], got {e.Error.Id} at {e.Error.Layer} {e.Error.Args}.");
    }

    public static TheoryData<string, NetworkSpec, string, int, string[]> InvalidSpecs() => new()
    {
        { "no input", Network([], [Dense(1)]), DiagnosticIds.MissingInputShape, Lowering.ClassLocation, ["Net"] },
        { "zero dimension", Network([2, 0], [Dense(1)]), DiagnosticIds.InvalidLayerArgument, Lowering.ClassLocation, ["Network", "Input", "[2, 0]", "positive dimensions"] },
        { "no layers", Network([2], []), DiagnosticIds.NoLayers, Lowering.ClassLocation, ["Net"] },
        { "zero units", Network([2], [Dense(3), Dense(0)]), DiagnosticIds.InvalidLayerArgument, 1, ["Dense", "units", "0", "a positive number of output features"] },
        { "negative units", Network([2], [Dense(-4)]), DiagnosticIds.InvalidLayerArgument, 0, ["Dense", "units", "-4", "a positive number of output features"] },
        { "activation first", Network([2], [Act(ActivationKind.Tanh), Dense(1)]), DiagnosticIds.MisplacedActivation, 0, ["Tanh"] },
        { "two activations", Network([2], [Dense(2), Act(ActivationKind.ReLU), Act(ActivationKind.Identity)]), DiagnosticIds.MisplacedActivation, 2, ["Identity"] },
        { "softmax not last", Network([2], [Dense(2), Act(ActivationKind.Softmax), Dense(2)]), DiagnosticIds.SoftmaxNotLast, 1, [] },
        { "softmax before SCE", Network([2], [Dense(2), Act(ActivationKind.Softmax)], LossKind.SoftmaxCrossEntropy), DiagnosticIds.SoftmaxBeforeCrossEntropy, 1, [] },
        { "SCE on one output", Network([2], [Dense(1)], LossKind.SoftmaxCrossEntropy), DiagnosticIds.LossNeedsWiderOutput, Lowering.LossLocation, ["SoftmaxCrossEntropy", "1", "2 classes"] },
        { "BCE without sigmoid", Network([2], [Dense(1), Act(ActivationKind.ReLU)], LossKind.BinaryCrossEntropy), DiagnosticIds.LossNeedsActivation, Lowering.LossLocation, ["BinaryCrossEntropy", "Sigmoid", "ReLU"] },
        { "perceptron with tanh", Network([2], [Dense(1), Act(ActivationKind.Tanh)], LossKind.Perceptron), DiagnosticIds.LossNeedsActivation, Lowering.LossLocation, ["Perceptron", "no activation (Identity)", "Tanh"] },
        { "optimizer without loss", Network([2], [Dense(1)], optimizer: Sgd()), DiagnosticIds.OptimizerWithoutLoss, Lowering.OptimizerLocation, ["Net"] },
        { "zero learning rate", Network([2], [Dense(1)], LossKind.MeanSquaredError, Sgd(0f)), DiagnosticIds.InvalidOptimizerArgument, Lowering.OptimizerLocation, ["Sgd", "LearningRate", "0", "a positive, finite number"] },
        { "NaN learning rate", Network([2], [Dense(1)], LossKind.MeanSquaredError, Sgd(float.NaN)), DiagnosticIds.InvalidOptimizerArgument, Lowering.OptimizerLocation, ["Sgd", "LearningRate", "NaN", "a positive, finite number"] },
        { "momentum 1", Network([2], [Dense(1)], LossKind.MeanSquaredError, Sgd(momentum: 1f)), DiagnosticIds.InvalidOptimizerArgument, Lowering.OptimizerLocation, ["Sgd", "Momentum", "1", "a number in [0, 1)"] },
    };
}
