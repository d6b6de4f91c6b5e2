using NetCompiler;
using NetCompiler.Reference;

/// <summary>One dense layer and its activation, as the reference sees it.</summary>
internal sealed record Layer(string Name, int In, int Out, ActivationKind Activation);

/// <summary>
/// The same network computed in float64 with the scalar NetCompiler.Reference ops, from a copy of the generated
/// network's parameters: forward, loss, backward and the optimizer step, layer by layer.
/// </summary>
internal sealed class ReferenceMlp
{
    private readonly Layer[] _layers;
    private readonly (int Weight, int Bias)[] _offsets;
    private readonly double[] _velocity, _firstMoment, _secondMoment;
    private long _step;

    public ReferenceMlp(INetwork network, params Layer[] layers)
    {
        _layers = layers;
        _offsets = new (int, int)[layers.Length];
        for (int l = 0; l < layers.Length; l++)
        {
            _offsets[l] = (Find(network, layers[l].Name + ".weight", layers[l].Out * layers[l].In), Find(network, layers[l].Name + ".bias", layers[l].Out));
        }
        Parameters = ToDouble(network.Parameters);
        Gradients = new double[Parameters.Length];
        _velocity = new double[Parameters.Length];
        _firstMoment = new double[Parameters.Length];
        _secondMoment = new double[Parameters.Length];
    }

    public double[] Parameters { get; }

    public double[] Gradients { get; }

    public int OutputSize => _layers[^1].Out;

    public double[] Forward(int batch, ReadOnlySpan<double> input) => Run(batch, input).Outputs[^1];

    /// <summary>Forward, loss and backward; fills <see cref="Gradients"/> and returns the mean loss.</summary>
    public double Backward(int batch, ReadOnlySpan<double> input, Func<double[], double[], double> loss)
    {
        var (inputs, preActivations, outputs) = Run(batch, input);
        var dOutput = new double[batch * OutputSize]; // [batch, out]
        double value = loss(outputs[^1], dOutput);
        for (int l = _layers.Length - 1; l >= 0; l--)
        {
            var layer = _layers[l];
            var (w, b) = _offsets[l];
            var dPre = new double[batch * layer.Out];  // [batch, out]
            ActivationReference.Backward<double>(layer.Activation, preActivations[l], outputs[l], dOutput, dPre);
            var dInput = l > 0 ? new double[batch * layer.In] : []; // [batch, in]
            DenseReference.Backward<double>(batch, layer.In, layer.Out, inputs[l], Parameters.AsSpan(w, layer.Out * layer.In), dPre,
                dInput, Gradients.AsSpan(w, layer.Out * layer.In), Gradients.AsSpan(b, layer.Out));
            dOutput = dInput;
        }
        return value;
    }

    public void Sgd(double learningRate, double momentum) =>
        OptimizerReference.Sgd<double>(Parameters, Gradients, _velocity, learningRate, momentum, nesterov: false, weightDecay: 0);

    public void Adam(double learningRate, double beta1, double beta2, double epsilon) =>
        OptimizerReference.Adam<double>(Parameters, Gradients, _firstMoment, _secondMoment, ++_step, learningRate, beta1, beta2, epsilon, weightDecay: 0);

    private (double[][] Inputs, double[][] PreActivations, double[][] Outputs) Run(int batch, ReadOnlySpan<double> input)
    {
        var inputs = new double[_layers.Length][];
        var preActivations = new double[_layers.Length][];
        var outputs = new double[_layers.Length][];
        double[] x = input.ToArray();
        for (int l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            var (w, b) = _offsets[l];
            inputs[l] = x;
            preActivations[l] = new double[batch * layer.Out]; // [batch, out]
            DenseReference.Forward<double>(batch, layer.In, layer.Out, x, Parameters.AsSpan(w, layer.Out * layer.In), Parameters.AsSpan(b, layer.Out), preActivations[l]);
            outputs[l] = new double[batch * layer.Out];
            ActivationReference.Forward<double>(layer.Activation, preActivations[l], outputs[l]);
            x = outputs[l];
        }
        return (inputs, preActivations, outputs);
    }

    private static int Find(INetwork network, string name, int length)
    {
        foreach (var parameter in network.ParameterLayout)
        {
            if (parameter.Name == name)
            {
                if (parameter.Length != length)
                    throw new InvalidOperationException($"Parameter '{name}' has {parameter.Length} elements; the reference expects {length}.");
                return parameter.Offset;
            }
        }
        throw new InvalidOperationException($"The network has no parameter '{name}'; it has {string.Join(", ", network.ParameterLayout.Select(p => p.Name))}.");
    }

    public static double[] ToDouble(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = values[i];
        return result;
    }
}
