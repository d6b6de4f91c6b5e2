using NetCompiler.Compiler.IR;
using NetCompiler.Compiler.Model;
using NetCompiler.Compiler.Passes;

namespace NetCompiler.Compiler.Ops;

/// <summary>
/// Flatten (PyTorch <c>nn.Flatten</c>): <c>[C, H, W]</c> to <c>[C·H·W]</c> in row-major order, which is already the
/// memory order, so the output is a view of the input's arena region and no data moves; the gradient is the same view
/// backwards. Flattening a tensor that is already flat is allowed and lowers to nothing, as in PyTorch.
/// </summary>
internal static class FlattenOp
{
    public static int Lower(GraphBuilder g, int layer, string name, int input)
    {
        var x = g.Tensors[input];
        if (x.Shape.Count == 1) return input;
        int y = g.AddTensor(name, EquatableArray.Of(x.Size), TensorKind.Activation);
        g.AddNode(new Node(OpKind.Flatten, name, layer, EquatableArray.Of(input), EquatableArray.Of(y), EquatableArray<int>.Empty));
        return y;
    }

    public static void Backward(Autodiff.Context ctx, Node node)
    {
        int x = node.Inputs[0], y = node.Outputs[0];
        if (!ctx.NeedsGradient(x)) return;
        int dX = ctx.CreateGradient(x);
        ctx.Emit(new Node(OpKind.FlattenGrad, node.Name, node.Layer, EquatableArray.Of(ctx.GradientOf(y)), EquatableArray.Of(dX), EquatableArray<int>.Empty));
    }
}
