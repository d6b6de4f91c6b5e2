namespace NetCompiler.Runtime.Tests.Training;

/// <summary>
/// A hand-written <see cref="ILabelTrainable"/> test double: one dense layer with softmax cross-entropy and plain SGD.
/// Records the mode and learning rate each call saw, so tests can check what the trainer did.
/// </summary>
public sealed class SoftmaxRegression : ILabelTrainable
{
    private readonly float[] _parameters; // weight [classes, features], then bias [classes]
    private readonly float[] _gradients;
    private readonly float[] _logits;     // [capacity, classes]

    public SoftmaxRegression(int features, int classes, int batchCapacity, int seed = 0)
    {
        InputSize = features;
        OutputSize = classes;
        BatchCapacity = batchCapacity;
        _parameters = new float[classes * features + classes];
        _gradients = new float[_parameters.Length];
        _logits = new float[batchCapacity * classes];
        var random = new Random(seed);
        for (int i = 0; i < classes * features; i++)
            _parameters[i] = (float)((random.NextDouble() * 2 - 1) / Math.Sqrt(features));
        ParameterLayout = [new ParameterInfo("fc.weight", 0, [classes, features]), new ParameterInfo("fc.bias", classes * features, [classes])];
    }

    public int InputSize { get; }

    public int OutputSize { get; }

    public int BatchCapacity { get; }

    public NetworkMode Mode { get; set; } = NetworkMode.Training;

    public Span<float> Parameters => _parameters;

    public Span<float> Gradients => _gradients;

    public IReadOnlyList<ParameterInfo> ParameterLayout { get; }

    public float LearningRate { get; set; } = 0.1f;

    public long Step { get; private set; }

    public List<NetworkMode> TrainStepModes { get; } = [];

    public List<NetworkMode> ForwardModes { get; } = [];

    public List<float> TrainStepRates { get; } = [];

    /// <summary>Whether calls are recorded in the lists above (off for allocation measurements).</summary>
    public bool Record { get; set; } = true;

    /// <summary>Called at the start of every TrainStep with the step number.</summary>
    public Action<long>? BeforeTrainStep { get; set; }

    public void Forward(ReadOnlySpan<float> input, Span<float> output)
    {
        if (Record)
            ForwardModes.Add(Mode);
        int batch = Guard.BatchOf(input.Length, InputSize, BatchCapacity, nameof(input));
        Guard.Length(output.Length, batch * OutputSize, nameof(output));
        Logits(input, batch, output);
    }

    public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<int> labels)
    {
        BeforeTrainStep?.Invoke(Step);
        if (Record)
        {
            TrainStepModes.Add(Mode);
            TrainStepRates.Add(LearningRate);
        }

        float loss = Backward(input, labels);
        Update();
        return loss;
    }

    public float Backward(ReadOnlySpan<float> input, ReadOnlySpan<int> labels)
    {
        int batch = Guard.BatchOf(input.Length, InputSize, BatchCapacity, nameof(input));
        Guard.Length(labels.Length, batch, nameof(labels));
        Guard.Labels(labels, OutputSize, nameof(labels));

        int features = InputSize, classes = OutputSize;
        Span<float> logits = _logits.AsSpan(0, batch * classes); // [batch, classes]
        Logits(input, batch, logits);
        Array.Clear(_gradients);
        Span<float> dWeight = _gradients.AsSpan(0, classes * features); // [classes, features]
        Span<float> dBias = _gradients.AsSpan(classes * features);      // [classes]
        double loss = 0;
        for (int b = 0; b < batch; b++)
        {
            Span<float> row = logits.Slice(b * classes, classes);
            float max = float.NegativeInfinity;
            foreach (float v in row)
                max = Math.Max(max, v);
            double sum = 0;
            for (int k = 0; k < classes; k++)
                sum += Math.Exp(row[k] - max);
            loss += Math.Log(sum) + max - row[labels[b]];

            ReadOnlySpan<float> x = input.Slice(b * features, features);
            for (int k = 0; k < classes; k++)
            {
                // d(mean loss)/d(logit) = (softmax - onehot) / batch
                float dLogit = (float)((Math.Exp(row[k] - max) / sum - (k == labels[b] ? 1 : 0)) / batch);
                dBias[k] += dLogit;
                Span<float> dRow = dWeight.Slice(k * features, features);
                for (int f = 0; f < features; f++)
                    dRow[f] += dLogit * x[f];
            }
        }

        return (float)(loss / batch);
    }

    public void Update()
    {
        for (int i = 0; i < _parameters.Length; i++)
            _parameters[i] -= LearningRate * _gradients[i];
        Step++;
    }

    public void ResetOptimizer() => Step = 0;

    private void Logits(ReadOnlySpan<float> input, int batch, Span<float> logits)
    {
        int features = InputSize, classes = OutputSize;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> x = input.Slice(b * features, features);
            for (int k = 0; k < classes; k++)
            {
                float z = _parameters[classes * features + k];
                ReadOnlySpan<float> w = _parameters.AsSpan(k * features, features);
                for (int f = 0; f < features; f++)
                    z += w[f] * x[f];
                logits[b * classes + k] = z;
            }
        }
    }
}
