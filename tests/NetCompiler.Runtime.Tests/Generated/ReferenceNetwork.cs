using System.Numerics;
using NetCompiler.Reference;

namespace NetCompiler.Runtime.Tests.Generated;

/// <summary>One layer attribute of a network declaration, mirrored for the reference chain.</summary>
internal abstract record LayerDef;

/// <summary><c>[Dense(units, Bias = ..., Name = ...)]</c>.</summary>
internal sealed record DenseDef(int Units, bool Bias = true, string? Name = null) : LayerDef;

/// <summary><c>[ReLU]</c>, <c>[Sigmoid]</c>, <c>[Tanh]</c> or <c>[Identity]</c>.</summary>
internal sealed record ActivationDef(ActivationKind Kind) : LayerDef;

/// <summary><c>[Softmax]</c>.</summary>
internal sealed record SoftmaxDef : LayerDef;

/// <summary>
/// A network declaration rebuilt from the <see cref="NetCompiler.Reference"/> ops, layer by layer, in <typeparamref name="T"/>,
/// with PyTorch's parameter layout (weight then bias per dense layer, in declaration order).
/// The loss is applied the way the generated code defines it: BCE from the logits under the last sigmoid, softmax
/// cross-entropy on the last layer's logits, MSE and perceptron on the network output.
/// </summary>
internal sealed class ReferenceNetwork
{
    private readonly LayerDef[] _layers;
    private readonly int[] _inFeatures;   // per layer: elements of its input sample
    private readonly int[] _outFeatures;  // per layer: elements of its output sample
    private readonly int[] _weightOffsets; // per layer: -1 unless dense
    private readonly int[] _biasOffsets;   // per layer: -1 unless dense with bias

    public ReferenceNetwork(int inputSize, LossKind? loss, params LayerDef[] layers)
    {
        InputSize = inputSize;
        Loss = loss;
        _layers = layers;
        _inFeatures = new int[layers.Length];
        _outFeatures = new int[layers.Length];
        _weightOffsets = new int[layers.Length];
        _biasOffsets = new int[layers.Length];
        var layout = new List<ParameterInfo>();
        int features = inputSize;
        int offset = 0;
        for (int i = 0; i < layers.Length; i++)
        {
            _inFeatures[i] = features;
            _weightOffsets[i] = -1;
            _biasOffsets[i] = -1;
            if (layers[i] is DenseDef dense)
            {
                string module = dense.Name ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                layout.Add(new ParameterInfo(module + ".weight", offset, [dense.Units, features]));
                _weightOffsets[i] = offset;
                offset += dense.Units * features;
                if (dense.Bias)
                {
                    layout.Add(new ParameterInfo(module + ".bias", offset, [dense.Units]));
                    _biasOffsets[i] = offset;
                    offset += dense.Units;
                }
                features = dense.Units;
            }
            _outFeatures[i] = features;
        }
        OutputSize = features;
        ParameterCount = offset;
        Layout = layout;
    }

    public int InputSize { get; }

    public int OutputSize { get; }

    public int ParameterCount { get; }

    public LossKind? Loss { get; }

    /// <summary>The parameter tensors as <c>nn.Sequential</c> names them.</summary>
    public IReadOnlyList<ParameterInfo> Layout { get; }

    /// <summary>
    /// The bound <c>b</c> of each dense weight's default initialization <c>U(-b, b)</c>: He, <c>√(6 / fanIn)</c>, when the next
    /// layer is a ReLU, otherwise Xavier, <c>√(6 / (fanIn + fanOut))</c>.
    /// </summary>
    public IEnumerable<(string Weight, double Bound)> InitializationBounds()
    {
        foreach (var p in Layout)
        {
            if (p.Shape.Length != 2) continue;
            int layer = Array.IndexOf(_weightOffsets, p.Offset);
            bool beforeReLU = layer + 1 < _layers.Length && _layers[layer + 1] is ActivationDef { Kind: ActivationKind.ReLU };
            int fanOut = p.Shape[0], fanIn = p.Shape[1];
            yield return (p.Name, beforeReLU ? Math.Sqrt(6.0 / fanIn) : Math.Sqrt(6.0 / (fanIn + fanOut)));
        }
    }

    /// <summary>The inputs of every ReLU and the scores of a perceptron loss: where the loss has a kink.</summary>
    public double SmallestKinkDistance(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, int batch)
    {
        double[][] activations = ForwardAll(Widen(parameters), Widen(input), batch);
        double smallest = double.PositiveInfinity;
        for (int i = 0; i < _layers.Length; i++)
        {
            if (_layers[i] is ActivationDef { Kind: ActivationKind.ReLU })
                foreach (double z in activations[i]) smallest = Math.Min(smallest, Math.Abs(z));
        }
        if (Loss == LossKind.Perceptron)
            foreach (double z in activations[^1]) smallest = Math.Min(smallest, Math.Abs(z));
        return smallest;
    }

    /// <summary>Runs the forward chain and writes the network output, <c>[batch, OutputSize]</c>.</summary>
    public void Forward<T>(ReadOnlySpan<T> parameters, ReadOnlySpan<T> input, int batch, Span<T> output)
        where T : IFloatingPointIeee754<T>
    {
        T[][] activations = ForwardAll(parameters, input, batch);
        activations[^1].CopyTo(output);
    }

    /// <summary>
    /// Forward, loss and backward: returns the mean loss and overwrites <paramref name="gradients"/> (same layout as the
    /// parameters) unless it is empty. Pass <paramref name="targets"/> for the float losses, <paramref name="labels"/> for softmax cross-entropy.
    /// </summary>
    public T LossAndGradients<T>(ReadOnlySpan<T> parameters, ReadOnlySpan<T> input, int batch, ReadOnlySpan<T> targets, ReadOnlySpan<int> labels, Span<T> gradients)
        where T : IFloatingPointIeee754<T>
    {
        if (Loss is not { } loss)
            throw new InvalidOperationException("The network has no loss.");
        T[][] a = ForwardAll(parameters, input, batch);
        int last = _layers.Length - 1;
        bool wantGradient = !gradients.IsEmpty;

        // The gradient enters the chain below layer `top`: for BCE below the last sigmoid, which the loss absorbs.
        int top = last;
        T[] dOutput;
        T value;
        switch (loss)
        {
            case LossKind.MeanSquaredError:
                dOutput = new T[a[last + 1].Length];
                value = LossReference.MeanSquaredError<T>(a[last + 1], targets, dOutput);
                break;
            case LossKind.BinaryCrossEntropy:
                if (_layers[last] is not ActivationDef { Kind: ActivationKind.Sigmoid })
                    throw new InvalidOperationException("Binary cross-entropy needs a sigmoid last.");
                dOutput = new T[a[last].Length];
                value = LossReference.BinaryCrossEntropyWithLogits<T>(a[last], targets, dOutput);
                top = last - 1;
                break;
            case LossKind.SoftmaxCrossEntropy:
                dOutput = new T[a[last + 1].Length];
                value = LossReference.SoftmaxCrossEntropy<T>(batch, OutputSize, a[last + 1], labels, dOutput);
                break;
            case LossKind.Perceptron:
                dOutput = new T[a[last + 1].Length];
                value = LossReference.Perceptron<T>(a[last + 1], targets, dOutput);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss.");
        }
        if (!wantGradient)
            return value;

        Guard.Length(gradients.Length, ParameterCount, nameof(gradients));
        for (int i = top; i >= 0; i--)
        {
            T[] dInput = i == 0 ? [] : new T[batch * _inFeatures[i]];
            switch (_layers[i])
            {
                case DenseDef dense:
                    int inF = _inFeatures[i], outF = _outFeatures[i];
                    DenseReference.Backward<T>(batch, inF, outF, a[i], parameters.Slice(_weightOffsets[i], outF * inF), dOutput, dInput,
                        gradients.Slice(_weightOffsets[i], outF * inF), dense.Bias ? gradients.Slice(_biasOffsets[i], outF) : []);
                    break;
                case ActivationDef activation:
                    ActivationReference.Backward<T>(activation.Kind, a[i], a[i + 1], dOutput, i == 0 ? new T[dOutput.Length] : dInput);
                    break;
                case SoftmaxDef:
                    SoftmaxReference.Backward<T>(batch, _outFeatures[i], a[i + 1], dOutput, i == 0 ? new T[dOutput.Length] : dInput);
                    break;
            }
            dOutput = dInput;
        }
        return value;
    }

    /// <summary>Every intermediate: element 0 is the input, element <c>i + 1</c> the output of layer <c>i</c>.</summary>
    private T[][] ForwardAll<T>(ReadOnlySpan<T> parameters, ReadOnlySpan<T> input, int batch)
        where T : IFloatingPointIeee754<T>
    {
        Guard.Length(parameters.Length, ParameterCount, nameof(parameters));
        Guard.Length(input.Length, batch * InputSize, nameof(input));
        var activations = new T[_layers.Length + 1][];
        activations[0] = input.ToArray(); // [batch, InputSize]
        for (int i = 0; i < _layers.Length; i++)
        {
            int inF = _inFeatures[i], outF = _outFeatures[i];
            T[] x = activations[i];
            T[] y = new T[batch * outF]; // [batch, outF]
            switch (_layers[i])
            {
                case DenseDef dense:
                    DenseReference.Forward<T>(batch, inF, outF, x, parameters.Slice(_weightOffsets[i], outF * inF),
                        dense.Bias ? parameters.Slice(_biasOffsets[i], outF) : [], y);
                    break;
                case ActivationDef activation:
                    ActivationReference.Forward<T>(activation.Kind, x, y);
                    break;
                case SoftmaxDef:
                    SoftmaxReference.Forward<T>(batch, outF, x, y);
                    break;
            }
            activations[i + 1] = y;
        }
        return activations;
    }

    public static double[] Widen(ReadOnlySpan<float> values)
    {
        var wide = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
            wide[i] = values[i];
        return wide;
    }
}
