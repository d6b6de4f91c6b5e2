using Xunit.Sdk;

namespace NetCompiler.Runtime.Tests.Generated;

/// <summary>One mini-batch: inputs and, depending on the loss, float targets or class labels.</summary>
internal sealed record Batch(int Size, float[] Input, float[] Targets, int[] Labels);

/// <summary>Random data, parameter filling, calls through the generated interfaces and float comparisons.</summary>
internal static class TestData
{
    /// <summary>Uniform inputs in [-1, 1) and targets that suit the loss: [0, 1) for BCE, exactly 0 or 1 for the perceptron, labels for softmax cross-entropy.</summary>
    public static Batch CreateBatch(ReferenceNetwork model, int batch, Random random)
    {
        float[] input = Uniform(random, batch * model.InputSize, -1f, 1f); // [batch, InputSize]
        float[] targets = [];
        int[] labels = [];
        switch (model.Loss)
        {
            case LossKind.MeanSquaredError:
                targets = Uniform(random, batch * model.OutputSize, -1f, 1f);
                break;
            case LossKind.BinaryCrossEntropy:
                targets = Uniform(random, batch * model.OutputSize, 0f, 1f);
                break;
            case LossKind.Perceptron:
                targets = new float[batch * model.OutputSize];
                for (int i = 0; i < targets.Length; i++) targets[i] = random.Next(2);
                break;
            case LossKind.SoftmaxCrossEntropy:
                labels = new int[batch];
                for (int i = 0; i < batch; i++) labels[i] = random.Next(model.OutputSize);
                break;
        }
        return new Batch(batch, input, targets, labels);
    }

    public static float[] Uniform(Random random, int length, float min, float max)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = min + (max - min) * random.NextSingle();
        return values;
    }

    /// <summary>
    /// Overwrites every parameter: weights <c>U(-1.5/√fanIn, 1.5/√fanIn)</c>, biases <c>U(-0.2, 0.2)</c>, so biases are not
    /// the zeros of the default initialization and every pre-activation is of order 1.
    /// </summary>
    public static void RandomizeParameters(INetwork network, Random random)
    {
        Span<float> parameters = network.Parameters;
        foreach (var p in network.ParameterLayout)
        {
            float bound = p.Shape.Length == 2 ? 1.5f / MathF.Sqrt(p.Shape[1]) : 0.2f;
            Span<float> tensor = parameters.Slice(p.Offset, p.Length);
            for (int i = 0; i < tensor.Length; i++)
                tensor[i] = bound * (2f * random.NextSingle() - 1f);
        }
    }

    public static float Backward(INetwork network, Batch data) => network switch
    {
        ILabelTrainable labelled => labelled.Backward(data.Input, data.Labels),
        ITargetTrainable targeted => targeted.Backward(data.Input, data.Targets),
        _ => throw new ArgumentException($"{network.GetType().Name} has no loss and optimizer.", nameof(network)),
    };

    public static float TrainStep(INetwork network, Batch data) => network switch
    {
        ILabelTrainable labelled => labelled.TrainStep(data.Input, data.Labels),
        ITargetTrainable targeted => targeted.TrainStep(data.Input, data.Targets),
        _ => throw new ArgumentException($"{network.GetType().Name} has no loss and optimizer.", nameof(network)),
    };

    /// <summary>Fails unless <c>|actual - expected| ≤ absolute + relative · |expected|</c> for every element, naming the first that is not.</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relative, double absolute, string what)
    {
        if (expected.Length != actual.Length)
            throw new XunitException($"{what}: expected {expected.Length} elements, but got {actual.Length}.");
        for (int i = 0; i < expected.Length; i++)
            AssertClose(expected[i], actual[i], relative, absolute, $"{what}[{i}]");
    }

    public static void AssertClose(double expected, double actual, double relative, double absolute, string what)
    {
        double error = Math.Abs(actual - expected);
        double tolerance = absolute + relative * Math.Abs(expected);
        if (!(error <= tolerance))
            throw new XunitException($"{what}: expected {expected:R}, but got {actual:R} (difference {error:R}, tolerance {tolerance:R}).");
    }

    /// <summary><see cref="AssertClose(ReadOnlySpan{float}, ReadOnlySpan{float}, double, double, string)"/> per parameter tensor, so a failure names e.g. <c>2.weight[5]</c>.</summary>
    public static void AssertTensorsClose(IReadOnlyList<ParameterInfo> layout, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relative, double absolute, string what)
    {
        foreach (var p in layout)
            AssertClose(expected.Slice(p.Offset, p.Length), actual.Slice(p.Offset, p.Length), relative, absolute, $"{what} {p.Name}");
    }
}
