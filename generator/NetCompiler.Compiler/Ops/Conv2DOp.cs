using System.Globalization;
using NetCompiler.Compiler.IR;
using NetCompiler.Compiler.Model;
using NetCompiler.Compiler.Passes;

namespace NetCompiler.Compiler.Ops;

/// <summary>
/// Conv2D (PyTorch <c>nn.Conv2d</c>, cross-correlation over NCHW): weight <c>[outC, inC, k, k]</c>, bias <c>[outC]</c>,
/// output <c>[outC, oh, ow]</c> with <c>oh = (h + 2p - k) / s + 1</c>. Lowered as im2col + a matrix product per sample:
/// <c>cols[(c, ky, kx), (oy, ox)] = x[c, oy·s - p + ky, ox·s - p + kx]</c> (0 in the padding), <c>Y = W · cols + b</c>.
/// The columns are a second output, kept for the weight gradient; a 1x1 kernel at stride 1 without padding has none, as
/// its input already is the column matrix.
/// Backward: <c>dW = Σ_n dY · colsᵀ</c>, <c>db = Σ_n,positions dY</c>, <c>dX = col2im(Wᵀ · dY)</c>.
/// </summary>
internal static class Conv2DOp
{
    public static int Lower(GraphBuilder g, LayerSpec spec, int layer, string name, int input, bool nextIsReLU)
    {
        if (spec.Units <= 0)
            throw InvalidArgument(layer, "Conv2D", "outChannels", spec.Units, "a positive number of output channels");
        ValidateWindow(layer, "Conv2D", spec.Kernel, spec.Stride);
        if (spec.Padding < 0)
            throw InvalidArgument(layer, "Conv2D", "Padding", spec.Padding, "zero or a positive number");
        var x = g.Tensors[input];
        var (channels, height, width) = Image(x, layer, "Conv2D");
        int k = spec.Kernel;
        int outHeight = OutputSize(layer, "Conv2D", "height", height, k, spec.Stride, spec.Padding);
        int outWidth = OutputSize(layer, "Conv2D", "width", width, k, spec.Stride, spec.Padding);

        // PyTorch's fans for a convolution: one output sees inC·k·k inputs; one input feeds outC·k·k outputs.
        int fanIn = channels * k * k, fanOut = spec.Units * k * k;
        var init = nextIsReLU ? ParameterInit.HeUniform : ParameterInit.XavierUniform;
        int weight = g.AddParameter(name + ".weight", EquatableArray.Of(spec.Units, channels, k, k), init, fanIn, fanOut);
        var parameters = spec.Bias
            ? EquatableArray.Of(weight, g.AddParameter(name + ".bias", EquatableArray.Of(spec.Units), ParameterInit.Zeros, fanIn, fanOut))
            : EquatableArray.Of(weight);
        int y = g.AddTensor(name, EquatableArray.Of(spec.Units, outHeight, outWidth), TensorKind.Activation);
        var window = new Window(k, spec.Stride, spec.Padding);
        // A 1x1 kernel at stride 1 without padding reads its input as the column matrix: no columns tensor.
        var outputs = IsPointwise(window)
            ? EquatableArray.Of(y)
            : EquatableArray.Of(y, g.AddTensor(name + ".cols", EquatableArray.Of(fanIn, outHeight * outWidth), TensorKind.Activation));
        g.AddNode(new Node(OpKind.Conv2D, name, layer, EquatableArray.Of(input), outputs, parameters, Window: window));
        return y;
    }

    public static void Backward(Autodiff.Context ctx, Node node)
    {
        int x = node.Inputs[0], y = node.Outputs[0];
        bool pointwise = node.Outputs.Count == 1;
        int cols = pointwise ? x : node.Outputs[1];
        int dY = ctx.GradientOf(y);
        // The weight gradient goes first: it is the last reader of the columns, so the planner can put dCols in their place.
        ctx.Emit(new Node(OpKind.Conv2DGradParams, node.Name, node.Layer, EquatableArray.Of(dY, cols), EquatableArray<int>.Empty, node.Parameters, Window: node.Window));
        if (!ctx.NeedsGradient(x)) return;
        int dX = ctx.CreateGradient(x);
        var c = ctx.Builder.Tensors[cols];
        var outputs = pointwise ? EquatableArray.Of(dX) : EquatableArray.Of(dX, ctx.Builder.AddTensor("d" + c.Name, c.Shape, TensorKind.Gradient));
        ctx.Emit(new Node(OpKind.Conv2DGradInput, node.Name, node.Layer, EquatableArray.Of(dY), outputs, EquatableArray.Of(node.Parameters[0]), Window: node.Window));
    }

    public static bool IsPointwise(Window window) => window is { Kernel: 1, Stride: 1, Padding: 0 };

    /// <summary>The <c>[channels, height, width]</c> of an image tensor; anything else is a declaration error.</summary>
    public static (int Channels, int Height, int Width) Image(TensorDef x, int layer, string op)
    {
        if (x.Shape.Count != 3)
            throw new CompileErrorException(CompileError.Create(DiagnosticIds.NeedsImageInput, layer, op, "[" + string.Join(", ", x.Shape) + "]"));
        return (x.Shape[0], x.Shape[1], x.Shape[2]);
    }

    public static void ValidateWindow(int layer, string op, int kernel, int stride)
    {
        if (kernel <= 0) throw InvalidArgument(layer, op, "kernel", kernel, "a positive window size");
        if (stride <= 0) throw InvalidArgument(layer, op, "Stride", stride, "a positive step");
    }

    /// <summary>Windows along one axis; the kernel must fit the padded input and the windows must tile it exactly.</summary>
    public static int OutputSize(int layer, string op, string axis, int size, int kernel, int stride, int padding)
    {
        int padded = size + 2 * padding;
        if (kernel > padded)
            throw new CompileErrorException(CompileError.Create(DiagnosticIds.KernelLargerThanInput, layer, op, axis, Int(kernel), Int(padded), Int(size), Int(padding)));
        // PyTorch would silently drop the last rows or columns; a compile-time network can say so instead.
        if ((padded - kernel) % stride != 0)
            throw new CompileErrorException(CompileError.Create(DiagnosticIds.WindowsDoNotTile, layer, op, axis, Int(size), Int(padding), Int(kernel), Int(padded - kernel), Int(stride)));
        return (padded - kernel) / stride + 1;
    }

    public static CompileErrorException InvalidArgument(int layer, string op, string argument, int value, string expected) =>
        new(CompileError.Create(DiagnosticIds.InvalidLayerArgument, layer, op, argument, Int(value), expected));

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
