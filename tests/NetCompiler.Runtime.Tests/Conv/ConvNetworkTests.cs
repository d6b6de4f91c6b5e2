using NetCompiler.Reference;
using NetCompiler.Runtime.Tests.Reference;
using Xunit;

namespace NetCompiler.Runtime.Tests.Conv;

/// <summary>Whole convolutional networks: a float64 finite-difference check through the reference ops, LeNet-5, allocations.</summary>
public class ConvNetworkTests
{
    private static ReferenceNetwork ClassifierReference() => new([2, 6, 6],
        new RefConv(3, 3, Padding: 1), new RefActivation(ActivationKind.ReLU), new RefMaxPool(2, 2), new RefFlatten(), new RefDense(4));

    [Fact]
    public void ClassifierGradientsMatchFloat64FiniteDifferencesThroughTheReference()
    {
        const int Batch = 3;
        var net = new ConvClassifierNet(batchCapacity: Batch);
        var reference = ClassifierReference();
        var random = new Random(17);
        double[] input = GradientCheck.RandomArray(random, Batch * reference.InputSize);
        int[] labels = [2, 0, 3];
        double[] parameters = ConvKernelTests.Widen(net.Parameters);
        var loss = ReferenceNetwork.SoftmaxCrossEntropy(Batch, 4, labels);

        var (expectedLoss, _, expected) = reference.Run(Batch, input, parameters, loss);
        // The reference chain itself, against central differences in float64.
        GradientCheck.Check("reference network", parameters, () => reference.Run(Batch, input, parameters, loss).Loss, expected, tolerance: 1e-5);

        float actualLoss = net.Backward(GradientCheck.ToFloat(input), labels);
        Assert.Equal(expectedLoss, actualLoss, 1e-5);
        foreach (var p in net.ParameterLayout)
            ConvKernelTests.AssertClose(expected.AsSpan(p.Offset, p.Length), net.Gradients.Slice(p.Offset, p.Length), "d" + p.Name);
    }

    [Fact]
    public void LeNet5HasTheClassicShapesAndMatchesTheReference()
    {
        const int Batch = 2;
        Assert.Equal(784, LeNet5.InputSize);
        Assert.Equal([10], LeNet5.OutputShape.ToArray());
        Assert.Equal(6 * 25 + 6 + 16 * 150 + 16 + 256 * 120 + 120 + 120 * 84 + 84 + 84 * 10 + 10, LeNet5.ParameterCount);
        var net = new LeNet5(batchCapacity: Batch);
        Assert.Equal(["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias", "11.weight", "11.bias"], net.ParameterLayout.Select(p => p.Name));
        Assert.Equal([16, 6, 5, 5], net.ParameterLayout[2].Shape);
        Assert.Equal([120, 256], net.ParameterLayout[4].Shape);

        var reference = new ReferenceNetwork([1, 28, 28],
            new RefConv(6, 5), new RefActivation(ActivationKind.ReLU), new RefMaxPool(2, 2),
            new RefConv(16, 5), new RefActivation(ActivationKind.ReLU), new RefMaxPool(2, 2),
            new RefFlatten(), new RefDense(120), new RefActivation(ActivationKind.ReLU), new RefDense(84), new RefActivation(ActivationKind.ReLU), new RefDense(10));
        double[] input = GradientCheck.RandomArray(new Random(5), Batch * 784, 0, 1);
        int[] labels = [7, 1];
        var (expectedLoss, expectedOutput, expected) = reference.Run(Batch, input, ConvKernelTests.Widen(net.Parameters), ReferenceNetwork.SoftmaxCrossEntropy(Batch, 10, labels));

        float[] output = new float[Batch * 10];
        net.Forward(GradientCheck.ToFloat(input), output);
        ConvKernelTests.AssertClose(expectedOutput, output, "LeNet-5 logits");
        Assert.Equal(expectedLoss, net.Backward(GradientCheck.ToFloat(input), labels), 1e-4);
        foreach (var p in net.ParameterLayout)
            ConvKernelTests.AssertClose(expected.AsSpan(p.Offset, p.Length), net.Gradients.Slice(p.Offset, p.Length), "LeNet-5 d" + p.Name);
    }

    [Fact]
    public void LeNet5TrainStepDecreasesTheLoss()
    {
        const int Batch = 16;
        var net = new LeNet5(batchCapacity: Batch);
        var random = new Random(23);
        float[] input = GradientCheck.ToFloat(GradientCheck.RandomArray(random, Batch * 784, 0, 1));
        int[] labels = Enumerable.Range(0, Batch).Select(i => i % 10).ToArray();

        float first = net.TrainStep(input, labels);
        float last = first;
        for (int step = 0; step < 30; step++) last = net.TrainStep(input, labels);

        Assert.Equal(31, net.Step);
        Assert.True(float.IsFinite(last));
        Assert.True(last < 0.5f * first, $"the loss went from {first} to {last} in 31 steps on one batch");
    }

    [Fact]
    public void TrainStepDoesNotAllocate()
    {
        var lenet = new LeNet5(batchCapacity: 8);
        float[] images = new float[8 * 784];
        int[] labels = [0, 1, 2, 3, 4, 5, 6, 7];
        var dropout = new DropoutDenseNet(batchCapacity: 4);
        float[] x = new float[4 * DropoutDenseNet.InputSize];
        float[] t = new float[4 * DropoutDenseNet.OutputSize];
        images.AsSpan().Fill(0.5f);
        lenet.TrainStep(images, labels);
        dropout.TrainStep(x, t);

        long allocated = Allocations.Fewest(() =>
        {
            lenet.TrainStep(images, labels);
            dropout.TrainStep(x, t);
        });
        Assert.Equal(0, allocated);
    }
}
