using Xunit;
using static NetCompiler.Runtime.Tests.Generated.TestData;

namespace NetCompiler.Runtime.Tests.Generated;

/// <summary>
/// The fused train step of small networks (one straight-line method per tier) against the layer kernels of the same
/// network, which Backward then Update run. The reference comparisons in <see cref="GeneratedVsReferenceTests"/> cover
/// these networks too; this compares the two generated paths step by step, so a difference names the first step and
/// tensor where they part.
/// </summary>
public sealed class FusedStepTests
{
    // Both paths compute in float with the same formulas; the fused step sums a sample's loss terms in float lanes
    // before adding them to the double total, and its vector exp, tanh and sigmoid are within a few ulp of MathF's.
    private const double Relative = 2e-5, Absolute = 2e-6;

    public static TheoryData<string, int> Cases => NetworkCases.NamesAndBatches(NetworkCases.Fused);

    [Theory]
    [MemberData(nameof(Cases))]
    public void TrainStep_MatchesBackwardThenUpdate(string name, int batch)
    {
        var c = NetworkCases.Get(name);
        INetwork fused = c.Create(64), layered = c.Create(64);
        var random = new Random(500 * batch + name.Length);
        RandomizeParameters(fused, random);
        fused.Parameters.CopyTo(layered.Parameters);

        for (int step = 1; step <= 4; step++)
        {
            Batch data = CreateBatch(c.Model, batch, random);

            float loss = TrainStep(fused, data);
            float expectedLoss = Backward(layered, data);
            ((ITrainableNetwork)layered).Update();

            AssertClose(expectedLoss, loss, Relative, Absolute, $"{name} batch {batch} loss at step {step}");
            AssertTensorsClose(c.Model.Layout, layered.Gradients, fused.Gradients, Relative, Absolute, $"{name} batch {batch} step {step} gradient of");
            AssertTensorsClose(c.Model.Layout, layered.Parameters, fused.Parameters, Relative, Absolute, $"{name} batch {batch} step {step} parameter");
            Assert.Equal(step, ((ITrainableNetwork)fused).Step);
        }
    }

    [Fact]
    public void TrainStep_NaNInInput_NamesTheFirstLayerAndChangesNothing()
    {
        var network = new FusedXorNet(4);
        float[] input = [0, 0, 0, 1, 1, 0, 1, 1], targets = [0, 1, 1, 0];
        network.TrainStep(input, targets);
        float[] parameters = network.Parameters.ToArray(), gradients = network.Gradients.ToArray();
        input[3] = float.NaN;

        var e = Assert.Throws<NonFiniteLossException>(() => network.TrainStep(input, targets));

        Assert.Equal("0 (Dense(8), Tanh)", e.FirstNonFiniteLayer);
        Assert.Equal(2, e.Step);
        Assert.Equal(1, network.Step);
        Assert.Equal(parameters, network.Parameters.ToArray());
        Assert.Equal(gradients, network.Gradients.ToArray());
    }

    [Fact]
    public void TrainStep_InfiniteTargetOnly_SaysEveryLayerIsFinite()
    {
        var network = new FusedRowsNet(2);
        float[] before = network.Parameters.ToArray();

        var e = Assert.Throws<NonFiniteLossException>(() => network.TrainStep(new float[8], [0f, 1f, float.PositiveInfinity, 0f]));

        Assert.Null(e.FirstNonFiniteLayer);
        Assert.True(float.IsPositiveInfinity(e.Loss), $"Expected an infinite loss, but got {e.Loss}.");
        Assert.Equal(before, network.Parameters.ToArray());
        Assert.Equal(0, network.Step);
    }
}
