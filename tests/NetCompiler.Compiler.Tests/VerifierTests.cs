using NetCompiler.Compiler.IR;
using NetCompiler.Compiler.Passes;

namespace NetCompiler.Compiler.Tests;

/// <summary>The verifier accepts every pass's output and rejects graphs broken by hand.</summary>
public sealed class VerifierTests
{
    private static readonly Graph Lowered = Lowering.Run(Specs.SmallMlp());

    [Fact]
    public void ValidGraphs_Pass()
    {
        var graph = Lowered;
        Assert.Same(graph, Verifier.Run(graph, "Lowering"));
        graph = Autodiff.Run(graph);
        Assert.Same(graph, Verifier.Run(graph, "Autodiff"));
        graph = Fusion.Run(graph);
        Assert.Same(graph, Verifier.Run(graph, "Fusion"));
    }

    [Fact]
    public void ReadBeforeWrite_Fails()
    {
        var nodes = Lowered.Nodes.ToList();
        (nodes[0], nodes[1]) = (nodes[1], nodes[0]);

        AssertFails(Lowered with { Nodes = nodes.ToEquatableArray() }, "node 0 (Activation 1) reads '0' before it is written");
    }

    [Fact]
    public void UnknownTensor_Fails()
    {
        var nodes = Lowered.Nodes.ToList();
        nodes[2] = nodes[2] with { Inputs = EquatableArray.Of(42) };

        AssertFails(Lowered with { Nodes = nodes.ToEquatableArray() }, "node 2 (Dense 2) reads unknown tensor 42");
    }

    [Fact]
    public void TensorWrittenTwice_Fails()
    {
        var nodes = Lowered.Nodes.ToList();
        nodes.Insert(2, nodes[1]);

        AssertFails(Lowered with { Nodes = nodes.ToEquatableArray() }, "tensor '1' is written twice (node 2, Activation 1)");
    }

    [Fact]
    public void UnknownParameter_Fails()
    {
        var nodes = Lowered.Nodes.ToList();
        nodes[0] = nodes[0] with { Parameters = EquatableArray.Of(0, 9) };

        AssertFails(Lowered with { Nodes = nodes.ToEquatableArray() }, "node 0 (Dense 0) uses unknown parameter 9");
    }

    [Fact]
    public void DenseWeightShapeMismatch_Fails()
    {
        var parameters = Lowered.Parameters.ToList();
        parameters[2] = parameters[2] with { Shape = EquatableArray.Of(3, 7) };

        AssertFails(Lowered with { Parameters = parameters.ToEquatableArray() }, "dense '2' weight [3, 7] does not map 8 to 3 features");
    }

    [Fact]
    public void OutputNeverWritten_Fails()
    {
        var nodes = Lowered.Nodes.Take(3).ToEquatableArray();

        AssertFails(Lowered with { Nodes = nodes, ForwardNodeCount = 3 }, "the output tensor is never written");
    }

    private static void AssertFails(Graph graph, string reason)
    {
        var e = Assert.Throws<InvalidOperationException>(() => Verifier.Run(graph, "HandEdit"));
        Assert.Equal($"IR verification failed after HandEdit: {reason}.", e.Message);
    }
}
