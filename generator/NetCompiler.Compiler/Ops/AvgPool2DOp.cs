using NetCompiler.Compiler.IR;
using NetCompiler.Compiler.Model;
using NetCompiler.Compiler.Passes;

namespace NetCompiler.Compiler.Ops;

/// <summary>
/// AvgPool2D (PyTorch <c>nn.AvgPool2d(k, s)</c>, no padding): <c>y[c, oy, ox] = Σ x[c, oy·s + ky, ox·s + kx] / k²</c>.
/// Backward spreads <c>dY / k²</c> over each window (summed where windows overlap).
/// </summary>
internal static class AvgPool2DOp
{
    public static int Lower(GraphBuilder g, LayerSpec spec, int layer, string name, int input) =>
        Pool2D.Lower(g, spec, layer, name, input, OpKind.AvgPool2D, "AvgPool2D");

    public static void Backward(Autodiff.Context ctx, Node node)
    {
        int x = node.Inputs[0], y = node.Outputs[0];
        if (!ctx.NeedsGradient(x)) return;
        int dX = ctx.CreateGradient(x);
        ctx.Emit(new Node(OpKind.AvgPool2DGrad, node.Name, node.Layer, EquatableArray.Of(ctx.GradientOf(y)), EquatableArray.Of(dX), EquatableArray<int>.Empty, Window: node.Window));
    }
}
