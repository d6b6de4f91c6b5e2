using NetCompiler.Reference;
using Xunit;
using static NetCompiler.Runtime.Tests.Reference.GradientCheck;

namespace NetCompiler.Runtime.Tests.Reference;

public class Conv2DReferenceTests
{
    private static readonly double[] OneToNine = [1, 2, 3, 4, 5, 6, 7, 8, 9]; // [1, 1, 3, 3]

    [Theory]
    [InlineData(28, 5, 1, 0, 24)]
    [InlineData(28, 3, 1, 1, 28)]
    [InlineData(7, 3, 2, 1, 4)]
    [InlineData(8, 2, 2, 0, 4)]
    [InlineData(1, 3, 1, 1, 1)]
    public void OutputSize_MatchesPyTorchFormula(int size, int kernel, int stride, int padding, int expected) =>
        Assert.Equal(expected, Conv2DReference.OutputSize(size, kernel, stride, padding));

    [Fact]
    public void OutputSize_KernelLargerThanPaddedInput_Throws()
    {
        var exception = Assert.Throws<ArgumentException>(() => Conv2DReference.OutputSize(3, 6, 1, 1));
        Assert.Contains("at most 5", exception.Message);
    }

    [Fact]
    public void Forward_HandComputed_Stride1NoPadding()
    {
        var output = new double[4];
        Conv2DReference.Forward<double>(1, 1, 3, 3, 1, 2, 2, 1, 0, OneToNine, [1, 1, 1, 1], [0.5], output);

        Assert.Equal([12.5, 16.5, 24.5, 28.5], output);
    }

    [Fact]
    public void Forward_HandComputed_Stride2Padding1()
    {
        var output = new double[4];
        // Windows start at -1 and 1: the top-left one sees only input[0, 0], the others one row, one column or a full 2x2 block.
        Conv2DReference.Forward<double>(1, 1, 3, 3, 1, 2, 2, 2, 1, OneToNine, [1, 1, 1, 1], [], output);

        Assert.Equal([1.0, 5.0, 11.0, 28.0], output);
    }

    [Fact]
    public void Forward_HandComputed_ChannelsAndRectangularKernel()
    {
        double[] input = [1, 2, 3, 10, 20, 30];          // [1, 2, 1, 3]
        double[] weight = [1, -1, 0.5, 0.5, 2, 0, 0, 1]; // [2, 2, 1, 2]
        var output = new double[4];                      // [1, 2, 1, 2]

        Conv2DReference.Forward<double>(1, 2, 1, 3, 2, 1, 2, 1, 0, input, weight, [0, 1], output);

        Assert.Equal([1 - 2 + 5 + 10, 2 - 3 + 10 + 15, 2 + 20 + 1, 4 + 30 + 1], output);
    }

    [Theory]
    [InlineData(1, 1, 1, 1, 1, 1, 1, 1, 0, true)]
    [InlineData(2, 3, 7, 7, 2, 3, 3, 1, 1, true)]
    [InlineData(1, 2, 7, 5, 3, 3, 2, 2, 0, false)]
    [InlineData(2, 1, 17, 3, 1, 5, 1, 3, 2, true)]
    [InlineData(3, 2, 5, 6, 2, 2, 3, 2, 1, true)]
    [InlineData(1, 3, 6, 6, 1, 6, 6, 1, 0, false)]
    public void Backward_MatchesFiniteDifferences(int batch, int inChannels, int height, int width, int outChannels, int kernelH, int kernelW, int stride, int padding, bool hasBias)
    {
        var random = new Random(batch + 10 * inChannels + 100 * height + 1000 * width + 10000 * kernelH + 100000 * stride);
        int outLength = batch * outChannels * Conv2DReference.OutputSize(height, kernelH, stride, padding) * Conv2DReference.OutputSize(width, kernelW, stride, padding);
        double[] input = RandomArray(random, batch * inChannels * height * width);
        double[] weight = RandomArray(random, outChannels * inChannels * kernelH * kernelW);
        double[] bias = hasBias ? RandomArray(random, outChannels) : [];
        double[] outputWeights = RandomArray(random, outLength);

        double Objective()
        {
            var output = new double[outLength];
            Conv2DReference.Forward<double>(batch, inChannels, height, width, outChannels, kernelH, kernelW, stride, padding, input, weight, bias, output);
            return Dot(output, outputWeights);
        }

        double[] dInput = Garbage(input.Length);
        double[] dWeight = Garbage(weight.Length);
        double[] dBias = Garbage(bias.Length);
        Conv2DReference.Backward<double>(batch, inChannels, height, width, outChannels, kernelH, kernelW, stride, padding, input, weight, outputWeights, dInput, dWeight, dBias);

        Check("dInput", input, Objective, dInput);
        Check("dWeight", weight, Objective, dWeight);
        if (hasBias)
            Check("dBias", bias, Objective, dBias);
    }

    [Fact]
    public void Backward_EmptyGradientsAreSkipped()
    {
        var random = new Random(9);
        double[] input = RandomArray(random, 2 * 2 * 5 * 5);
        double[] weight = RandomArray(random, 3 * 2 * 3 * 3);
        double[] dOutput = RandomArray(random, 2 * 3 * 3 * 3);
        var allWeight = new double[weight.Length];
        Conv2DReference.Backward<double>(2, 2, 5, 5, 3, 3, 3, 2, 1, input, weight, dOutput, new double[input.Length], allWeight, new double[3]);

        var onlyWeight = new double[weight.Length];
        Conv2DReference.Backward<double>(2, 2, 5, 5, 3, 3, 3, 2, 1, input, weight, dOutput, [], onlyWeight, []);

        Assert.Equal(allWeight, onlyWeight);
    }

    [Fact]
    public void Forward_Float_MatchesDouble()
    {
        var random = new Random(13);
        double[] input = RandomArray(random, 2 * 3 * 9 * 7);
        double[] weight = RandomArray(random, 4 * 3 * 3 * 3);
        double[] bias = RandomArray(random, 4);
        int outLength = 2 * 4 * 5 * 4;
        var expected = new double[outLength];
        var actual = new float[outLength];

        Conv2DReference.Forward<double>(2, 3, 9, 7, 4, 3, 3, 2, 1, input, weight, bias, expected);
        Conv2DReference.Forward<float>(2, 3, 9, 7, 4, 3, 3, 2, 1, ToFloat(input), ToFloat(weight), ToFloat(bias), actual);

        AssertClose(expected, actual, 1e-5, "output");
    }
}
