using NetCompiler.Reference;
using Xunit;
using static NetCompiler.Runtime.Tests.Reference.GradientCheck;

namespace NetCompiler.Runtime.Tests.Reference;

public class AddReferenceTests
{
    [Fact]
    public void Forward_HandComputed()
    {
        var output = new double[3];
        AddReference.Forward<double>([1, 2, 3], [0.5, -2, 10], output);
        Assert.Equal([1.5, 0, 13], output);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(17)]
    public void GradientOfBothOperandsIsDOutput(int length)
    {
        var random = new Random(length);
        double[] a = RandomArray(random, length);
        double[] b = RandomArray(random, length);
        double[] dOutput = RandomArray(random, length);

        double Objective()
        {
            var output = new double[length];
            AddReference.Forward<double>(a, b, output);
            return Dot(output, dOutput);
        }

        Check("dA", a, Objective, dOutput);
        Check("dB", b, Objective, dOutput);
    }
}
