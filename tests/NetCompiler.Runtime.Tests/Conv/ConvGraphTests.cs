using NetCompiler.Compiler;
using NetCompiler.Compiler.IR;
using NetCompiler.Compiler.Model;
using Activation = NetCompiler.Compiler.Model.ActivationKind;
using Xunit;

namespace NetCompiler.Runtime.Tests.Conv;

/// <summary>What the passes make of convolutional layers: fusion, columns, and where tensors live.</summary>
public class ConvGraphTests
{
    private static LayerSpec Conv(int outChannels, int kernel, int padding = 0) => new(LayerKind.Conv2D, null, Units: outChannels, Kernel: kernel, Padding: padding);

    private static LayerSpec Act(Activation kind) => new(LayerKind.Activation, null, Activation: kind);

    private static (Graph Graph, Compiler.Passes.MemoryPlan Plan) Plan(int[] input, params LayerSpec[] layers) =>
        NetworkCompiler.Plan(new NetworkSpec("Tests", "Net", "Public", EquatableArray<string>.Empty, input.ToEquatableArray(), layers.ToEquatableArray(), Compiler.Model.LossKind.MeanSquaredError, null, 42));

    [Fact]
    public void ActivationsFuseIntoConvolutionsAndTheirDerivativesIntoTheNextGradient()
    {
        var (graph, _) = Plan([1, 6, 6],
            Conv(2, 3, padding: 1), Act(Activation.ReLU),
            new LayerSpec(LayerKind.MaxPool2D, null, Kernel: 2, Stride: 2), Act(Activation.Tanh),
            Conv(3, 3));
        Assert.DoesNotContain(graph.Nodes, n => n.Op == OpKind.ActivationGrad);
        var forward = graph.Nodes.Take(graph.ForwardNodeCount).ToArray();
        Assert.Equal([OpKind.Conv2D, OpKind.MaxPool2D, OpKind.Activation, OpKind.Conv2D], forward.Select(n => n.Op));
        Assert.Equal(Activation.ReLU, forward[0].Activation);
        // Tanh follows a pool, so it stays a forward node; backward fuses its derivative into the second conv's input gradient.
        Assert.Equal(OpKind.Activation, forward[2].Op);
        Assert.Equal(Activation.Tanh, Assert.Single(graph.Nodes, n => n.Op == OpKind.Conv2DGradInput).Activation);
        Assert.Equal(Activation.ReLU, Assert.Single(graph.Nodes, n => n.Op == OpKind.MaxPool2DGrad).Activation);
    }

    [Fact]
    public void PointwiseConvolutionHasNoColumns()
    {
        var (graph, _) = Plan([3, 4, 4], Conv(2, 3, padding: 1), Act(Activation.ReLU), Conv(5, 1));
        var pointwise = graph.Nodes.Last(n => n.Op == OpKind.Conv2D);
        Assert.Single(pointwise.Outputs);
        Assert.Single(graph.Nodes.Single(n => n.Op == OpKind.Conv2DGradInput).Outputs);
        Assert.Equal(pointwise.Inputs[0], graph.Nodes.Last(n => n.Op == OpKind.Conv2DGradParams && n.Layer == pointwise.Layer).Inputs[1]);
    }
}
