using NetCompiler.Reference;
using Xunit;
using static NetCompiler.Runtime.Tests.Reference.GradientCheck;

namespace NetCompiler.Runtime.Tests.Reference;

public class SoftmaxReferenceTests
{
    [Fact]
    public void Forward_HandComputed()
    {
        double[] input = [0, Math.Log(3), 1, 1];   // [2, 2]
        var output = new double[4];

        SoftmaxReference.Forward<double>(2, 2, input, output);

        AssertClose([0.25, 0.75, 0.5, 0.5], output, 1e-15, "output");
    }

    [Fact]
    public void Forward_LargeLogitsDoNotOverflow()
    {
        float[] input = [1000f, 1000f + MathF.Log(3f)];
        var output = new float[2];

        SoftmaxReference.Forward<float>(1, 2, input, output);

        AssertClose([0.25, 0.75], output, 1e-5, "output");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 3)]
    [InlineData(3, 7)]
    [InlineData(7, 17)]
    [InlineData(17, 2)]
    public void Backward_MatchesFiniteDifferences(int batch, int features)
    {
        var random = new Random(batch * 100 + features);
        double[] input = RandomArray(random, batch * features, -3, 3);
        double[] outputWeights = RandomArray(random, batch * features);

        double Objective()
        {
            var y = new double[batch * features];
            SoftmaxReference.Forward<double>(batch, features, input, y);
            return Dot(y, outputWeights);
        }

        var output = new double[batch * features];
        SoftmaxReference.Forward<double>(batch, features, input, output);
        double[] dInput = Garbage(input.Length);
        SoftmaxReference.Backward<double>(batch, features, output, outputWeights, dInput);

        Check("dInput", input, Objective, dInput);
    }
}
