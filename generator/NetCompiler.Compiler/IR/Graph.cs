using System;
using System.Linq;
using System.Text;
using NetCompiler.Compiler.Model;

namespace NetCompiler.Compiler.IR;

// The graph IR: a value. Tensors and parameters are referred to by integer ids (their index);
// nodes are in topological (execution) order. Autodiff appends the backward nodes to the same graph.

public enum TensorKind { Input, Activation, Gradient, Target }

/// <summary>A tensor of <c>[batch, ..Shape]</c>; <see cref="Shape"/> is per sample, the batch is a run-time size.</summary>
public sealed record TensorDef(int Id, string Name, EquatableArray<int> Shape, TensorKind Kind)
{
    public int Size => Shape.Aggregate(1, (a, b) => a * b);

    public string ShapeText => "[batch, " + string.Join(", ", Shape) + "]";
}

public enum ParameterInit { HeUniform, XavierUniform, Zeros }

/// <summary>A parameter tensor in PyTorch's layout and state-dict naming.</summary>
public sealed record ParameterDef(int Id, string Name, EquatableArray<int> Shape, ParameterInit Init, int FanIn, int FanOut)
{
    public int Size => Shape.Aggregate(1, (a, b) => a * b);

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

public enum OpKind
{
    // forward
    Dense,
    Activation,
    Softmax,
    Loss,

    // backward
    LossGrad,
    ActivationGrad,
    SoftmaxGrad,
    DenseGradInput,
    DenseGradParams,
}

/// <summary>
/// One operation. <see cref="Activation"/> is the op's own activation (for <see cref="OpKind.Activation"/>) or an
/// activation fused into its epilogue (Dense forward), or whose derivative is fused in (backward nodes).
/// </summary>
public sealed record Node(
    OpKind Op,
    string Name,
    int Layer,
    EquatableArray<int> Inputs,
    EquatableArray<int> Outputs,
    EquatableArray<int> Parameters,
    ActivationKind Activation = ActivationKind.Identity,
    LossKind Loss = LossKind.MeanSquaredError);

public sealed record Graph(
    EquatableArray<TensorDef> Tensors,
    EquatableArray<ParameterDef> Parameters,
    EquatableArray<Node> Nodes,
    int Input,
    int Output,
    int Target,
    int ForwardNodeCount)
{
    public TensorDef Tensor(int id) => Tensors[id];

    /// <summary>A readable dump, for golden tests and debugging.</summary>
    public string Dump()
    {
        var sb = new StringBuilder();
        foreach (var p in Parameters) sb.Append("param ").Append(p.Name).Append(' ').Append(p.ShapeText).Append('\n');
        for (int i = 0; i < Nodes.Count; i++)
        {
            var n = Nodes[i];
            sb.Append(i == ForwardNodeCount ? "-- backward --\n" : "");
            sb.Append(n.Op).Append(' ').Append(n.Name);
            if (n.Op is OpKind.Dense or OpKind.Activation or OpKind.DenseGradInput or OpKind.LossGrad or OpKind.ActivationGrad)
                sb.Append(" act=").Append(n.Activation);
            if (n.Op is OpKind.Loss or OpKind.LossGrad) sb.Append(" loss=").Append(n.Loss);
            sb.Append(" (").Append(string.Join(", ", n.Inputs.Select(t => Tensors[t].Name + Tensors[t].ShapeText)));
            if (n.Parameters.Count > 0) sb.Append("; ").Append(string.Join(", ", n.Parameters.Select(p => Parameters[p].Name)));
            sb.Append(") -> ").Append(string.Join(", ", n.Outputs.Select(t => Tensors[t].Name + Tensors[t].ShapeText))).Append('\n');
        }
        return sb.ToString();
    }
}
