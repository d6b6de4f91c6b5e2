using NetCompiler.Reference;
using Xunit;
using static NetCompiler.Runtime.Tests.Reference.GradientCheck;

namespace NetCompiler.Runtime.Tests.Reference;

public class DenseReferenceTests
{
    [Fact]
    public void Forward_HandComputed()
    {
        double[] input = [1, 2, -1, 0.5];               // [2, 2]
        double[] weight = [1, 0, 0.5, -1, 2, 3];         // [3, 2]
        double[] bias = [0.1, 0.2, 0.3];                 // [3]
        var output = new double[6];                      // [2, 3]

        DenseReference.Forward<double>(2, 2, 3, input, weight, bias, output);

        AssertClose([1.1, -1.3, 8.3, -0.9, -0.8, -0.2], output, 1e-15, "output");
    }

    [Fact]
    public void Forward_WithoutBias_IsTheMatrixProduct()
    {
        double[] input = [1, 2, 3];                      // [1, 3]
        double[] weight = [1, 1, 1, 2, 0, -1];           // [2, 3]
        var output = new double[2];

        DenseReference.Forward<double>(1, 3, 2, input, weight, [], output);

        Assert.Equal([6.0, -1.0], output);
    }

    [Theory]
    [InlineData(1, 1, 1, true)]
    [InlineData(3, 7, 17, true)]
    [InlineData(17, 3, 1, false)]
    [InlineData(7, 17, 3, true)]
    [InlineData(2, 5, 4, false)]
    public void Backward_MatchesFiniteDifferences(int batch, int inFeatures, int outFeatures, bool hasBias)
    {
        var random = new Random(batch * 10_000 + inFeatures * 100 + outFeatures);
        double[] input = RandomArray(random, batch * inFeatures);
        double[] weight = RandomArray(random, outFeatures * inFeatures);
        double[] bias = hasBias ? RandomArray(random, outFeatures) : [];
        double[] outputWeights = RandomArray(random, batch * outFeatures);

        double Objective()
        {
            var output = new double[batch * outFeatures];
            DenseReference.Forward<double>(batch, inFeatures, outFeatures, input, weight, bias, output);
            return Dot(output, outputWeights);
        }

        double[] dInput = Garbage(input.Length);
        double[] dWeight = Garbage(weight.Length);
        double[] dBias = Garbage(bias.Length);
        DenseReference.Backward<double>(batch, inFeatures, outFeatures, input, weight, outputWeights, dInput, dWeight, dBias);

        Check("dInput", input, Objective, dInput);
        Check("dWeight", weight, Objective, dWeight);
        if (hasBias)
            Check("dBias", bias, Objective, dBias);
    }

    [Fact]
    public void Backward_EmptyGradientsAreSkipped()
    {
        var random = new Random(5);
        double[] input = RandomArray(random, 3 * 4);
        double[] weight = RandomArray(random, 2 * 4);
        double[] dOutput = RandomArray(random, 3 * 2);
        var allWeight = new double[8];
        DenseReference.Backward<double>(3, 4, 2, input, weight, dOutput, new double[12], allWeight, new double[2]);

        var onlyWeight = new double[8];
        DenseReference.Backward<double>(3, 4, 2, input, weight, dOutput, [], onlyWeight, []);

        Assert.Equal(allWeight, onlyWeight);
    }

    [Fact]
    public void Forward_Float_MatchesDouble()
    {
        var random = new Random(11);
        double[] input = RandomArray(random, 7 * 17);
        double[] weight = RandomArray(random, 3 * 17);
        double[] bias = RandomArray(random, 3);
        var expected = new double[7 * 3];
        var actual = new float[7 * 3];

        DenseReference.Forward<double>(7, 17, 3, input, weight, bias, expected);
        DenseReference.Forward<float>(7, 17, 3, ToFloat(input), ToFloat(weight), ToFloat(bias), actual);

        AssertClose(expected, actual, 1e-5, "output");
    }

    [Fact]
    public void Forward_WrongLength_ThrowsNamingTheSpan()
    {
        var exception = Assert.Throws<ArgumentException>(() =>
            DenseReference.Forward<double>(2, 3, 4, new double[6], new double[11], [], new double[8]));
        Assert.Equal("weight", exception.ParamName);
        Assert.Contains("12", exception.Message);
        Assert.Contains("11", exception.Message);
    }
}
