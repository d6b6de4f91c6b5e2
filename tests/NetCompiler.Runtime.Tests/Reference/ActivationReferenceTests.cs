using NetCompiler.Reference;
using Xunit;
using static NetCompiler.Runtime.Tests.Reference.GradientCheck;

namespace NetCompiler.Runtime.Tests.Reference;

public class ActivationReferenceTests
{
    [Fact]
    public void Apply_HandComputed()
    {
        Assert.Equal(-2.5, ActivationReference.Apply(ActivationKind.Identity, -2.5));
        Assert.Equal(0.0, ActivationReference.Apply(ActivationKind.ReLU, -2.5));
        Assert.Equal(2.5, ActivationReference.Apply(ActivationKind.ReLU, 2.5));
        Assert.Equal(0.5, ActivationReference.Apply(ActivationKind.Sigmoid, 0.0));
        Assert.Equal(1 / (1 + Math.Exp(-2)), ActivationReference.Apply(ActivationKind.Sigmoid, 2.0), 15);
        Assert.Equal(Math.Tanh(0.75), ActivationReference.Apply(ActivationKind.Tanh, 0.75), 15);
    }

    [Fact]
    public void Apply_SaturatesWithoutOverflow()
    {
        Assert.Equal(0f, ActivationReference.Apply(ActivationKind.Sigmoid, -1000f));
        Assert.Equal(1f, ActivationReference.Apply(ActivationKind.Sigmoid, 1000f));
        Assert.Equal(-1f, ActivationReference.Apply(ActivationKind.Tanh, -1000f));
    }

    [Fact]
    public void Apply_ReLUPropagatesNaN() =>
        Assert.True(double.IsNaN(ActivationReference.Apply(ActivationKind.ReLU, double.NaN)));

    [Theory]
    [InlineData(ActivationKind.Identity, 1)]
    [InlineData(ActivationKind.ReLU, 7)]
    [InlineData(ActivationKind.ReLU, 17)]
    [InlineData(ActivationKind.Sigmoid, 3)]
    [InlineData(ActivationKind.Sigmoid, 17)]
    [InlineData(ActivationKind.Tanh, 7)]
    public void Backward_MatchesFiniteDifferences(ActivationKind kind, int length)
    {
        var random = new Random((int)kind * 100 + length);
        // |x| >= 0.01 keeps the ReLU kink out of reach of the 1e-6 step.
        double[] input = AwayFromZero(random, length, 0.01, 3);
        double[] outputWeights = RandomArray(random, length);

        double Objective()
        {
            var y = new double[length];
            ActivationReference.Forward<double>(kind, input, y);
            return Dot(y, outputWeights);
        }

        var output = new double[length];
        ActivationReference.Forward<double>(kind, input, output);
        double[] dInput = Garbage(length);
        ActivationReference.Backward<double>(kind, input, output, outputWeights, dInput);

        Check("dInput", input, Objective, dInput);
    }

    [Fact]
    public void Backward_ReadsOnlyWhatItNeeds()
    {
        double[] input = [-1, 2];
        double[] output = [0.25, 0.5];
        double[] dOutput = [3, 4];
        var dInput = new double[2];

        ActivationReference.Backward<double>(ActivationKind.ReLU, input, [], dOutput, dInput);
        Assert.Equal([0.0, 4.0], dInput);

        ActivationReference.Backward<double>(ActivationKind.Sigmoid, [], output, dOutput, dInput);
        Assert.Equal([3 * 0.25 * 0.75, 4 * 0.5 * 0.5], dInput);

        ActivationReference.Backward<double>(ActivationKind.Tanh, [], output, dOutput, dInput);
        Assert.Equal([3 * (1 - 0.0625), 4 * (1 - 0.25)], dInput);
    }

    [Fact]
    public void Backward_ReLUGivesZeroAtTheKinkAndForInfiniteGradients()
    {
        var dInput = new double[2];
        ActivationReference.Backward<double>(ActivationKind.ReLU, [0, -1], [], [1, double.PositiveInfinity], dInput);
        Assert.Equal([0.0, 0.0], dInput);
    }

    [Fact]
    public void Forward_UnknownKind_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ActivationReference.Forward<double>((ActivationKind)42, [1], new double[1]));
}
