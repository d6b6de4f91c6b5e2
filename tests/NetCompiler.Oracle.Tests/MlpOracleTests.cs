using Xunit;
using Xunit.Sdk;

namespace NetCompiler.Oracle.Tests;

/// <summary>
/// The LibTorch harness (float32) against a float64 MLP written out in the test. Tolerances, as
/// <c>|error| &lt;= absolute + relative * |expected|</c>: outputs and losses 1e-5 relative, gradients 1e-4 relative,
/// 10-step losses and final weights 1e-4 relative. float32 rounding alone stays near 1e-6 at these sizes.
/// </summary>
public class MlpOracleTests
{
    private const int Batch = 4;
    private static readonly int[] s_sizes = [5, 7, 6, 3];

    [Theory]
    [InlineData("tanh,relu,identity")]
    [InlineData("relu,tanh,sigmoid")]
    [InlineData("sigmoid,identity,tanh")]
    public void Forward_MatchesFloat64_Within1e5Relative(string activations)
    {
        (TorchModel model, DoubleMlp reference) = Create(activations, seed: 1);
        using (model)
        {
            float[] input = TestData.Uniform(100, Batch * s_sizes[0], -1, 1);

            float[] output = model.Forward(input);

            Assert.Equal(Batch * s_sizes[^1], output.Length);
            Tolerance.AssertClose(reference.Forward(input), output, 1e-5, 1e-7, "output");
        }
    }

    [Theory]
    [InlineData(LossKind.MeanSquaredError, "tanh,relu,identity")]
    [InlineData(LossKind.MeanSquaredError, "relu,tanh,sigmoid")]
    [InlineData(LossKind.BinaryCrossEntropy, "tanh,relu,sigmoid")]
    [InlineData(LossKind.Perceptron, "tanh,tanh,identity")]
    public void Backward_LossWithin1e5_GradientsWithin1e4_OfFloat64(LossKind loss, string activations)
    {
        (TorchModel model, DoubleMlp reference) = Create(activations, seed: 2);
        using (model)
        {
            float[] input = TestData.Uniform(101, Batch * s_sizes[0], -1, 1);
            float[] targets = Targets(loss, 102);

            TorchPass pass = model.Backward(input, targets, loss);
            (double expectedLoss, double[] expectedGradients) = reference.Backward(input, targets, loss);

            Tolerance.AssertClose(reference.Forward(input), pass.Output, 1e-5, 1e-7, "output");
            Tolerance.AssertClose(expectedLoss, pass.Loss, 1e-5, 1e-7, "loss");
            Tolerance.AssertClose(expectedGradients, pass.Flatten(model.ParameterLayout), 1e-4, 1e-6, "gradient");
            Assert.Contains(expectedGradients, g => Math.Abs(g) > 1e-3);
        }
    }

    [Fact]
    public void CrossEntropyBackward_LossWithin1e5_GradientsWithin1e4_OfFloat64()
    {
        (TorchModel model, DoubleMlp reference) = Create("relu,tanh,identity", seed: 3);
        using (model)
        {
            float[] input = TestData.Uniform(103, Batch * s_sizes[0], -1, 1);
            int[] labels = TestData.Labels(104, Batch, s_sizes[^1]);

            TorchPass pass = model.Backward(input, labels);
            (double expectedLoss, double[] expectedGradients) = reference.Backward(input, labels);

            Tolerance.AssertClose(expectedLoss, pass.Loss, 1e-5, 1e-7, "loss");
            Tolerance.AssertClose(expectedGradients, pass.Flatten(model.ParameterLayout), 1e-4, 1e-6, "gradient");
        }
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("sgd-momentum")]
    [InlineData("sgd-nesterov-decay")]
    [InlineData("adam")]
    [InlineData("adam-decay")]
    [InlineData("adagrad")]
    [InlineData("adagrad-decay")]
    public void TenStepsMse_LossesAndFinalWeightsWithin1e4_OfFloat64(string optimizerName)
    {
        OptimizerAttribute optimizer = TestData.Optimizer(optimizerName);
        (TorchModel model, DoubleMlp reference) = Create("tanh,relu,identity", seed: 4);
        using (model)
        {
            float[] input = TestData.Uniform(105, Batch * s_sizes[0], -1, 1);
            float[] targets = TestData.Uniform(106, Batch * s_sizes[^1], -1, 1);

            float[] losses = model.Train(input, targets, LossKind.MeanSquaredError, optimizer, steps: 10);

            var update = new DoubleOptimizer(optimizer, reference.Parameters.Length);
            for (int step = 0; step < 10; step++)
            {
                (double loss, double[] gradients) = reference.Backward(input, targets, LossKind.MeanSquaredError);
                Tolerance.AssertClose(loss, losses[step], 1e-4, 1e-7, $"loss of step {step}");
                update.Step(reference.Parameters, gradients);
            }

            Tolerance.AssertClose(reference.Parameters, model.GetParameters(), 1e-4, 1e-6, "final weight");
            Assert.True(losses[^1] < losses[0], $"Training did not reduce the loss: {losses[0]} -> {losses[^1]}.");
        }
    }

    [Theory]
    [InlineData("sgd-momentum")]
    [InlineData("adam")]
    public void TenStepsCrossEntropy_LossesAndFinalWeightsWithin1e4_OfFloat64(string optimizerName)
    {
        OptimizerAttribute optimizer = TestData.Optimizer(optimizerName);
        (TorchModel model, DoubleMlp reference) = Create("relu,tanh,identity", seed: 5);
        using (model)
        {
            float[] input = TestData.Uniform(107, Batch * s_sizes[0], -1, 1);
            int[] labels = TestData.Labels(108, Batch, s_sizes[^1]);

            float[] losses = model.Train(input, labels, optimizer, steps: 10);

            var update = new DoubleOptimizer(optimizer, reference.Parameters.Length);
            for (int step = 0; step < 10; step++)
            {
                (double loss, double[] gradients) = reference.Backward(input, labels);
                Tolerance.AssertClose(loss, losses[step], 1e-4, 1e-7, $"loss of step {step}");
                update.Step(reference.Parameters, gradients);
            }

            Tolerance.AssertClose(reference.Parameters, model.GetParameters(), 1e-4, 1e-6, "final weight");
        }
    }

    [Fact]
    public void Layout_FollowsSequentialIndicesAndPyTorchShapes()
    {
        (TorchModel model, _) = Create("tanh,relu,identity", seed: 6);
        using (model)
        {
            // Linear, Tanh, Linear, ReLU, Linear: identity adds no module.
            string[] expected = ["0.weight [7, 5]", "0.bias [7]", "2.weight [6, 7]", "2.bias [6]", "4.weight [3, 6]", "4.bias [3]"];
            Assert.Equal(expected, model.ParameterLayout.Select(p => $"{p.Name} {p.ShapeText}"));
            Assert.Equal([0, 35, 42, 84, 90, 108], model.ParameterLayout.Select(p => p.Offset));
            Assert.Equal(DoubleMlp.CountParameters(s_sizes), model.ParameterCount);
            Assert.Equal([3], model.OutputShape);
        }
    }

    [Fact]
    public void SetParameters_RoundTripsAndRejectsWrongLength()
    {
        (TorchModel model, _) = Create("tanh,relu,identity", seed: 7);
        using (model)
        {
            float[] values = TestData.Uniform(109, model.ParameterCount, -1, 1);

            model.SetParameters(values);

            Assert.Equal(values, model.GetParameters());
            var error = Assert.Throws<ArgumentException>(() => model.SetParameters(values.AsSpan(1)));
            Assert.Contains($"Expected {model.ParameterCount} parameters, got {model.ParameterCount - 1}", error.Message);
        }
    }

    [Fact]
    public void Comparison_FailsOnAGradientOff1e3()
    {
        (TorchModel model, DoubleMlp reference) = Create("tanh,relu,identity", seed: 8);
        using (model)
        {
            float[] input = TestData.Uniform(110, Batch * s_sizes[0], -1, 1);
            float[] targets = TestData.Uniform(111, Batch * s_sizes[^1], -1, 1);
            float[] gradients = model.Backward(input, targets, LossKind.MeanSquaredError).Flatten(model.ParameterLayout);
            double[] expected = reference.Backward(input, targets, LossKind.MeanSquaredError).Gradients;
            int largest = Array.IndexOf(expected, expected.MaxBy(Math.Abs));
            gradients[largest] *= 1.001f;

            var error = Assert.Throws<XunitException>(() => Tolerance.AssertClose(expected, gradients, 1e-4, 1e-6, "gradient"));
            Assert.Contains($"gradient[{largest}]", error.Message);
        }
    }

    private static (TorchModel Model, DoubleMlp Reference) Create(string activations, int seed)
    {
        string[] names = activations.Split(',');
        (float[][] weights, float[][] biases) = TestData.MlpWeights(seed, s_sizes);
        TorchModel model = TorchOracle.Mlp(s_sizes, names, weights, biases);
        return (model, new DoubleMlp(s_sizes, names, TestData.Flat(weights, biases)));
    }

    private static float[] Targets(LossKind loss, int seed) => loss switch
    {
        LossKind.BinaryCrossEntropy => TestData.Uniform(seed, Batch * s_sizes[^1], 0, 1),
        LossKind.Perceptron => Array.ConvertAll(TestData.Labels(seed, Batch * s_sizes[^1], 2), l => (float)l),
        _ => TestData.Uniform(seed, Batch * s_sizes[^1], -1, 1),
    };
}
