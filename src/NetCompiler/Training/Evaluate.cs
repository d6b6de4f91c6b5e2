using System.Numerics.Tensors;
using NetCompiler.Data;

namespace NetCompiler.Training;

/// <summary>Measures a classifier on a dataset.</summary>
public static class Evaluate
{
    /// <summary>
    /// The fraction of samples whose largest output is at the sample's label. Runs <see cref="INetwork.Forward"/> in
    /// <see cref="NetworkMode.Inference"/> mode over chunks of <see cref="INetwork.BatchCapacity"/> samples, then restores the previous mode.
    /// </summary>
    public static float Accuracy(INetwork network, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        CheckCompatible(network, data, nameof(data));

        NetworkMode mode = network.Mode;
        network.Mode = NetworkMode.Inference;
        try
        {
            float[] output = new float[network.BatchCapacity * network.OutputSize]; // [capacity, outputSize]
            return Accuracy(network, data, output);
        }
        finally
        {
            network.Mode = mode;
        }
    }

    /// <summary>Accuracy with a caller-owned output buffer of <c>[BatchCapacity, OutputSize]</c>; leaves the mode alone.</summary>
    internal static float Accuracy(INetwork network, Dataset data, float[] output)
    {
        if (data.Count == 0)
            return 0f;

        int inputSize = network.InputSize;
        int outputSize = network.OutputSize;
        int correct = 0;
        for (int start = 0; start < data.Count; start += network.BatchCapacity)
        {
            int count = Math.Min(network.BatchCapacity, data.Count - start);
            ReadOnlySpan<float> input = data.Features.AsSpan(start * inputSize, count * inputSize); // [count, inputSize]
            Span<float> logits = output.AsSpan(0, count * outputSize);                              // [count, outputSize]
            network.Forward(input, logits);
            for (int i = 0; i < count; i++)
            {
                if (TensorPrimitives.IndexOfMax(logits.Slice(i * outputSize, outputSize)) == data.Labels[start + i])
                    correct++;
            }
        }

        return (float)correct / data.Count;
    }

    internal static void CheckCompatible(INetwork network, Dataset data, string paramName)
    {
        if (data.SampleSize != network.InputSize)
            throw new ArgumentException($"The network takes {network.InputSize} inputs per sample, but the dataset's samples have {data.SampleSize} elements (shape [{string.Join(", ", data.Shape.ToArray())}]).", paramName);

        int classes = data.ClassCount;
        if (classes > network.OutputSize)
            throw new ArgumentException($"The dataset has labels up to {classes - 1}, but the network has {network.OutputSize} outputs (labels 0 to {network.OutputSize - 1}).", paramName);
    }
}
