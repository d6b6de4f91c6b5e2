using NetCompiler.Runtime.Tests.Reference;
using Xunit;

namespace NetCompiler.Runtime.Tests.Conv;

/// <summary>Generated inverted dropout: identity in inference, a seeded mask of 0 or 1/(1-p) in training, and its backward.</summary>
public class DropoutTests
{
    private const float Rate = 0.3f;

    [Fact]
    public void InferenceModeIsTheIdentity()
    {
        var net = new DropoutOnlyNet(batchCapacity: 2) { Mode = NetworkMode.Inference };
        float[] input = Input(2 * DropoutOnlyNet.InputSize, seed: 1);
        float[] output = new float[input.Length];
        net.Forward(input, output);
        Assert.Equal(input, output);
    }

    [Fact]
    public void TrainingModeDropsAboutTheRateAndScalesTheRest()
    {
        const int Batch = 4;
        var net = new DropoutOnlyNet(batchCapacity: Batch);
        Assert.Equal(NetworkMode.Training, net.Mode);
        float[] input = Input(Batch * DropoutOnlyNet.InputSize, seed: 2);
        float[] output = new float[input.Length];
        net.Forward(input, output);

        float scale = 1f / (1f - Rate);
        int dropped = 0;
        for (int i = 0; i < input.Length; i++)
        {
            if (output[i] == 0f) dropped++;
            else Assert.Equal(input[i] * scale, output[i]);
        }
        // Binomial(16384, 0.3): the standard deviation of the fraction is 0.0036, so 5 of them is 0.018.
        double fraction = (double)dropped / input.Length;
        Assert.InRange(fraction, Rate - 0.018, Rate + 0.018);
    }

    [Fact]
    public void MaskIsDeterministicGivenTheSeedAndIndependentOfTheBatch()
    {
        float[] input = Input(3 * DropoutOnlyNet.InputSize, seed: 3);
        float[] first = Run(new DropoutOnlyNet(batchCapacity: 3, seed: 7), input);
        float[] again = Run(new DropoutOnlyNet(batchCapacity: 3, seed: 7), input);
        float[] otherSeed = Run(new DropoutOnlyNet(batchCapacity: 3, seed: 8), input);
        float[] single = Run(new DropoutOnlyNet(batchCapacity: 1, seed: 7), input.AsSpan(0, DropoutOnlyNet.InputSize).ToArray());

        Assert.Equal(first, again);
        Assert.NotEqual(first, otherSeed);
        Assert.Equal(first.AsSpan(0, DropoutOnlyNet.InputSize).ToArray(), single);
        // Each sample draws its own mask.
        Assert.NotEqual(Zeros(first.AsSpan(0, DropoutOnlyNet.InputSize)), Zeros(first.AsSpan(DropoutOnlyNet.InputSize, DropoutOnlyNet.InputSize)));
    }

    [Fact]
    public void MaskChangesWithTheOptimizerStepAndRepeatsWithinOne()
    {
        var net = new DropoutDenseNet(batchCapacity: 2);
        float[] input = Input(2 * DropoutDenseNet.InputSize, seed: 4);
        float[] targets = Input(2 * DropoutDenseNet.OutputSize, seed: 5);
        float[] parameters = net.Parameters.ToArray();

        float[] step0 = Run(net, input);
        Assert.Equal(step0, Run(net, input));
        net.TrainStep(input, targets);
        parameters.CopyTo(net.Parameters);
        float[] step1 = Run(net, input);
        Assert.NotEqual(step0, step1);
        net.ResetOptimizer();
        Assert.Equal(step0, Run(net, input));

        net.Mode = NetworkMode.Inference;
        float[] inference = Run(net, input);
        Assert.NotEqual(step0, inference);
        net.TrainStep(input, targets);
        parameters.CopyTo(net.Parameters);
        Assert.Equal(inference, Run(net, input));
    }

    /// <summary>
    /// Within one step the training-mode loss is a deterministic function of the parameters, so central differences
    /// check that backward multiplies by the same mask as forward (a dropped unit's incoming weights get exactly zero).
    /// </summary>
    [Fact]
    public void BackwardMatchesFiniteDifferencesOfTheMaskedLoss()
    {
        const int Batch = 1;
        var net = new DropoutDenseNet(batchCapacity: Batch);
        float[] input = Input(Batch * DropoutDenseNet.InputSize, seed: 6);
        float[] targets = Input(Batch * DropoutDenseNet.OutputSize, seed: 7);
        net.Backward(input, targets);
        float[] analytic = net.Gradients.ToArray();

        const float H = 1e-2f;
        int zeroRows = 0;
        for (int i = 0; i < analytic.Length; i++)
        {
            float saved = net.Parameters[i];
            net.Parameters[i] = saved + H;
            double plus = net.Backward(input, targets);
            net.Parameters[i] = saved - H;
            double minus = net.Backward(input, targets);
            net.Parameters[i] = saved;
            double numeric = (plus - minus) / (2 * H);
            Assert.True(Math.Abs(numeric - analytic[i]) <= 2e-3 * Math.Max(1, Math.Abs(numeric)),
                $"gradient {i}: finite differences give {numeric:R}, backward gives {analytic[i]:R}");
        }
        // 0.weight is [12, 8]: a dropped hidden unit's row of weight gradients is all zero.
        for (int unit = 0; unit < 12; unit++)
            if (analytic.AsSpan(unit * 8, 8).IndexOfAnyExcept(0f) < 0) zeroRows++;
        Assert.InRange(zeroRows, 1, 11);
    }

    private static float[] Run(INetwork net, float[] input)
    {
        float[] output = new float[input.Length / net.InputSize * net.OutputSize];
        net.Forward(input, output);
        return output;
    }

    private static bool[] Zeros(ReadOnlySpan<float> values)
    {
        var zeros = new bool[values.Length];
        for (int i = 0; i < values.Length; i++) zeros[i] = values[i] == 0f;
        return zeros;
    }

    private static float[] Input(int length, int seed) =>
        GradientCheck.ToFloat(GradientCheck.AwayFromZero(new Random(seed), length, 0.1));
}
