using System.Globalization;
using Xunit;
using Xunit.Abstractions;

namespace NetCompiler.Oracle.Tests.Generated;

/// <summary>
/// Generated networks against LibTorch float32 for the same weights and inputs: six MLPs (13-17-9-5, 13-17-5) and two
/// conv + pool + dense networks, at batches 1, 7 and 32. Compared: outputs, the loss, every gradient by name, the
/// losses of 10 optimizer steps (a new batch each step) and the parameters after them. LibTorch is the expectation.
/// Every check is <c>|actual - expected| &lt;= absolute + relative * |expected|</c>.
/// </summary>
/// <remarks>
/// Tolerances. Both sides compute in float32 (unit roundoff u = 6e-8) but sum in different orders (4- to 16-lane FMA
/// partial sums here, MKL/oneDNN blocking in LibTorch). A sum of n terms differs by at most about n * u * sum(|terms|);
/// rounding errors of different orders are close to independent, so in practice they grow like sqrt(n) * u. The
/// largest sums are a conv weight gradient's, n = 32 (batch) * 12 * 12 (positions) = 4608, so sqrt(n) * u = 4e-6 of
/// the terms' magnitude. Observed maxima: 6e-7 absolute on outputs and losses, 2e-7 on gradients, 6e-7 on parameters
/// after 10 steps.
/// <list type="bullet">
/// <item>Outputs and losses: 2e-5 relative + 2e-6 absolute (a dot of up to 54 terms of size ~1: 3e-6 at the very worst, 5e-7 typical).</item>
/// <item>
/// Gradients: 1e-4 relative + 2e-5 of the largest gradient magnitude in the same tensor. The absolute part scales with
/// the tensor because an element that cancels to ~0 still carries the rounding of the terms it was summed from.
/// </item>
/// <item>
/// After 10 steps: losses 1e-4 relative, parameters 1e-4 relative + 1e-5 absolute. Each step feeds the rounding of the
/// last into the next; momentum and Adam's normalization (an update of about lr * sign(g) where |g| is small) amplify
/// it, so the bound is five times the single-pass one.
/// </item>
/// </list>
/// </remarks>
public class GeneratedNetworkOracleTests(ITestOutputHelper log)
{
    private const double OutputRelative = 2e-5;
    private const double OutputAbsolute = 2e-6;
    private const double GradientRelative = 1e-4;
    private const double GradientScaled = 2e-5;
    private const double TrainedRelative = 1e-4;
    private const double TrainedAbsolute = 1e-5;
    private const int Steps = 10;

    private static readonly int[] s_batches = [1, 7, 32];

    public static TheoryData<string, int> Cases
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (string name in OracleCase.Names)
            {
                foreach (int batch in s_batches)
                {
                    data.Add(name, batch);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_MatchesLibTorch(string name, int batch)
    {
        OracleCase oracle = OracleCase.Get(name);
        ITrainableNetwork network = oracle.Create();
        using TorchModel model = oracle.CreateTorch();
        model.CopyFrom(network);
        float[] input = oracle.Input(1000 + batch, batch); // [batch, ..inputShape]
        var output = new float[batch * network.OutputSize]; // [batch, outputSize]

        network.Forward(input, output);
        float[] expected = model.Forward(input);

        Report("output", expected, output);
        Tolerance.AssertClose(expected, output, OutputRelative, OutputAbsolute, $"{name} batch {batch} output");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_LossAndEveryGradientMatchLibTorch(string name, int batch)
    {
        OracleCase oracle = OracleCase.Get(name);
        ITrainableNetwork network = oracle.Create();
        using TorchModel model = oracle.CreateTorch();
        model.CopyFrom(network);
        float[] input = oracle.Input(2000 + batch, batch); // [batch, ..inputShape]

        float loss;
        TorchPass expected;
        if (oracle.UsesLabels)
        {
            int[] labels = OracleCase.Labels(2100 + batch, batch, network.OutputSize); // [batch]
            loss = ((ILabelTrainable)network).Backward(input, labels);
            expected = model.Backward(input, labels);
        }
        else
        {
            float[] targets = oracle.Targets(2100 + batch, batch, network.OutputSize); // [batch, outputSize]
            loss = ((ITargetTrainable)network).Backward(input, targets);
            expected = model.Backward(input, targets, oracle.Loss);
        }

        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loss: LibTorch {expected.Loss:R}, generated {loss:R}"));
        Tolerance.AssertClose(expected.Loss, loss, OutputRelative, OutputAbsolute, $"{name} batch {batch} loss");

        Assert.Equal(model.ParameterLayout.Select(p => p.Name).Order(), network.ParameterLayout.Select(p => p.Name).Order());
        float largest = 0;
        foreach (ParameterInfo info in network.ParameterLayout)
        {
            float[] expectedGradient = expected.Gradients[info.Name];
            float[] gradient = network.Gradients.Slice(info.Offset, info.Length).ToArray();
            float scale = expectedGradient.Max(MathF.Abs);
            largest = Math.Max(largest, scale);
            Report($"gradient '{info.Name}'", expectedGradient, gradient);
            Tolerance.AssertClose(expectedGradient, gradient, GradientRelative, GradientScaled * scale, $"{name} batch {batch} gradient '{info.Name}'");
        }

        // Zero gradients on both sides would compare equal and prove nothing.
        Assert.True(largest > 1e-3f, $"{name} batch {batch}: the largest LibTorch gradient is {largest}; the case does not exercise backward.");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TenSteps_LossesAndFinalParametersMatchLibTorch(string name, int batch)
    {
        OracleCase oracle = OracleCase.Get(name);
        ITrainableNetwork network = oracle.Create();
        using TorchModel model = oracle.CreateTorch();
        model.CopyFrom(network);
        float[] initial = network.Parameters.ToArray();
        using TorchTrainer trainer = model.CreateTrainer(oracle.Optimizer);

        var losses = new float[Steps];
        var expectedLosses = new float[Steps];
        for (int step = 0; step < Steps; step++)
        {
            // A new batch each step, so the optimizer state carries information from different gradients.
            float[] input = oracle.Input(3000 + step, batch); // [batch, ..inputShape]
            if (oracle.UsesLabels)
            {
                int[] labels = OracleCase.Labels(3100 + step, batch, network.OutputSize); // [batch]
                losses[step] = ((ILabelTrainable)network).TrainStep(input, labels);
                expectedLosses[step] = trainer.Step(input, labels);
            }
            else
            {
                float[] targets = oracle.Targets(3100 + step, batch, network.OutputSize); // [batch, outputSize]
                losses[step] = ((ITargetTrainable)network).TrainStep(input, targets);
                expectedLosses[step] = trainer.Step(input, targets, oracle.Loss);
            }
        }

        Report("losses", expectedLosses, losses);
        Tolerance.AssertClose(expectedLosses, losses, TrainedRelative, TrainedAbsolute, $"{name} batch {batch} loss by step");

        foreach (ParameterInfo info in network.ParameterLayout)
        {
            float[] expected = model.GetParameter(info.Name);
            float[] actual = network.Parameters.Slice(info.Offset, info.Length).ToArray();
            Report($"trained '{info.Name}'", expected, actual);
            Tolerance.AssertClose(expected, actual, TrainedRelative, TrainedAbsolute, $"{name} batch {batch} parameter '{info.Name}' after {Steps} steps");
        }

        Assert.Equal(Steps, network.Step);
        Assert.NotEqual(initial, network.Parameters.ToArray());
    }

    /// <summary>Logs the largest absolute and relative differences, to see how much of the tolerance a case uses.</summary>
    private void Report(string what, float[] expected, float[] actual)
    {
        double absolute = 0;
        double relative = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            absolute = Math.Max(absolute, error);
            if (expected[i] != 0)
            {
                relative = Math.Max(relative, error / Math.Abs(expected[i]));
            }
        }

        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: max |error| {absolute:E2}, max relative {relative:E2}"));
    }
}
