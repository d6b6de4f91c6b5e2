using NetCompiler.Compiler.IR;
using NetCompiler.Compiler.Model;
using NetCompiler.Compiler.Passes;

namespace NetCompiler.Compiler.Ops;

/// <summary>
/// Elementwise activations. Forward <c>y = f(x)</c>; backward <c>dX = dY · f'(x)</c>, with the derivative written in
/// terms of the output where that is cheaper and exact: ReLU <c>y &gt; 0</c>, sigmoid <c>y(1 - y)</c>, tanh <c>1 - y²</c>.
/// The table of scalar, vector and PTX forms is <see cref="Emit.ActivationTable"/>.
/// </summary>
internal static class ActivationOp
{
    public static int Lower(GraphBuilder g, LayerSpec spec, int layer, string name, int input, bool follows)
    {
        if (!follows)
            throw new CompileErrorException(CompileError.Create(DiagnosticIds.MisplacedActivation, layer, spec.Activation.ToString()));
        var x = g.Tensors[input];
        int y = g.AddTensor(name, x.Shape, TensorKind.Activation);
        g.AddNode(new Node(OpKind.Activation, name, layer, EquatableArray.Of(input), EquatableArray.Of(y), EquatableArray<int>.Empty, spec.Activation));
        return y;
    }

    public static void Backward(Autodiff.Context ctx, Node node)
    {
        int x = node.Inputs[0], y = node.Outputs[0];
        if (!ctx.NeedsGradient(x)) return;
        int dX = ctx.CreateGradient(x);
        ctx.Emit(new Node(OpKind.ActivationGrad, node.Name, node.Layer, EquatableArray.Of(ctx.GradientOf(y), y), EquatableArray.Of(dX), EquatableArray<int>.Empty, node.Activation));
    }
}
