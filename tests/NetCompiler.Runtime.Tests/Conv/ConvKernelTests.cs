using NetCompiler.Reference;
using NetCompiler.Runtime.Tests.Reference;
using Xunit;

namespace NetCompiler.Runtime.Tests.Conv;

/// <summary>Generated Conv2D, pooling and Flatten kernels against the float64 reference ops: outputs, loss and every parameter gradient.</summary>
public class ConvKernelTests
{
    // Float kernels against float64: sums of up to a few thousand products lose about 1e-6 relative each.
    private const double Tolerance = 2e-4;

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in new[] { nameof(ConvSmallNet), nameof(ConvOddNet), nameof(ConvPoolNet), nameof(ConvOverlapNet), nameof(ConvFusedNet), nameof(ConvPointwiseNet), nameof(ConvLargeWindowNet) })
            foreach (int batch in new[] { 1, 3 })
                data.Add(name, batch);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OutputsLossAndGradientsMatchTheReference(string name, int batch)
    {
        var (network, reference) = Create(name);
        var random = new Random(batch * 31 + name.Length);
        double[] input = GradientCheck.RandomArray(random, batch * reference.InputSize);
        double[] targets = GradientCheck.RandomArray(random, batch * reference.OutputSize);
        double[] parameters = Widen(network.Parameters);

        var (expectedLoss, expectedOutput, expectedGradients) = reference.Run(batch, input, parameters, ReferenceNetwork.MeanSquaredError(targets));

        float[] output = new float[batch * network.OutputSize];
        network.Forward(GradientCheck.ToFloat(input), output);
        float loss = network.Backward(GradientCheck.ToFloat(input), GradientCheck.ToFloat(targets));

        AssertClose(expectedOutput, output, name + " output");
        Assert.Equal(expectedLoss, loss, Tolerance * Math.Max(1, Math.Abs(expectedLoss)));
        foreach (var p in network.ParameterLayout)
            AssertClose(expectedGradients.AsSpan(p.Offset, p.Length), network.Gradients.Slice(p.Offset, p.Length), $"{name} d{p.Name}");
    }

    /// <summary>
    /// Max pooling routes each window's gradient to its first maximum, as PyTorch does. Inputs drawn from five values tie
    /// often; the 1x1 convolution is the identity per channel, so each pooled channel ties where its input does, and the
    /// gradient of the weight that mixes in the other channel differs for each tied position.
    /// </summary>
    [Fact]
    public void MaxPoolGradientGoesToTheFirstOfTiedMaxima()
    {
        const int batch = 3;
        var network = new PoolTiesConvNet(batchCapacity: batch);
        var reference = new ReferenceNetwork([2, 6, 40], new RefConv(2, 1), new RefActivation(ActivationKind.Tanh), new RefMaxPool(2, 2), new RefFlatten(), new RefDense(3));
        network.Layer0Weight.Clear();
        network.Layer0Weight[0] = 1f; // [out 0, in 0]
        network.Layer0Weight[3] = 1f; // [out 1, in 1]
        network.Layer0Bias.Clear();
        var random = new Random(5);
        double[] input = new double[batch * PoolTiesConvNet.InputSize];
        for (int i = 0; i < input.Length; i++) input[i] = (random.Next(5) - 2) * 0.5;
        double[] targets = GradientCheck.RandomArray(random, batch * PoolTiesConvNet.OutputSize);

        var (_, expectedOutput, expectedGradients) = reference.Run(batch, input, Widen(network.Parameters), ReferenceNetwork.MeanSquaredError(targets));
        float[] output = new float[batch * PoolTiesConvNet.OutputSize];
        network.Forward(GradientCheck.ToFloat(input), output);
        network.Backward(GradientCheck.ToFloat(input), GradientCheck.ToFloat(targets));

        AssertClose(expectedOutput, output, "output");
        foreach (var p in network.ParameterLayout)
            AssertClose(expectedGradients.AsSpan(p.Offset, p.Length), network.Gradients.Slice(p.Offset, p.Length), "d" + p.Name);
    }

    [Fact]
    public void InferenceNetworkMatchesItsTrainableTwin()
    {
        const int batch = 3;
        var trainable = new ConvPoolNet(batchCapacity: batch);
        var inference = new ConvPoolInferenceNet(batchCapacity: batch);
        trainable.Parameters.CopyTo(inference.Parameters);
        float[] input = GradientCheck.ToFloat(GradientCheck.RandomArray(new Random(8), batch * ConvPoolNet.InputSize));
        float[] expected = new float[batch * ConvPoolNet.OutputSize], actual = new float[expected.Length];
        trainable.Forward(input, expected);
        inference.Forward(input, actual);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void MaxPoolPropagatesNaN()
    {
        var network = new PoolTiesConvNet(batchCapacity: 1);
        float[] input = new float[PoolTiesConvNet.InputSize];
        input[5 * 40 + 39] = float.NaN; // channel 0, last row, last column: the tail of every tier
        float[] output = new float[PoolTiesConvNet.OutputSize];
        network.Forward(input, output);
        Assert.All(output, value => Assert.True(float.IsNaN(value), $"expected NaN, got {value}"));
    }

    [Fact]
    public void ParameterLayoutFollowsPyTorch()
    {
        var net = new ConvPoolNet();
        Assert.Equal(["0.weight", "0.bias", "3.weight", "6.weight", "6.bias"], net.ParameterLayout.Select(p => p.Name));
        Assert.Equal([3, 2, 5, 5], net.ParameterLayout[0].Shape);
        Assert.Equal([4, 3, 3, 3], net.ParameterLayout[2].Shape);
        Assert.Equal([5, 144], net.ParameterLayout[3].Shape);
        Assert.Equal(3 * 2 * 25, net.Layer0Weight.Length);
        Assert.Equal([5], ConvPoolNet.OutputShape.ToArray());
    }

    [Fact]
    public void FlattenOfTheInputIsTheInputReshaped()
    {
        Assert.Equal([12], FlattenOnlyNet.OutputShape.ToArray());
        Assert.Equal(0, FlattenOnlyNet.ArenaSizePerSample);
        float[] input = Enumerable.Range(0, 24).Select(i => i * 0.5f).ToArray();
        float[] output = new float[24];
        new FlattenOnlyNet(batchCapacity: 2).Forward(input, output);
        Assert.Equal(input, output);
    }

    internal static (ITargetTrainable Network, ReferenceNetwork Reference) Create(string name) => name switch
    {
        nameof(ConvSmallNet) => (new ConvSmallNet(batchCapacity: 3), new ReferenceNetwork([1, 5, 5],
            new RefConv(2, 3, Padding: 1), new RefActivation(ActivationKind.ReLU), new RefConv(3, 3, Stride: 2))),
        nameof(ConvOddNet) => (new ConvOddNet(batchCapacity: 3), new ReferenceNetwork([3, 7, 9],
            new RefConv(4, 5, Padding: 2), new RefActivation(ActivationKind.Tanh), new RefConv(2, 1, Stride: 2))),
        nameof(ConvPoolNet) => (new ConvPoolNet(batchCapacity: 3), new ReferenceNetwork([2, 28, 28],
            new RefConv(3, 5), new RefActivation(ActivationKind.ReLU), new RefMaxPool(2, 2),
            new RefConv(4, 3, Padding: 1, Bias: false), new RefAvgPool(2, 2), new RefFlatten(), new RefDense(5))),
        nameof(ConvOverlapNet) => (new ConvOverlapNet(batchCapacity: 3), new ReferenceNetwork([3, 7, 9],
            new RefConv(2, 3, Stride: 2), new RefActivation(ActivationKind.Sigmoid), new RefMaxPool(2, 1), new RefAvgPool(2, 1))),
        nameof(ConvFusedNet) => (new ConvFusedNet(batchCapacity: 3), new ReferenceNetwork([1, 5, 5],
            new RefConv(2, 5, Padding: 2), new RefActivation(ActivationKind.ReLU), new RefAvgPool(3, 2), new RefActivation(ActivationKind.Tanh),
            new RefConv(3, 1, Padding: 1))),
        nameof(ConvPointwiseNet) => (new ConvPointwiseNet(batchCapacity: 3), new ReferenceNetwork([3, 7, 9],
            new RefConv(4, 3, Padding: 1), new RefActivation(ActivationKind.ReLU), new RefConv(5, 1), new RefActivation(ActivationKind.Tanh),
            new RefConv(2, 1))),
        nameof(ConvLargeWindowNet) => (new ConvLargeWindowNet(batchCapacity: 3), new ReferenceNetwork([2, 10, 10],
            new RefConv(3, 3, Padding: 1), new RefActivation(ActivationKind.ReLU), new RefMaxPool(5, 1), new RefAvgPool(6, 6))),
        _ => throw new ArgumentException($"Unknown network '{name}'.", nameof(name)),
    };

    internal static double[] Widen(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = values[i];
        return result;
    }

    /// <summary>Element-wise within <see cref="Tolerance"/> of the largest expected magnitude: float sums cancel, so small elements carry absolute error.</summary>
    internal static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, string name, double tolerance = Tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 1e-3;
        foreach (double e in expected) scale = Math.Max(scale, Math.Abs(e));
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            if (!(error <= tolerance * scale))
                Assert.Fail($"{name}[{i}]: expected {expected[i]:R}, but got {actual[i]:R} (difference {error:R}, allowed {tolerance * scale:R}).");
        }
    }
}
