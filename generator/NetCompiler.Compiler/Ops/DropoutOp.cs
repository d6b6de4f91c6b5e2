using System.Globalization;
using NetCompiler.Compiler.IR;
using NetCompiler.Compiler.Model;
using NetCompiler.Compiler.Passes;

namespace NetCompiler.Compiler.Ops;

/// <summary>
/// Inverted dropout (PyTorch <c>nn.Dropout(p)</c>): in training mode <c>y = x · mask</c> with each mask element
/// <c>0</c> (probability <c>p</c>) or <c>1 / (1 - p)</c>, drawn by a counter-based generator from the seed and the
/// optimizer step; in inference mode <c>y = x</c> and the mask is all ones. The mask is a second output, kept for
/// backward: <c>dX = dY · mask</c>.
/// </summary>
internal static class DropoutOp
{
    public static int Lower(GraphBuilder g, LayerSpec spec, int layer, string name, int input)
    {
        if (!(spec.Rate >= 0f && spec.Rate < 1f))
            throw new CompileErrorException(CompileError.Create(DiagnosticIds.InvalidLayerArgument, layer, "Dropout", "rate", spec.Rate.ToString("R", CultureInfo.InvariantCulture), "a probability in [0, 1)"));
        var x = g.Tensors[input];
        int y = g.AddTensor(name, x.Shape, TensorKind.Activation);
        int mask = g.AddTensor(name + ".mask", x.Shape, TensorKind.Activation);
        g.AddNode(new Node(OpKind.Dropout, name, layer, EquatableArray.Of(input), EquatableArray.Of(y, mask), EquatableArray<int>.Empty, Rate: spec.Rate));
        return y;
    }

    public static void Backward(Autodiff.Context ctx, Node node)
    {
        int x = node.Inputs[0], y = node.Outputs[0], mask = node.Outputs[1];
        if (!ctx.NeedsGradient(x)) return;
        int dX = ctx.CreateGradient(x);
        ctx.Emit(new Node(OpKind.DropoutGrad, node.Name, node.Layer, EquatableArray.Of(ctx.GradientOf(y), mask), EquatableArray.Of(dX), EquatableArray<int>.Empty, Rate: node.Rate));
    }
}
