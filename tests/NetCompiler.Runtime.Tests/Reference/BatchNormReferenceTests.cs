using NetCompiler.Reference;
using Xunit;
using static NetCompiler.Runtime.Tests.Reference.GradientCheck;

namespace NetCompiler.Runtime.Tests.Reference;

public class BatchNormReferenceTests
{
    private const double Epsilon = 1e-5;

    [Fact]
    public void ForwardTraining_HandComputed()
    {
        double[] input = [1, 10, 3, 20];   // [2, 2, 1]: channel 0 holds 1 and 3, channel 1 holds 10 and 20
        double[] runningMean = [0, 1];
        double[] runningVar = [1, 1];
        var output = new double[4];
        var savedMean = new double[2];
        var savedInvStd = new double[2];

        BatchNormReference.ForwardTraining<double>(2, 2, 1, input, [2, 1], [0.5, 0], Epsilon, 0.1, runningMean, runningVar, output, savedMean, savedInvStd);

        // Biased variances 1 and 25 normalize; unbiased ones 2 and 50 go into the running variance.
        double invStd0 = 1 / Math.Sqrt(1 + Epsilon), invStd1 = 1 / Math.Sqrt(25 + Epsilon);
        AssertClose([2 * -invStd0 + 0.5, -5 * invStd1, 2 * invStd0 + 0.5, 5 * invStd1], output, 1e-15, "output");
        AssertClose([2, 15], savedMean, 1e-15, "savedMean");
        AssertClose([invStd0, invStd1], savedInvStd, 1e-15, "savedInvStd");
        AssertClose([0.2, 0.9 * 1 + 0.1 * 15], runningMean, 1e-15, "runningMean");
        AssertClose([0.9 + 0.1 * 2, 0.9 + 0.1 * 50], runningVar, 1e-15, "runningVar");
    }

    [Fact]
    public void ForwardTraining_SpatialElementsShareTheChannelStatistics()
    {
        double[] input = [0, 4, 100, 200, 2, 6, 300, 400]; // [2, 2, 2]: channel 0 holds 0, 4, 2, 6
        var output = new double[8];
        var savedMean = new double[2];
        var savedInvStd = new double[2];

        BatchNormReference.ForwardTraining<double>(2, 2, 2, input, [], [], 0, 0.1, [], [], output, savedMean, savedInvStd);

        Assert.Equal([3.0, 250], savedMean);
        Assert.Equal(1 / Math.Sqrt(5), savedInvStd[0], 15);
        AssertClose([-3 / Math.Sqrt(5), 1 / Math.Sqrt(5)], output.AsSpan(0, 2), 1e-15, "output");
    }

    [Fact]
    public void ForwardTraining_OneValuePerChannel_Throws() =>
        Assert.Throws<ArgumentException>(() =>
            BatchNormReference.ForwardTraining<double>(1, 2, 1, [1, 2], [], [], Epsilon, 0.1, [], [], new double[2], new double[2], new double[2]));

    [Fact]
    public void ForwardInference_HandComputed()
    {
        var output = new double[2];

        BatchNormReference.ForwardInference<double>(1, 2, 1, [3, -1], [2, 1], [1, 0], [1, -1], [4, 0.25], 0, output);

        Assert.Equal([2 * (3 - 1) / 2.0 + 1, (-1 + 1) / 0.5], output);
    }

    [Theory]
    [InlineData(2, 1, 1, true)]
    [InlineData(3, 2, 1, true)]
    [InlineData(17, 3, 1, false)]
    [InlineData(7, 3, 5, true)]
    [InlineData(1, 3, 17, true)]
    public void Backward_MatchesFiniteDifferences(int batch, int channels, int spatial, bool affine)
    {
        var random = new Random(batch * 1000 + channels * 100 + spatial);
        double[] input = RandomArray(random, batch * channels * spatial, -2, 2);
        double[] gamma = affine ? RandomArray(random, channels, 0.5, 2) : [];
        double[] beta = affine ? RandomArray(random, channels) : [];
        double[] outputWeights = RandomArray(random, input.Length);

        double Objective()
        {
            var y = new double[input.Length];
            BatchNormReference.ForwardTraining<double>(batch, channels, spatial, input, gamma, beta, Epsilon, 0.1, [], [], y, new double[channels], new double[channels]);
            return Dot(y, outputWeights);
        }

        var output = new double[input.Length];
        var savedMean = new double[channels];
        var savedInvStd = new double[channels];
        BatchNormReference.ForwardTraining<double>(batch, channels, spatial, input, gamma, beta, Epsilon, 0.1, new double[channels], new double[channels], output, savedMean, savedInvStd);
        double[] dInput = Garbage(input.Length);
        double[] dGamma = Garbage(gamma.Length);
        double[] dBeta = Garbage(beta.Length);
        BatchNormReference.Backward<double>(batch, channels, spatial, input, gamma, savedMean, savedInvStd, outputWeights, dInput, dGamma, dBeta);

        Check("dInput", input, Objective, dInput);
        if (affine)
        {
            Check("dGamma", gamma, Objective, dGamma);
            Check("dBeta", beta, Objective, dBeta);
        }
    }

    [Fact]
    public void Backward_GradientOfInputSumsToZeroPerChannel()
    {
        // The mean is subtracted, so shifting a whole channel changes nothing: Σ dx over a channel is 0.
        var random = new Random(21);
        double[] input = RandomArray(random, 5 * 2 * 3);
        double[] dOutput = RandomArray(random, input.Length);
        var savedMean = new double[2];
        var savedInvStd = new double[2];
        BatchNormReference.ForwardTraining<double>(5, 2, 3, input, [1.5, 0.5], [0, 0], Epsilon, 0.1, [], [], new double[input.Length], savedMean, savedInvStd);
        var dInput = new double[input.Length];

        BatchNormReference.Backward<double>(5, 2, 3, input, [1.5, 0.5], savedMean, savedInvStd, dOutput, dInput, [], []);

        for (int c = 0; c < 2; c++)
        {
            double sum = 0;
            for (int b = 0; b < 5; b++)
                for (int s = 0; s < 3; s++)
                    sum += dInput[(b * 2 + c) * 3 + s];
            Assert.Equal(0, sum, 12);
        }
    }

    [Fact]
    public void GammaWithoutBeta_Throws()
    {
        var exception = Assert.Throws<ArgumentException>(() =>
            BatchNormReference.ForwardInference<double>(1, 2, 1, [1, 2], [1, 1], [], [0, 0], [1, 1], Epsilon, new double[2]));
        Assert.Equal("beta", exception.ParamName);
    }
}
