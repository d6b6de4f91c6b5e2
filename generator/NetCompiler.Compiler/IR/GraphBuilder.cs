using System.Collections.Generic;
using NetCompiler.Compiler.Model;

namespace NetCompiler.Compiler.IR;

/// <summary>Mutable scratch space for building a <see cref="Graph"/>; the passes hand a frozen graph to each other.</summary>
internal sealed class GraphBuilder
{
    public List<TensorDef> Tensors { get; } = new();
    public List<ParameterDef> Parameters { get; } = new();
    public List<Node> Nodes { get; } = new();

    public GraphBuilder() { }

    public GraphBuilder(Graph graph)
    {
        Tensors.AddRange(graph.Tensors);
        Parameters.AddRange(graph.Parameters);
        Nodes.AddRange(graph.Nodes);
    }

    public int AddTensor(string name, EquatableArray<int> shape, TensorKind kind)
    {
        Tensors.Add(new TensorDef(Tensors.Count, name, shape, kind));
        return Tensors.Count - 1;
    }

    public int AddParameter(string name, EquatableArray<int> shape, ParameterInit init, int fanIn, int fanOut)
    {
        Parameters.Add(new ParameterDef(Parameters.Count, name, shape, init, fanIn, fanOut));
        return Parameters.Count - 1;
    }

    public void AddNode(Node node) => Nodes.Add(node);

    public Graph Build(int input, int output, int target, int forwardNodeCount) =>
        new(Tensors.ToEquatableArray(), Parameters.ToEquatableArray(), Nodes.ToEquatableArray(), input, output, target, forwardNodeCount);
}
