using Xunit;
using static NetCompiler.Runtime.Tests.Generated.TestData;

namespace NetCompiler.Runtime.Tests.Generated;

/// <summary>
/// The generated Forward, Backward and TrainStep against the same computation chained from the reference ops in float.
/// The two differ only in rounding: the generated kernels use FMA and a different summation order (tiles, vector lanes,
/// double accumulation of the loss), so results agree to a few float ulps per accumulated term, not bit for bit.
/// </summary>
public class GeneratedVsReferenceTests
{
    /// <summary>Outputs, losses and gradients of one pass: <c>|actual - expected| ≤ 1e-6 + 1e-5·|expected|</c>.</summary>
    private const double Relative = 1e-5, Absolute = 1e-6;

    /// <summary>
    /// Parameters after several steps: the rounding differences of each step's gradient pass through the optimizer and
    /// feed the next step, and Adam divides by <c>√v</c>, which turns a gradient's relative error into the step's.
    /// </summary>
    private const double StepRelative = 1e-4, StepAbsolute = 1e-5;

    private const int Steps = 5;

    public static TheoryData<string, int> AllCases => NetworkCases.NamesAndBatches(trainableOnly: false);

    public static TheoryData<string, int> TrainableCases => NetworkCases.NamesAndBatches(trainableOnly: true);

    public static TheoryData<string> TrainableCasesOnce => NetworkCases.Names(trainableOnly: true);

    [Theory]
    [MemberData(nameof(AllCases))]
    public void Forward_MatchesReference(string name, int batch)
    {
        var c = NetworkCases.Get(name);
        INetwork network = c.Create(64);
        var random = new Random(1000 * batch + name.Length);
        RandomizeParameters(network, random);
        Batch data = CreateBatch(c.Model, batch, random);
        var output = new float[batch * network.OutputSize]; // [batch, OutputSize]
        Array.Fill(output, float.NaN);

        network.Forward(data.Input, output);

        var expected = new float[output.Length];
        c.Model.Forward<float>(network.Parameters.ToArray(), data.Input, batch, expected);
        AssertClose(expected, output, Relative, Absolute, $"{name} output");
    }

    [Theory]
    [MemberData(nameof(TrainableCasesOnce))]
    public void ForwardAndBackward_BatchSizeChangingBetweenCallsOnOneNetwork(string name)
    {
        // The arena is laid out for the capacity; each call must address it with its own batch, whatever ran before.
        var c = NetworkCases.Get(name);
        INetwork network = c.Create(64);
        var random = new Random(6000 + name.Length);
        RandomizeParameters(network, random);
        float[] parameters = network.Parameters.ToArray();
        foreach (int batch in (int[])[5, 64, 1, 3, 64, 2])
        {
            Batch data = CreateBatch(c.Model, batch, random);
            var output = new float[batch * network.OutputSize];
            network.Forward(data.Input, output);
            float loss = TestData.Backward(network, data);

            var expectedOutput = new float[output.Length];
            c.Model.Forward<float>(parameters, data.Input, batch, expectedOutput);
            var expectedGradients = new float[parameters.Length];
            float expectedLoss = c.Model.LossAndGradients<float>(parameters, data.Input, batch, data.Targets, data.Labels, expectedGradients);
            AssertClose(expectedOutput, output, Relative, Absolute, $"{name} batch {batch} output");
            AssertClose(expectedLoss, loss, Relative, Absolute, $"{name} batch {batch} loss");
            AssertTensorsClose(c.Model.Layout, expectedGradients, network.Gradients, Relative, Absolute, $"{name} batch {batch} gradient of");
        }
    }

    [Theory]
    [MemberData(nameof(TrainableCases))]
    public void Backward_LossAndEveryGradientMatchReference(string name, int batch)
    {
        var c = NetworkCases.Get(name);
        INetwork network = c.Create(64);
        var random = new Random(2000 * batch + name.Length);
        RandomizeParameters(network, random);
        // A value no gradient equals: Backward must overwrite, not accumulate.
        network.Gradients.Fill(1e3f);
        float[] parametersBefore = network.Parameters.ToArray();
        Batch data = CreateBatch(c.Model, batch, random);

        float loss = TestData.Backward(network, data);

        var expectedGradients = new float[c.Model.ParameterCount];
        float expectedLoss = c.Model.LossAndGradients<float>(parametersBefore, data.Input, batch, data.Targets, data.Labels, expectedGradients);
        AssertClose(expectedLoss, loss, Relative, Absolute, $"{name} loss");
        AssertTensorsClose(c.Model.Layout, expectedGradients, network.Gradients, Relative, Absolute, $"{name} gradient of");
        Assert.Equal(parametersBefore, network.Parameters.ToArray());
        Assert.Equal(0, ((ITrainableNetwork)network).Step);
    }

    [Theory]
    [MemberData(nameof(TrainableCases))]
    public void TrainStep_ParametersMatchReferenceOptimizerOverSeveralSteps(string name, int batch)
    {
        var c = NetworkCases.Get(name);
        INetwork network = c.Create(64);
        var trainable = (ITrainableNetwork)network;
        var random = new Random(3000 * batch + name.Length);
        RandomizeParameters(network, random);
        float[] parameters = network.Parameters.ToArray();
        var gradients = new float[parameters.Length];
        var optimizer = new ReferenceOptimizer(c.Optimizer!, parameters.Length);
        Assert.Equal(c.Optimizer!.LearningRate, trainable.LearningRate);

        for (int step = 1; step <= Steps; step++)
        {
            // A schedule changes the rate between steps; the generated update must read the current one.
            if (step == 3) trainable.LearningRate = c.Optimizer.LearningRate / 2;
            Batch data = CreateBatch(c.Model, batch, random);

            float loss = TrainStep(network, data);

            float expectedLoss = c.Model.LossAndGradients<float>(parameters, data.Input, batch, data.Targets, data.Labels, gradients);
            optimizer.Step(parameters, gradients, trainable.LearningRate);
            AssertClose(expectedLoss, loss, StepRelative, StepAbsolute, $"{name} loss at step {step}");
            AssertTensorsClose(c.Model.Layout, gradients, network.Gradients, StepRelative, StepAbsolute, $"{name} step {step} gradient of");
            AssertTensorsClose(c.Model.Layout, parameters, network.Parameters, StepRelative, StepAbsolute, $"{name} step {step} parameter");
            Assert.Equal(step, trainable.Step);
        }
    }

    [Theory]
    [MemberData(nameof(TrainableCases))]
    public void ResetOptimizer_ClearsStateSoTheNextStepEqualsAFirstStep(string name, int batch)
    {
        var c = NetworkCases.Get(name);
        var random = new Random(4000 * batch + name.Length);
        INetwork trained = c.Create(64);
        RandomizeParameters(trained, random);
        float[] start = trained.Parameters.ToArray();
        Batch first = CreateBatch(c.Model, batch, random);
        Batch second = CreateBatch(c.Model, batch, random);
        TrainStep(trained, first);
        float[] afterFirst = trained.Parameters.ToArray();

        // Two steps, reset, restore the parameters: the next step must repeat the first bit for bit.
        TrainStep(trained, second);
        ((ITrainableNetwork)trained).ResetOptimizer();
        Assert.Equal(0, ((ITrainableNetwork)trained).Step);
        start.CopyTo(trained.Parameters);
        TrainStep(trained, first);

        Assert.Equal(afterFirst, trained.Parameters.ToArray());
    }
}
