using NetCompiler.Reference;
using Xunit;
using static NetCompiler.Runtime.Tests.Reference.GradientCheck;

namespace NetCompiler.Runtime.Tests.Reference;

public class MaxPool2DReferenceTests
{
    [Fact]
    public void Forward_HandComputed()
    {
        double[] input = [1, 5, 2, 0, 3, 4, 8, 6, 9, 0, 1, 1, 2, 7, 1, 3]; // [1, 1, 4, 4]
        var output = new double[4];

        MaxPool2DReference.Forward<double>(1, 1, 4, 4, 2, 2, input, output);

        Assert.Equal([5.0, 8.0, 9.0, 3.0], output);
    }

    [Fact]
    public void Forward_OddSizeDropsTheLastRowAndColumn()
    {
        double[] input = [1, 2, 100, 3, 4, 100, 100, 100, 100]; // [1, 1, 3, 3]
        var output = new double[1];

        MaxPool2DReference.Forward<double>(1, 1, 3, 3, 2, 2, input, output);

        Assert.Equal([4.0], output);
    }

    [Fact]
    public void Backward_TiesGoToTheFirstMaximumInRowMajorOrder()
    {
        double[] input = [1, 1, 1, 1, 0, 2, 2, 1]; // [1, 2, 2, 2]: all equal, then a tie between (0, 1) and (1, 0)
        double[] dInput = Garbage(8);

        MaxPool2DReference.Backward<double>(1, 2, 2, 2, 2, 2, input, [5, 7], dInput);

        Assert.Equal([5.0, 0, 0, 0, 0, 7, 0, 0], dInput);
    }

    [Fact]
    public void Backward_OverlappingWindowsAddUp()
    {
        double[] input = [1, 2, 3, 4, 9, 5, 6, 7, 8]; // [1, 1, 3, 3]: the centre is the maximum of all four 2x2 windows
        var dInput = new double[9];

        MaxPool2DReference.Backward<double>(1, 1, 3, 3, 2, 1, input, [1, 2, 3, 4], dInput);

        Assert.Equal([0.0, 0, 0, 0, 10, 0, 0, 0, 0], dInput);
    }

    [Fact]
    public void Forward_NaNWins()
    {
        var output = new double[1];
        MaxPool2DReference.Forward<double>(1, 1, 2, 2, 2, 2, [1, double.NaN, 3, 2], output);
        Assert.True(double.IsNaN(output[0]));
    }

    [Theory]
    [InlineData(1, 1, 1, 1, 1, 1)]
    [InlineData(2, 3, 7, 7, 2, 2)]
    [InlineData(1, 2, 7, 5, 3, 1)]
    [InlineData(1, 1, 17, 3, 3, 2)]
    [InlineData(3, 1, 6, 9, 3, 3)]
    public void Backward_MatchesFiniteDifferences(int batch, int channels, int height, int width, int kernel, int stride)
    {
        var random = new Random(batch + 10 * channels + 100 * height + 1000 * width + 10000 * kernel + 100000 * stride);
        int length = batch * channels * height * width;
        int outLength = batch * channels * Conv2DReference.OutputSize(height, kernel, stride, 0) * Conv2DReference.OutputSize(width, kernel, stride, 0);
        // A shuffled ramp with steps of 0.01 has no ties, and no 1e-6 step can reorder two elements.
        var input = new double[length];
        for (int i = 0; i < length; i++)
            input[i] = 0.01 * i;
        random.Shuffle(input);
        double[] outputWeights = RandomArray(random, outLength);

        double Objective()
        {
            var output = new double[outLength];
            MaxPool2DReference.Forward<double>(batch, channels, height, width, kernel, stride, input, output);
            return Dot(output, outputWeights);
        }

        double[] dInput = Garbage(length);
        MaxPool2DReference.Backward<double>(batch, channels, height, width, kernel, stride, input, outputWeights, dInput);

        Check("dInput", input, Objective, dInput);
    }
}
