using NetCompiler.Reference;
using Xunit;
using static NetCompiler.Runtime.Tests.Reference.GradientCheck;

namespace NetCompiler.Runtime.Tests.Reference;

public class AvgPool2DReferenceTests
{
    [Fact]
    public void Forward_HandComputed()
    {
        var input = new double[16]; // [1, 1, 4, 4] holding 1..16
        for (int i = 0; i < 16; i++)
            input[i] = i + 1;
        var output = new double[4];

        AvgPool2DReference.Forward<double>(1, 1, 4, 4, 2, 2, input, output);

        Assert.Equal([3.5, 5.5, 11.5, 13.5], output);
    }

    [Fact]
    public void Backward_HandComputed_OverlappingWindows()
    {
        var dInput = Garbage(9);

        AvgPool2DReference.Backward<double>(1, 1, 3, 3, 2, 1, new double[9], [4, 8, 12, 16], dInput);

        Assert.Equal([1.0, 3, 2, 4, 10, 6, 3, 7, 4], dInput);
    }

    [Theory]
    [InlineData(1, 1, 1, 1, 1, 1)]
    [InlineData(2, 3, 7, 7, 2, 2)]
    [InlineData(1, 2, 7, 5, 3, 1)]
    [InlineData(1, 1, 17, 3, 3, 2)]
    public void Backward_MatchesFiniteDifferences(int batch, int channels, int height, int width, int kernel, int stride)
    {
        var random = new Random(batch + 10 * channels + 100 * height + 1000 * width + 10000 * kernel + 100000 * stride);
        int outLength = batch * channels * Conv2DReference.OutputSize(height, kernel, stride, 0) * Conv2DReference.OutputSize(width, kernel, stride, 0);
        double[] input = RandomArray(random, batch * channels * height * width);
        double[] outputWeights = RandomArray(random, outLength);

        double Objective()
        {
            var output = new double[outLength];
            AvgPool2DReference.Forward<double>(batch, channels, height, width, kernel, stride, input, output);
            return Dot(output, outputWeights);
        }

        double[] dInput = Garbage(input.Length);
        AvgPool2DReference.Backward<double>(batch, channels, height, width, kernel, stride, input, outputWeights, dInput);

        Check("dInput", input, Objective, dInput);
    }
}
