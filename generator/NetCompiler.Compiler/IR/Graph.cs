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
    Conv2D,
    MaxPool2D,
    AvgPool2D,
    Flatten,
    Dropout,

    // backward
    LossGrad,
    ActivationGrad,
    SoftmaxGrad,
    DenseGradInput,
    DenseGradParams,
    Conv2DGradInput,
    Conv2DGradParams,
    MaxPool2DGrad,
    AvgPool2DGrad,
    FlattenGrad,
    DropoutGrad,
}

/// <summary>A square sliding window: Conv2D's kernel or a pool's, with its stride and zero padding on every side.</summary>
public sealed record Window(int Kernel, int Stride, int Padding);

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
    LossKind Loss = LossKind.MeanSquaredError,
    Window? Window = null,
    float Rate = 0f)
{
    /// <summary>
    /// A view reinterprets its input's memory with another shape and computes nothing: its output shares the
    /// input's arena region (see <see cref="Graph.Storage"/>).
    /// </summary>
    public bool IsView => Op is OpKind.Flatten or OpKind.FlattenGrad;
}

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

    /// <summary>The tensor whose memory <paramref name="tensor"/> occupies: itself, or for a view's output the storage of the view's input.</summary>
    public int Storage(int tensor)
    {
        foreach (var n in Nodes)
            if (n.IsView && n.Outputs[0] == tensor) return Storage(n.Inputs[0]);
        return tensor;
    }

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
            if (n.Op is OpKind.Dense or OpKind.Activation or OpKind.DenseGradInput or OpKind.LossGrad or OpKind.ActivationGrad or OpKind.Conv2D or OpKind.Conv2DGradInput)
                sb.Append(" act=").Append(n.Activation);
            if (n.Op is OpKind.Loss or OpKind.LossGrad) sb.Append(" loss=").Append(n.Loss);
            if (n.Window is { } win) sb.Append(" k=").Append(win.Kernel).Append(" s=").Append(win.Stride).Append(" p=").Append(win.Padding);
            if (n.Op is OpKind.Dropout or OpKind.DropoutGrad) sb.Append(" rate=").Append(n.Rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            sb.Append(" (").Append(string.Join(", ", n.Inputs.Select(t => Tensors[t].Name + Tensors[t].ShapeText)));
            if (n.Parameters.Count > 0) sb.Append("; ").Append(string.Join(", ", n.Parameters.Select(p => Parameters[p].Name)));
            sb.Append(") -> ").Append(string.Join(", ", n.Outputs.Select(t => Tensors[t].Name + Tensors[t].ShapeText))).Append('\n');
        }
        return sb.ToString();
    }
}
