using NetCompiler.Reference;

namespace NetCompiler.Runtime.Tests.Conv;

/// <summary>One layer of a <see cref="ReferenceNetwork"/>, mirroring a layer attribute.</summary>
internal abstract record ReferenceLayer;

internal sealed record RefConv(int OutChannels, int Kernel, int Stride = 1, int Padding = 0, bool Bias = true) : ReferenceLayer;

internal sealed record RefActivation(ActivationKind Kind) : ReferenceLayer;

internal sealed record RefMaxPool(int Kernel, int Stride) : ReferenceLayer;

internal sealed record RefAvgPool(int Kernel, int Stride) : ReferenceLayer;

internal sealed record RefFlatten : ReferenceLayer;

internal sealed record RefDense(int Units, bool Bias = true) : ReferenceLayer;

/// <summary>
/// A float64 interpreter of a layer list through the NetCompiler.Reference ops: forward, a loss, and backward to every
/// parameter, with parameters flat in state-dict order (each layer's weight, then its bias), as the generated networks lay them out.
/// </summary>
internal sealed class ReferenceNetwork
{
    private readonly int[] _inputShape;
    private readonly ReferenceLayer[] _layers;
    private readonly int[][] _shapes; // per-sample shape before each layer, and the output's last
    private readonly int[] _parameterOffsets;

    public ReferenceNetwork(int[] inputShape, params ReferenceLayer[] layers)
    {
        _inputShape = inputShape;
        _layers = layers;
        _shapes = new int[layers.Length + 1][];
        _parameterOffsets = new int[layers.Length];
        _shapes[0] = inputShape;
        int offset = 0;
        for (int i = 0; i < layers.Length; i++)
        {
            int[] s = _shapes[i];
            _parameterOffsets[i] = offset;
            switch (layers[i])
            {
                case RefConv c:
                    int oh = Conv2DReference.OutputSize(s[1], c.Kernel, c.Stride, c.Padding), ow = Conv2DReference.OutputSize(s[2], c.Kernel, c.Stride, c.Padding);
                    _shapes[i + 1] = [c.OutChannels, oh, ow];
                    offset += c.OutChannels * s[0] * c.Kernel * c.Kernel + (c.Bias ? c.OutChannels : 0);
                    break;
                case RefMaxPool p:
                    _shapes[i + 1] = [s[0], (s[1] - p.Kernel) / p.Stride + 1, (s[2] - p.Kernel) / p.Stride + 1];
                    break;
                case RefAvgPool p:
                    _shapes[i + 1] = [s[0], (s[1] - p.Kernel) / p.Stride + 1, (s[2] - p.Kernel) / p.Stride + 1];
                    break;
                case RefFlatten:
                    _shapes[i + 1] = [Size(s)];
                    break;
                case RefDense d:
                    _shapes[i + 1] = [d.Units];
                    offset += d.Units * Size(s) + (d.Bias ? d.Units : 0);
                    break;
                default:
                    _shapes[i + 1] = s;
                    break;
            }
        }
        ParameterCount = offset;
    }

    public int ParameterCount { get; }

    public int InputSize => Size(_inputShape);

    public int OutputSize => Size(_shapes[^1]);

    /// <summary>Forward, loss and backward. <paramref name="loss"/> maps the output to the loss and its gradient.</summary>
    public (double Loss, double[] Output, double[] Gradients) Run(int batch, double[] input, double[] parameters, Func<double[], (double Loss, double[] DOutput)> loss)
    {
        if (parameters.Length != ParameterCount)
            throw new ArgumentException($"Expected {ParameterCount} parameters, but got {parameters.Length}.", nameof(parameters));
        var values = new double[_layers.Length + 1][];
        values[0] = input;
        for (int i = 0; i < _layers.Length; i++)
        {
            int[] s = _shapes[i];
            var x = values[i];
            var y = new double[batch * Size(_shapes[i + 1])];
            switch (_layers[i])
            {
                case RefConv c:
                    var (w, b) = ConvParameters(parameters, i, c);
                    Conv2DReference.Forward<double>(batch, s[0], s[1], s[2], c.OutChannels, c.Kernel, c.Kernel, c.Stride, c.Padding, x, w.Span, b.Span, y);
                    break;
                case RefActivation a:
                    ActivationReference.Forward<double>(a.Kind, x, y);
                    break;
                case RefMaxPool p:
                    MaxPool2DReference.Forward<double>(batch, s[0], s[1], s[2], p.Kernel, p.Stride, x, y);
                    break;
                case RefAvgPool p:
                    AvgPool2DReference.Forward<double>(batch, s[0], s[1], s[2], p.Kernel, p.Stride, x, y);
                    break;
                case RefFlatten:
                    x.CopyTo(y, 0);
                    break;
                case RefDense d:
                    var (dw, db) = DenseParameters(parameters, i, d);
                    DenseReference.Forward<double>(batch, Size(s), d.Units, x, dw.Span, db.Span, y);
                    break;
            }
            values[i + 1] = y;
        }

        var (value, dOutput) = loss(values[^1]);
        var gradients = new double[ParameterCount];
        var dY = dOutput;
        for (int i = _layers.Length - 1; i >= 0; i--)
        {
            int[] s = _shapes[i];
            var x = values[i];
            var dX = new double[x.Length];
            switch (_layers[i])
            {
                case RefConv c:
                    var (w, _) = ConvParameters(parameters, i, c);
                    var (dW, dB) = ConvParameters(gradients, i, c);
                    Conv2DReference.Backward<double>(batch, s[0], s[1], s[2], c.OutChannels, c.Kernel, c.Kernel, c.Stride, c.Padding, x, w.Span, dY, dX, dW.Span, dB.Span);
                    break;
                case RefActivation a:
                    ActivationReference.Backward<double>(a.Kind, x, values[i + 1], dY, dX);
                    break;
                case RefMaxPool p:
                    MaxPool2DReference.Backward<double>(batch, s[0], s[1], s[2], p.Kernel, p.Stride, x, dY, dX);
                    break;
                case RefAvgPool p:
                    AvgPool2DReference.Backward<double>(batch, s[0], s[1], s[2], p.Kernel, p.Stride, x, dY, dX);
                    break;
                case RefFlatten:
                    dY.CopyTo(dX, 0);
                    break;
                case RefDense d:
                    var (dw, _) = DenseParameters(parameters, i, d);
                    var (gW, gB) = DenseParameters(gradients, i, d);
                    DenseReference.Backward<double>(batch, Size(s), d.Units, x, dw.Span, dY, dX, gW.Span, gB.Span);
                    break;
            }
            dY = dX;
        }
        return (value, values[^1], gradients);
    }

    /// <summary>Mean squared error against <paramref name="targets"/>, as the generated MSE loss.</summary>
    public static Func<double[], (double, double[])> MeanSquaredError(double[] targets) => output =>
    {
        var d = new double[output.Length];
        return (LossReference.MeanSquaredError<double>(output, targets, d), d);
    };

    /// <summary>Softmax cross-entropy over <paramref name="classes"/> logits per sample.</summary>
    public static Func<double[], (double, double[])> SoftmaxCrossEntropy(int batch, int classes, int[] labels) => output =>
    {
        var d = new double[output.Length];
        return (LossReference.SoftmaxCrossEntropy<double>(batch, classes, output, labels, d), d);
    };

    private (Memory<double> Weight, Memory<double> Bias) ConvParameters(double[] flat, int layer, RefConv c)
    {
        int weights = c.OutChannels * _shapes[layer][0] * c.Kernel * c.Kernel;
        var all = flat.AsMemory(_parameterOffsets[layer]);
        return (all[..weights], c.Bias ? all.Slice(weights, c.OutChannels) : Memory<double>.Empty);
    }

    private (Memory<double> Weight, Memory<double> Bias) DenseParameters(double[] flat, int layer, RefDense d)
    {
        int weights = d.Units * Size(_shapes[layer]);
        var all = flat.AsMemory(_parameterOffsets[layer]);
        return (all[..weights], d.Bias ? all.Slice(weights, d.Units) : Memory<double>.Empty);
    }

    private static int Size(int[] shape) => shape.Aggregate(1, (a, b) => a * b);
}
