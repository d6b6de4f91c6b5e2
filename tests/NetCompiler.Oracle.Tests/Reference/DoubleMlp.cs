namespace NetCompiler.Oracle.Tests;

/// <summary>
/// A plain float64 multilayer perceptron, forward and backward written out loop by loop, as an independent check of
/// the LibTorch harness. Parameters are flat in PyTorch order: per layer weight <c>[out, in]</c>, then bias <c>[out]</c>.
/// </summary>
internal sealed class DoubleMlp
{
    private readonly int[] _sizes;
    private readonly string[] _activations;
    private readonly int[] _weightOffsets;
    private readonly int[] _biasOffsets;

    public DoubleMlp(int[] sizes, string[] activations, double[] parameters)
    {
        _sizes = sizes;
        _activations = activations;
        _weightOffsets = new int[activations.Length];
        _biasOffsets = new int[activations.Length];
        int offset = 0;
        for (int l = 0; l < activations.Length; l++)
        {
            _weightOffsets[l] = offset;
            offset += sizes[l + 1] * sizes[l];
            _biasOffsets[l] = offset;
            offset += sizes[l + 1];
        }

        if (parameters.Length != offset)
        {
            throw new ArgumentException($"Expected {offset} parameters, got {parameters.Length}.", nameof(parameters));
        }

        Parameters = parameters;
    }

    /// <summary>Flat parameters, updated in place by <see cref="DoubleOptimizer"/>.</summary>
    public double[] Parameters { get; }

    public int InputSize => _sizes[0];

    public int OutputSize => _sizes[^1];

    /// <summary>Parameter count for the given widths.</summary>
    public static int CountParameters(int[] sizes)
    {
        int count = 0;
        for (int l = 0; l + 1 < sizes.Length; l++)
        {
            count += sizes[l + 1] * (sizes[l] + 1);
        }

        return count;
    }

    /// <summary>Outputs <c>[batch, out]</c> flat.</summary>
    public double[] Forward(ReadOnlySpan<float> input) => ForwardAll(input)[^1];

    /// <summary>Mean loss against float targets and its gradient, flat like <see cref="Parameters"/>.</summary>
    public (double Loss, double[] Gradients) Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, LossKind kind)
    {
        double[][] a = ForwardAll(input);
        double[] y = a[^1];
        int n = y.Length;
        var dy = new double[n]; // [batch, out]
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            double t = targets[i];
            switch (kind)
            {
                case LossKind.MeanSquaredError:
                    loss += (y[i] - t) * (y[i] - t);
                    dy[i] = 2 * (y[i] - t) / n;
                    break;
                case LossKind.BinaryCrossEntropy:
                    loss -= t * Math.Log(y[i]) + (1 - t) * Math.Log(1 - y[i]);
                    dy[i] = (y[i] - t) / (y[i] * (1 - y[i])) / n;
                    break;
                case LossKind.Perceptron:
                    double sign = 2 * t - 1;
                    loss += Math.Max(0, -sign * y[i]);
                    dy[i] = -sign * y[i] > 0 ? -sign / n : 0;
                    break;
                default:
                    throw new ArgumentException($"Loss {kind} needs labels.", nameof(kind));
            }
        }

        return (loss / n, BackwardFrom(a, dy));
    }

    /// <summary>Mean softmax cross-entropy of the last layer's outputs (logits) against labels, and its gradient.</summary>
    public (double Loss, double[] Gradients) Backward(ReadOnlySpan<float> input, ReadOnlySpan<int> labels)
    {
        double[][] a = ForwardAll(input);
        double[] logits = a[^1];
        int classes = OutputSize;
        int batch = labels.Length;
        var dy = new double[logits.Length]; // [batch, classes]
        double loss = 0;
        for (int b = 0; b < batch; b++)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                max = Math.Max(max, logits[b * classes + c]);
            }

            double sum = 0;
            for (int c = 0; c < classes; c++)
            {
                sum += Math.Exp(logits[b * classes + c] - max);
            }

            loss += Math.Log(sum) + max - logits[b * classes + labels[b]];
            for (int c = 0; c < classes; c++)
            {
                double p = Math.Exp(logits[b * classes + c] - max) / sum;
                dy[b * classes + c] = (p - (c == labels[b] ? 1 : 0)) / batch;
            }
        }

        return (loss / batch, BackwardFrom(a, dy));
    }

    // a[0] is the input, a[l + 1] the activation after layer l.
    private double[][] ForwardAll(ReadOnlySpan<float> input)
    {
        int batch = input.Length / InputSize;
        var a = new double[_activations.Length + 1][];
        a[0] = new double[input.Length];
        for (int i = 0; i < input.Length; i++)
        {
            a[0][i] = input[i];
        }

        for (int l = 0; l < _activations.Length; l++)
        {
            int inSize = _sizes[l];
            int outSize = _sizes[l + 1];
            var next = new double[batch * outSize]; // [batch, out]
            for (int b = 0; b < batch; b++)
            {
                for (int o = 0; o < outSize; o++)
                {
                    double z = Parameters[_biasOffsets[l] + o];
                    for (int i = 0; i < inSize; i++)
                    {
                        z += Parameters[_weightOffsets[l] + o * inSize + i] * a[l][b * inSize + i];
                    }

                    next[b * outSize + o] = Activate(_activations[l], z);
                }
            }

            a[l + 1] = next;
        }

        return a;
    }

    private double[] BackwardFrom(double[][] a, double[] dy)
    {
        var gradients = new double[Parameters.Length];
        int batch = dy.Length / OutputSize;
        double[] dOutput = dy;
        for (int l = _activations.Length - 1; l >= 0; l--)
        {
            int inSize = _sizes[l];
            int outSize = _sizes[l + 1];
            var dInput = new double[batch * inSize]; // [batch, in]
            for (int b = 0; b < batch; b++)
            {
                for (int o = 0; o < outSize; o++)
                {
                    double dz = dOutput[b * outSize + o] * Derivative(_activations[l], a[l + 1][b * outSize + o]);
                    gradients[_biasOffsets[l] + o] += dz;
                    for (int i = 0; i < inSize; i++)
                    {
                        gradients[_weightOffsets[l] + o * inSize + i] += dz * a[l][b * inSize + i];
                        dInput[b * inSize + i] += dz * Parameters[_weightOffsets[l] + o * inSize + i];
                    }
                }
            }

            dOutput = dInput;
        }

        return gradients;
    }

    private static double Activate(string activation, double z) => activation switch
    {
        "relu" => Math.Max(0, z),
        "tanh" => Math.Tanh(z),
        "sigmoid" => 1 / (1 + Math.Exp(-z)),
        "identity" => z,
        _ => throw new ArgumentException($"Unknown activation '{activation}'."),
    };

    // Written in terms of the activation's output y, as the fused kernels do.
    private static double Derivative(string activation, double y) => activation switch
    {
        "relu" => y > 0 ? 1 : 0,
        "tanh" => 1 - y * y,
        "sigmoid" => y * (1 - y),
        "identity" => 1,
        _ => throw new ArgumentException($"Unknown activation '{activation}'."),
    };
}

/// <summary>PyTorch's SGD (momentum, Nesterov, weight decay), Adam and Adagrad update rules in float64.</summary>
internal sealed class DoubleOptimizer(OptimizerAttribute settings, int parameterCount)
{
    private readonly double[] _first = new double[parameterCount];
    private readonly double[] _second = new double[parameterCount];
    private int _step;

    public void Step(double[] parameters, double[] gradients)
    {
        _step++;
        double lr = settings.LearningRate;
        double decay = settings.WeightDecay;
        for (int i = 0; i < parameters.Length; i++)
        {
            double g = gradients[i] + decay * parameters[i];
            switch (settings)
            {
                case SgdAttribute sgd:
                    double momentum = sgd.Momentum;
                    if (momentum != 0)
                    {
                        // PyTorch seeds the velocity with the first gradient, not with momentum * 0 + g.
                        _first[i] = _step == 1 ? g : momentum * _first[i] + g;
                        g = sgd.Nesterov ? g + momentum * _first[i] : _first[i];
                    }

                    parameters[i] -= lr * g;
                    break;
                case AdamAttribute adam:
                    double beta1 = adam.Beta1;
                    double beta2 = adam.Beta2;
                    _first[i] = beta1 * _first[i] + (1 - beta1) * g;
                    _second[i] = beta2 * _second[i] + (1 - beta2) * g * g;
                    double mHat = _first[i] / (1 - Math.Pow(beta1, _step));
                    double vHat = _second[i] / (1 - Math.Pow(beta2, _step));
                    parameters[i] -= lr * mHat / (Math.Sqrt(vHat) + adam.Epsilon);
                    break;
                case AdagradAttribute adagrad:
                    _second[i] += g * g;
                    parameters[i] -= lr * g / (Math.Sqrt(_second[i]) + adagrad.Epsilon);
                    break;
                default:
                    throw new ArgumentException($"Unsupported optimizer {settings.GetType().Name}.");
            }
        }
    }
}
