using System.Collections.Generic;
using System.Linq;
using NetCompiler.Compiler.IR;
using NetCompiler.Compiler.Model;

namespace NetCompiler.Compiler.Passes;

/// <summary>
/// Merges nodes so each tensor is touched fewer times:
/// <list type="bullet">
/// <item>Dense or Conv2D + Activation: the activation becomes the epilogue of the matrix product.</item>
/// <item>ActivationGrad after DenseGradInput, Conv2DGradInput, a pool's or dropout's gradient, or LossGrad: the derivative
/// is applied as the gradient is stored.</item>
/// <item>Loss + LossGrad: one kernel computes the loss and its gradient.</item>
/// </list>
/// </summary>
internal static class Fusion
{
    public static Graph Run(Graph graph)
    {
        var nodes = graph.Nodes.ToList();
        int forwardCount = graph.ForwardNodeCount;

        // Dense -> Activation (the pre-activation tensor has no other reader: backward reads the activation output).
        for (int i = 0; i + 1 < forwardCount; i++)
        {
            var dense = nodes[i];
            var act = nodes[i + 1];
            if (dense.Op is not (OpKind.Dense or OpKind.Conv2D) || act.Op != OpKind.Activation || act.Inputs[0] != dense.Outputs[0]) continue;
            if (ReaderCount(nodes, dense.Outputs[0]) != 1) continue;
            nodes[i] = dense with { Outputs = ReplaceFirst(dense.Outputs, act.Outputs[0]), Activation = act.Activation };
            nodes.RemoveAt(i + 1);
            forwardCount--;
        }

        // ActivationGrad into the producer of its incoming gradient.
        for (int i = forwardCount; i < nodes.Count; i++)
        {
            var grad = nodes[i];
            if (grad.Op != OpKind.ActivationGrad) continue;
            int dY = grad.Inputs[0], y = grad.Inputs[1];
            int p = nodes.FindIndex(n => n.Outputs.Contains(dY));
            if (p < 0 || ReaderCount(nodes, dY) != 1) continue;
            var producer = nodes[p];
            if (producer.Activation != ActivationKind.Identity) continue;
            if (producer.Op is OpKind.DenseGradInput or OpKind.Conv2DGradInput or OpKind.MaxPool2DGrad or OpKind.AvgPool2DGrad or OpKind.DropoutGrad)
                nodes[p] = producer with { Inputs = producer.Inputs.Concat(new[] { y }).ToEquatableArray(), Outputs = ReplaceFirst(producer.Outputs, grad.Outputs[0]), Activation = grad.Activation };
            else if (producer.Op == OpKind.LossGrad && producer.Inputs[0] == y)
                nodes[p] = producer with { Outputs = grad.Outputs, Activation = grad.Activation };
            else continue;
            nodes.RemoveAt(i);
            i--;
        }

        // Loss + LossGrad.
        int loss = nodes.FindIndex(n => n.Op == OpKind.Loss);
        if (loss >= 0 && nodes.Any(n => n.Op == OpKind.LossGrad))
        {
            nodes.RemoveAt(loss);
            if (loss < forwardCount) forwardCount--;
        }

        return graph with { Nodes = nodes.ToEquatableArray(), ForwardNodeCount = forwardCount };
    }

    // The first output is the op's result; the others (Conv2D's columns, dropout's mask) stay as they are.
    private static EquatableArray<int> ReplaceFirst(EquatableArray<int> outputs, int first) =>
        new[] { first }.Concat(outputs.Skip(1)).ToEquatableArray();

    private static int ReaderCount(List<Node> nodes, int tensor) => nodes.Count(n => n.Inputs.Contains(tensor));
}
