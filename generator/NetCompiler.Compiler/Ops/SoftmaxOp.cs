using NetCompiler.Compiler.IR;
using NetCompiler.Compiler.Model;
using NetCompiler.Compiler.Passes;

namespace NetCompiler.Compiler.Ops;

/// <summary>
/// Softmax over each sample's features: <c>y = exp(x - max) / Σ exp(x - max)</c>.
/// Backward: <c>dX = y ⊙ (dY - Σ dY ⊙ y)</c>. With softmax cross-entropy the loss applies softmax itself.
/// </summary>
internal static class SoftmaxOp
{
    public static int Lower(GraphBuilder g, LayerSpec spec, int layer, string name, int input, bool isLast)
    {
        if (!isLast)
            throw new CompileErrorException(CompileError.Create(DiagnosticIds.SoftmaxNotLast, layer));
        var x = g.Tensors[input];
        int y = g.AddTensor(name, x.Shape, TensorKind.Activation);
        g.AddNode(new Node(OpKind.Softmax, name, layer, EquatableArray.Of(input), EquatableArray.Of(y), EquatableArray<int>.Empty, ActivationKind.Softmax));
        return y;
    }

    public static void Backward(Autodiff.Context ctx, Node node)
    {
        int x = node.Inputs[0], y = node.Outputs[0];
        if (!ctx.NeedsGradient(x)) return;
        int dX = ctx.CreateGradient(x);
        ctx.Emit(new Node(OpKind.SoftmaxGrad, node.Name, node.Layer, EquatableArray.Of(ctx.GradientOf(y), y), EquatableArray.Of(dX), EquatableArray<int>.Empty, ActivationKind.Softmax));
    }
}
