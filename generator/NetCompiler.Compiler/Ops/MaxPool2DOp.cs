using NetCompiler.Compiler.IR;
using NetCompiler.Compiler.Model;
using NetCompiler.Compiler.Passes;

namespace NetCompiler.Compiler.Ops;

/// <summary>
/// MaxPool2D (PyTorch <c>nn.MaxPool2d(k, s)</c>, no padding): <c>y[c, oy, ox] = max x[c, oy·s + ky, ox·s + kx]</c>.
/// Backward routes <c>dY</c> to each window's first maximum (row-major; a NaN wins), found again from the kept input
/// rather than stored as indices: the comparison is cheaper than an index tensor's memory traffic.
/// </summary>
internal static class MaxPool2DOp
{
    public static int Lower(GraphBuilder g, LayerSpec spec, int layer, string name, int input) =>
        Pool2D.Lower(g, spec, layer, name, input, OpKind.MaxPool2D, "MaxPool2D");

    public static void Backward(Autodiff.Context ctx, Node node)
    {
        int x = node.Inputs[0], y = node.Outputs[0];
        if (!ctx.NeedsGradient(x)) return;
        int dX = ctx.CreateGradient(x);
        ctx.Emit(new Node(OpKind.MaxPool2DGrad, node.Name, node.Layer, EquatableArray.Of(ctx.GradientOf(y), x), EquatableArray.Of(dX), EquatableArray<int>.Empty, Window: node.Window));
    }
}

/// <summary>Shape inference shared by the pools.</summary>
internal static class Pool2D
{
    public static int Lower(GraphBuilder g, LayerSpec spec, int layer, string name, int input, OpKind op, string opName)
    {
        Conv2DOp.ValidateWindow(layer, opName, spec.Kernel, spec.Stride);
        var (channels, height, width) = Conv2DOp.Image(g.Tensors[input], layer, opName);
        int outHeight = Conv2DOp.OutputSize(layer, opName, "height", height, spec.Kernel, spec.Stride, 0);
        int outWidth = Conv2DOp.OutputSize(layer, opName, "width", width, spec.Kernel, spec.Stride, 0);
        int y = g.AddTensor(name, EquatableArray.Of(channels, outHeight, outWidth), TensorKind.Activation);
        g.AddNode(new Node(op, name, layer, EquatableArray.Of(input), EquatableArray.Of(y), EquatableArray<int>.Empty, Window: new Window(spec.Kernel, spec.Stride, 0)));
        return y;
    }
}
