using NetCompiler.Reference;
using Xunit;
using static NetCompiler.Runtime.Tests.Reference.GradientCheck;

namespace NetCompiler.Runtime.Tests.Reference;

public class DropoutReferenceTests
{
    [Fact]
    public void Forward_HandComputed()
    {
        var output = new double[3];
        // p = 0.5: kept elements are scaled by 1 / (1 - p) = 2.
        DropoutReference.Forward<double>([1, -3, 0.25], [2, 0, 2], output);
        Assert.Equal([2.0, 0, 0.5], output);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(17)]
    public void Backward_MatchesFiniteDifferences(int length)
    {
        var random = new Random(length);
        double[] input = RandomArray(random, length);
        var mask = new double[length];
        for (int i = 0; i < length; i++)
            mask[i] = random.NextDouble() < 0.3 ? 0 : 1 / (1 - 0.3);
        double[] outputWeights = RandomArray(random, length);

        double Objective()
        {
            var output = new double[length];
            DropoutReference.Forward<double>(input, mask, output);
            return Dot(output, outputWeights);
        }

        double[] dInput = Garbage(length);
        DropoutReference.Backward<double>(outputWeights, mask, dInput);

        Check("dInput", input, Objective, dInput);
    }

    [Fact]
    public void Forward_MaskOfWrongLength_Throws()
    {
        var exception = Assert.Throws<ArgumentException>(() => DropoutReference.Forward<double>([1, 2], [1], new double[2]));
        Assert.Equal("mask", exception.ParamName);
    }
}
