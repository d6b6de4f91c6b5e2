namespace NetCompiler.Oracle.Tests.Generated;

/// <summary>
/// A generated network paired with its LibTorch twin: the same layers, loss and optimizer settings, and the data the
/// comparison feeds both (float targets, or class labels for softmax cross-entropy).
/// </summary>
/// <param name="Name">Short name used as theory data.</param>
/// <param name="Create">A fresh generated network with capacity <see cref="Hyper.Capacity"/>.</param>
/// <param name="InputShape">Shape of one input sample: <c>[13]</c>, or <c>[channels, height, width]</c>.</param>
/// <param name="Layers">The twin's <c>nn.Sequential</c> modules, named as the generated <c>ParameterLayout</c>.</param>
/// <param name="Loss">The loss of both.</param>
/// <param name="Optimizer">The generated network's optimizer attribute, rebuilt with the same values for LibTorch.</param>
public sealed record OracleCase(string Name, Func<ITrainableNetwork> Create, int[] InputShape, TorchLayer[] Layers, LossKind Loss, OptimizerAttribute Optimizer)
{
    public static readonly string[] MlpNames = ["ce-momentum", "ce-nesterov-decay", "mse-adam", "bce-adagrad", "perceptron-sgd", "softmax-mse-adam-decay"];

    public static readonly string[] ConvNames = ["lenet-ce-momentum", "conv-stride-mse-adam"];

    /// <summary>Networks whose TrainStep is the fused, straight-line step (the ten-step test runs it; Backward runs the layer kernels).</summary>
    public static readonly string[] FusedNames = ["fused-xor-mse-momentum", "fused-ce-adam", "fused-bce-adagrad-decay", "fused-perceptron-nesterov"];

    public static readonly string[] Names = [.. MlpNames, .. ConvNames, .. FusedNames];

    public int InputSize => InputShape.Aggregate(1, (size, d) => size * d);

    public bool UsesLabels => Loss == LossKind.SoftmaxCrossEntropy;

    public static OracleCase Get(string name) => name switch
    {
        "ce-momentum" => new(
            name,
            () => new CrossEntropyMomentumMlp(Hyper.Capacity),
            [13],
            [TorchLayer.Linear(13, 17), TorchLayer.ReLU(), TorchLayer.Linear(17, 9), TorchLayer.Tanh(), TorchLayer.Linear(9, 5)],
            LossKind.SoftmaxCrossEntropy,
            new SgdAttribute { LearningRate = Hyper.SgdLearningRate, Momentum = Hyper.Momentum }),
        "ce-nesterov-decay" => new(
            name,
            () => new CrossEntropyNesterovMlp(Hyper.Capacity),
            [13],
            [
                TorchLayer.Linear(13, 17) with { Name = "fc1" }, TorchLayer.Tanh(),
                TorchLayer.Linear(17, 9) with { Name = "fc2" }, TorchLayer.ReLU(),
                TorchLayer.Linear(9, 5) with { Name = "head" },
            ],
            LossKind.SoftmaxCrossEntropy,
            new SgdAttribute { LearningRate = Hyper.SgdLearningRate, Momentum = Hyper.Momentum, Nesterov = true, WeightDecay = Hyper.WeightDecay }),
        "mse-adam" => new(
            name,
            () => new MseAdamMlp(Hyper.Capacity),
            [13],
            [TorchLayer.Linear(13, 17), TorchLayer.Tanh(), TorchLayer.Linear(17, 9), TorchLayer.ReLU(), TorchLayer.Linear(9, 5)],
            LossKind.MeanSquaredError,
            new AdamAttribute { LearningRate = Hyper.AdamLearningRate }),
        "bce-adagrad" => new(
            name,
            () => new BceAdagradMlp(Hyper.Capacity),
            [13],
            [TorchLayer.Linear(13, 17), TorchLayer.ReLU(), TorchLayer.Linear(17, 9, bias: false), TorchLayer.Tanh(), TorchLayer.Linear(9, 5), TorchLayer.Sigmoid()],
            LossKind.BinaryCrossEntropy,
            new AdagradAttribute { LearningRate = Hyper.AdagradLearningRate, WeightDecay = Hyper.WeightDecay }),
        "perceptron-sgd" => new(
            name,
            () => new PerceptronMlp(Hyper.Capacity),
            [13],
            [TorchLayer.Linear(13, 17), TorchLayer.Tanh(), TorchLayer.Linear(17, 5)],
            LossKind.Perceptron,
            new SgdAttribute { LearningRate = Hyper.PerceptronLearningRate }),
        "softmax-mse-adam-decay" => new(
            name,
            () => new SoftmaxMseAdamMlp(Hyper.Capacity),
            [13],
            [TorchLayer.Linear(13, 17), TorchLayer.Identity(), TorchLayer.Linear(17, 9), TorchLayer.Sigmoid(), TorchLayer.Linear(9, 5), TorchLayer.Softmax()],
            LossKind.MeanSquaredError,
            new AdamAttribute { LearningRate = Hyper.AdamLearningRate, Beta1 = Hyper.Beta1, Beta2 = Hyper.Beta2, WeightDecay = Hyper.WeightDecay }),
        "lenet-ce-momentum" => new(
            name,
            () => new SmallLeNet(Hyper.Capacity),
            [1, 14, 14],
            [
                TorchLayer.Conv2d(1, 4, kernel: 3), TorchLayer.ReLU(), TorchLayer.MaxPool2d(2),
                TorchLayer.Conv2d(4, 6, kernel: 3, padding: 1), TorchLayer.Tanh(), TorchLayer.MaxPool2d(2),
                TorchLayer.Flatten(),
                TorchLayer.Linear(54, 10), TorchLayer.ReLU(),
                TorchLayer.Linear(10, 5),
            ],
            LossKind.SoftmaxCrossEntropy,
            new SgdAttribute { LearningRate = Hyper.SgdLearningRate, Momentum = Hyper.Momentum }),
        "conv-stride-mse-adam" => new(
            name,
            () => new StridedConvNet(Hyper.Capacity),
            [3, 11, 9],
            [
                TorchLayer.Conv2d(3, 5, kernel: 3, stride: 2, padding: 1), TorchLayer.Sigmoid(), TorchLayer.AvgPool2d(2, stride: 1),
                TorchLayer.Conv2d(5, 7, kernel: 2, bias: false), TorchLayer.ReLU(), TorchLayer.MaxPool2d(2, stride: 1),
                TorchLayer.Flatten(),
                TorchLayer.Linear(42, 5),
            ],
            LossKind.MeanSquaredError,
            new AdamAttribute { LearningRate = Hyper.AdamLearningRate }),
        "fused-xor-mse-momentum" => new(
            name,
            () => new FusedXorMlp(Hyper.Capacity),
            [2],
            [TorchLayer.Linear(2, 8), TorchLayer.Tanh(), TorchLayer.Linear(8, 1), TorchLayer.Sigmoid()],
            LossKind.MeanSquaredError,
            new SgdAttribute { LearningRate = Hyper.SgdLearningRate, Momentum = Hyper.Momentum }),
        "fused-ce-adam" => new(
            name,
            () => new FusedSoftmaxMlp(Hyper.Capacity),
            [3],
            [TorchLayer.Linear(3, 17), TorchLayer.ReLU(), TorchLayer.Linear(17, 5)],
            LossKind.SoftmaxCrossEntropy,
            new AdamAttribute { LearningRate = Hyper.AdamLearningRate, Beta1 = Hyper.Beta1, Beta2 = Hyper.Beta2 }),
        "fused-bce-adagrad-decay" => new(
            name,
            () => new FusedBceMlp(Hyper.Capacity),
            [5],
            [TorchLayer.Linear(5, 6), TorchLayer.Sigmoid(), TorchLayer.Linear(6, 6, bias: false), TorchLayer.Tanh(), TorchLayer.Linear(6, 3), TorchLayer.Sigmoid()],
            LossKind.BinaryCrossEntropy,
            new AdagradAttribute { LearningRate = Hyper.AdagradLearningRate, WeightDecay = Hyper.WeightDecay }),
        "fused-perceptron-nesterov" => new(
            name,
            () => new FusedPerceptronMlp(Hyper.Capacity),
            [9],
            [TorchLayer.Linear(9, 16), TorchLayer.Tanh(), TorchLayer.Linear(16, 3)],
            LossKind.Perceptron,
            new SgdAttribute { LearningRate = Hyper.PerceptronLearningRate, Momentum = Hyper.Momentum, Nesterov = true, WeightDecay = Hyper.WeightDecay }),
        _ => throw new ArgumentException($"Unknown oracle case '{name}'; expected one of {string.Join(", ", Names)}.", nameof(name)),
    };

    /// <summary>The LibTorch twin, initialized by PyTorch (tests overwrite its parameters from the generated network).</summary>
    public TorchModel CreateTorch() => TorchOracle.Sequential(InputShape, Layers, seed: 7);

    /// <summary>Inputs <c>[batch, ..InputShape]</c> uniform in ±2, so tanh and sigmoid reach their curved range.</summary>
    public float[] Input(int seed, int batch) => TestData.Uniform(seed, batch * InputSize, -2, 2);

    /// <summary>Targets <c>[batch, outputSize]</c>: uniform in ±1 for regression, 0/1 for binary cross-entropy and the perceptron.</summary>
    public float[] Targets(int seed, int batch, int outputSize)
    {
        if (Loss == LossKind.MeanSquaredError)
        {
            return TestData.Uniform(seed, batch * outputSize, -1, 1);
        }

        return Array.ConvertAll(TestData.Labels(seed, batch * outputSize, 2), label => (float)label);
    }

    /// <summary>Class labels <c>[batch]</c> in [0, classes).</summary>
    public static int[] Labels(int seed, int batch, int classes) => TestData.Labels(seed, batch, classes);
}
