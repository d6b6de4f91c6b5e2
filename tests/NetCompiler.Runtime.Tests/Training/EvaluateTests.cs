using NetCompiler.Data;
using NetCompiler.Training;
using Xunit;

namespace NetCompiler.Runtime.Tests.Training;

public sealed class EvaluateTests
{
    [Fact]
    public void AccuracyCountsArgmaxHitsAcrossChunks()
    {
        // Identity weights: the prediction is the index of the largest feature.
        var network = new SoftmaxRegression(features: 3, classes: 3, batchCapacity: 4);
        network.Parameters.Clear();
        network.Parameters[0] = network.Parameters[4] = network.Parameters[8] = 1f;
        network.Mode = NetworkMode.Training;

        float[] features = new float[10 * 3];
        int[] labels = new int[10];
        for (int i = 0; i < 10; i++)
        {
            features[i * 3 + i % 3] = 1f;
            labels[i] = i < 7 ? i % 3 : (i + 1) % 3; // the last three are wrong
        }

        float accuracy = Evaluate.Accuracy(network, new Dataset(features, labels, [3]));

        Assert.Equal(0.7f, accuracy, 6);
        Assert.Equal(3, network.ForwardModes.Count); // 4 + 4 + 2 samples
        Assert.All(network.ForwardModes, m => Assert.Equal(NetworkMode.Inference, m));
        Assert.Equal(NetworkMode.Training, network.Mode); // restored
    }

    [Fact]
    public void RejectsIncompatibleData()
    {
        var network = new SoftmaxRegression(features: 3, classes: 2, batchCapacity: 4);

        var ex = Assert.Throws<ArgumentException>(() => Evaluate.Accuracy(network, new Dataset(new float[8], [0, 1], [4])));
        Assert.Contains("takes 3 inputs per sample, but the dataset's samples have 4 elements", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => Evaluate.Accuracy(network, new Dataset(new float[6], [0, 2], [3])));
        Assert.Contains("labels up to 2, but the network has 2 outputs", ex.Message);
    }
}
