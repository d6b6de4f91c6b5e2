using System.Numerics;
using NetCompiler.Reference;
using Xunit;

namespace NetCompiler.Oracle.Tests;

/// <summary>
/// The runtime's scalar reference ops (<c>NetCompiler.Reference</c>) composed into whole networks, against LibTorch.
/// Tolerances, as <c>|error| &lt;= absolute + relative * |expected|</c> with LibTorch as expected: outputs and losses
/// 1e-5 relative, gradients 1e-4 relative, 10-step losses and final weights 1e-4 relative.
/// </summary>
public class ReferenceOpsOracleTests
{
    private const int Batch = 4;
    private static readonly int[] s_sizes = [5, 7, 6, 3];

    [Theory]
    [InlineData(LossKind.MeanSquaredError)]
    [InlineData(LossKind.BinaryCrossEntropy)]
    [InlineData(LossKind.Perceptron)]
    [InlineData(LossKind.SoftmaxCrossEntropy)]
    public void MlpFloat32_OutputsLoss1e5_Gradients1e4_OfTorch(LossKind loss)
    {
        // BCE: LibTorch ends in Sigmoid + BCELoss, the reference in logits + BinaryCrossEntropyWithLogits.
        bool sigmoidOutput = loss == LossKind.BinaryCrossEntropy;
        using TorchModel model = TorchOracle.Mlp(s_sizes, ["tanh", "relu", sigmoidOutput ? "sigmoid" : "identity"], seed: 11);
        ReferenceSequential<float> reference = Mlp<float>(ActivationKind.Tanh, ActivationKind.ReLU);
        float[] parameters = model.GetParameters();
        float[] input = TestData.Uniform(200, Batch * s_sizes[0], -1, 1);
        float[] targets = loss == LossKind.BinaryCrossEntropy
            ? TestData.Uniform(201, Batch * s_sizes[^1], 0, 1)
            : Array.ConvertAll(TestData.Labels(201, Batch * s_sizes[^1], 2), l => (float)l);
        int[] labels = TestData.Labels(202, Batch, s_sizes[^1]);

        TorchPass expected = loss == LossKind.SoftmaxCrossEntropy ? model.Backward(input, labels) : model.Backward(input, targets, loss);
        (float actualLoss, float[] gradients) = reference.Backward(parameters, input, Loss<float>(loss, targets, labels));
        float[] output = reference.Forward(parameters, input);
        if (sigmoidOutput)
        {
            ActivationReference.Forward<float>(ActivationKind.Sigmoid, output, output);
        }

        Tolerance.AssertClose(expected.Output, output, 1e-5, 1e-7, "output");
        Tolerance.AssertClose(expected.Loss, actualLoss, 1e-5, 1e-7, "loss");
        Tolerance.AssertClose(expected.Flatten(model.ParameterLayout), gradients, 1e-4, 1e-6, "gradient");
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("sgd-momentum")]
    [InlineData("sgd-nesterov-decay")]
    [InlineData("adam")]
    [InlineData("adam-decay")]
    [InlineData("adagrad")]
    [InlineData("adagrad-decay")]
    public void MlpFloat32_TenStepLossesAndFinalWeights1e4_OfTorch(string optimizerName)
    {
        OptimizerAttribute optimizer = TestData.Optimizer(optimizerName);
        using TorchModel model = TorchOracle.Mlp(s_sizes, ["tanh", "relu", "identity"], seed: 12);
        ReferenceSequential<float> reference = Mlp<float>(ActivationKind.Tanh, ActivationKind.ReLU);
        float[] parameters = model.GetParameters();
        float[] input = TestData.Uniform(203, Batch * s_sizes[0], -1, 1);
        float[] targets = TestData.Uniform(204, Batch * s_sizes[^1], -1, 1);

        float[] expectedLosses = model.Train(input, targets, LossKind.MeanSquaredError, optimizer, steps: 10);

        var update = new ReferenceUpdate<float>(optimizer, parameters.Length);
        for (int step = 0; step < 10; step++)
        {
            (float loss, float[] gradients) = reference.Backward(parameters, input, Loss<float>(LossKind.MeanSquaredError, targets, []));
            Tolerance.AssertClose(expectedLosses[step], loss, 1e-4, 1e-7, $"loss of step {step}");
            update.Step(parameters, gradients);
        }

        Tolerance.AssertClose(model.GetParameters(), parameters, 1e-4, 1e-6, "final weight");
    }

    [Fact]
    public void ConvNetFloat64_OutputsLoss1e5_Gradients1e4_OfTorch()
    {
        using TorchModel model = ConvNet(seed: 13);
        ReferenceSequential<double> reference = ReferenceConvNet<double>();
        double[] parameters = TestData.Widen(model.GetParameters());
        float[] input = TestData.Uniform(205, Batch * 2 * 8 * 8, -1, 1);
        int[] labels = TestData.Labels(206, Batch, 3);

        TorchPass expected = model.Backward(input, labels);
        (double loss, double[] gradients) = reference.Backward(parameters, TestData.Widen(input), Loss<double>(LossKind.SoftmaxCrossEntropy, [], labels));

        Tolerance.AssertClose(reference.Forward(parameters, TestData.Widen(input)), expected.Output, 1e-5, 1e-7, "output");
        Tolerance.AssertClose(loss, expected.Loss, 1e-5, 1e-7, "loss");
        Tolerance.AssertClose(gradients, expected.Flatten(model.ParameterLayout), 1e-4, 1e-6, "gradient");
        Assert.Equal(reference.ParameterCount, model.ParameterCount);
    }

    [Theory]
    [InlineData("sgd-momentum")]
    [InlineData("adam")]
    public void ConvNetFloat64_TenStepLossesAndFinalWeights1e4_OfTorch(string optimizerName)
    {
        OptimizerAttribute optimizer = TestData.Optimizer(optimizerName);
        using TorchModel model = ConvNet(seed: 14);
        ReferenceSequential<double> reference = ReferenceConvNet<double>();
        double[] parameters = TestData.Widen(model.GetParameters());
        float[] input = TestData.Uniform(207, Batch * 2 * 8 * 8, -1, 1);
        int[] labels = TestData.Labels(208, Batch, 3);

        float[] losses = model.Train(input, labels, optimizer, steps: 10);

        var update = new ReferenceUpdate<double>(optimizer, parameters.Length);
        for (int step = 0; step < 10; step++)
        {
            (double loss, double[] gradients) = reference.Backward(parameters, TestData.Widen(input), Loss<double>(LossKind.SoftmaxCrossEntropy, [], labels));
            Tolerance.AssertClose(loss, losses[step], 1e-4, 1e-7, $"loss of step {step}");
            update.Step(parameters, gradients);
        }

        Tolerance.AssertClose(parameters, model.GetParameters(), 1e-4, 1e-6, "final weight");
        Assert.True(losses[^1] < losses[0], $"Training did not reduce the loss: {losses[0]} -> {losses[^1]}.");
    }

    [Fact]
    public void ConvNet_LayoutHasPyTorchNamesAndShapes()
    {
        using TorchModel model = ConvNet(seed: 15);

        string[] expected = ["0.weight [3, 2, 3, 3]", "0.bias [3]", "3.weight [4, 3, 3, 3]", "3.bias [4]", "7.weight [3, 4]", "7.bias [3]"];
        Assert.Equal(expected, model.ParameterLayout.Select(p => $"{p.Name} {p.ShapeText}"));
        Assert.Equal([2, 8, 8], model.InputShape);
        Assert.Equal([3], model.OutputShape);
    }

    // [batch, 2, 8, 8] -> conv 3x3 pad 1 -> [3, 8, 8] -> max 2 -> [3, 4, 4] -> conv 3x3 stride 2 pad 1 -> [4, 2, 2]
    // -> avg 2 -> [4, 1, 1] -> flatten -> [4] -> linear -> [3]
    private static TorchModel ConvNet(int seed) => TorchOracle.Sequential(
        [2, 8, 8],
        [
            TorchLayer.Conv2d(2, 3, kernel: 3, padding: 1), TorchLayer.ReLU(), TorchLayer.MaxPool2d(2),
            TorchLayer.Conv2d(3, 4, kernel: 3, stride: 2, padding: 1), TorchLayer.Tanh(), TorchLayer.AvgPool2d(2),
            TorchLayer.Flatten(), TorchLayer.Linear(4, 3),
        ],
        seed);

    private static ReferenceSequential<T> ReferenceConvNet<T>()
        where T : IFloatingPointIeee754<T> =>
        new ReferenceSequential<T>([2, 8, 8])
            .Conv(3, kernel: 3, padding: 1).Activation(ActivationKind.ReLU).MaxPool(2)
            .Conv(4, kernel: 3, stride: 2, padding: 1).Activation(ActivationKind.Tanh).AvgPool(2)
            .Flatten().Dense(3);

    private static ReferenceSequential<T> Mlp<T>(ActivationKind first, ActivationKind second)
        where T : IFloatingPointIeee754<T> =>
        new ReferenceSequential<T>([s_sizes[0]]).Dense(s_sizes[1]).Activation(first).Dense(s_sizes[2]).Activation(second).Dense(s_sizes[3]);

    private static ReferenceSequential<T>.LossOf Loss<T>(LossKind loss, float[] targets, int[] labels)
        where T : IFloatingPointIeee754<T>
    {
        T[] target = Array.ConvertAll(targets, t => T.CreateChecked(t));
        return loss switch
        {
            LossKind.MeanSquaredError => (output, dOutput) => LossReference.MeanSquaredError<T>(output, target, dOutput),
            LossKind.BinaryCrossEntropy => (output, dOutput) => LossReference.BinaryCrossEntropyWithLogits<T>(output, target, dOutput),
            LossKind.Perceptron => (output, dOutput) => LossReference.Perceptron<T>(output, target, dOutput),
            _ => (output, dOutput) => LossReference.SoftmaxCrossEntropy<T>(labels.Length, output.Length / labels.Length, output, labels, dOutput),
        };
    }

    /// <summary>Drives <see cref="OptimizerReference"/> with the settings of an optimizer attribute and owns its state.</summary>
    private sealed class ReferenceUpdate<T>(OptimizerAttribute settings, int parameterCount)
        where T : IFloatingPointIeee754<T>
    {
        private readonly T[] _first = new T[parameterCount];
        private readonly T[] _second = new T[parameterCount];
        private long _step;

        public void Step(Span<T> parameters, ReadOnlySpan<T> gradients)
        {
            _step++;
            T lr = T.CreateChecked(settings.LearningRate);
            T decay = T.CreateChecked(settings.WeightDecay);
            switch (settings)
            {
                case SgdAttribute sgd:
                    OptimizerReference.Sgd(parameters, gradients, _first, lr, T.CreateChecked(sgd.Momentum), sgd.Nesterov, decay);
                    break;
                case AdamAttribute adam:
                    OptimizerReference.Adam(parameters, gradients, _first, _second, _step, lr, T.CreateChecked(adam.Beta1), T.CreateChecked(adam.Beta2), T.CreateChecked(adam.Epsilon), decay);
                    break;
                case AdagradAttribute adagrad:
                    OptimizerReference.Adagrad(parameters, gradients, _second, lr, T.CreateChecked(adagrad.Epsilon), decay);
                    break;
                default:
                    throw new ArgumentException($"Unsupported optimizer {settings.GetType().Name}.");
            }
        }
    }
}
