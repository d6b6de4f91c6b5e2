using Xunit;

namespace NetCompiler.Runtime.Tests.Generated;

/// <summary>2-8-1 with a tanh hidden layer, trained on mean squared error (the samples/Xor network).</summary>
[Network(Input = [2])]
[Dense(8), Tanh]
[Dense(1), Sigmoid]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.5f, Momentum = 0.9f)]
internal partial class XorMlpNet;

/// <summary>Rosenblatt's perceptron: one linear unit.</summary>
[Network(Input = [2])]
[Dense(1)]
[Loss(LossKind.Perceptron), Sgd(LearningRate = 0.1f)]
internal partial class LinearPerceptronNet;

/// <summary>Training smoke tests: the generated networks learn what they should.</summary>
public class TrainingTests
{
    [Fact]
    public void XorMlp_ReachesFullAccuracyWithin2000Steps()
    {
        float[] inputs = [0, 0, 0, 1, 1, 0, 1, 1]; // [4, 2]
        float[] targets = [0, 1, 1, 0];            // [4, 1]
        var network = new XorMlpNet(batchCapacity: 4);
        var outputs = new float[4];
        float loss = float.NaN;

        int step = 0;
        while (step < 2000 && Accuracy() < 1f)
        {
            loss = network.TrainStep(inputs, targets);
            step++;
        }

        Assert.True(Accuracy() == 1f, $"Expected 100% accuracy within 2000 steps, but got {Accuracy():P0} (loss {loss}, outputs {string.Join(", ", outputs)}).");
        Assert.True(step > 0, "The initial weights already classify XOR, so nothing was trained; change the seed.");
        Assert.Equal(step, network.Step);

        float Accuracy()
        {
            network.Forward(inputs, outputs);
            int correct = 0;
            for (int i = 0; i < 4; i++)
                if ((outputs[i] > 0.5f ? 1f : 0f) == targets[i]) correct++;
            return correct / 4f;
        }
    }

    [Fact]
    public void Perceptron_ConvergesOnLinearlySeparableData()
    {
        // Points of [-1, 1]², labelled by the side of the line x + 2y = 0.3, at least 0.1 away from it.
        const int Count = 64;
        var random = new Random(31);
        var inputs = new float[Count * 2]; // [64, 2]
        var targets = new float[Count];    // [64, 1]
        for (int n = 0; n < Count;)
        {
            float x = 2f * random.NextSingle() - 1f, y = 2f * random.NextSingle() - 1f;
            float side = x + 2f * y - 0.3f;
            if (MathF.Abs(side) < 0.1f) continue;
            inputs[2 * n] = x;
            inputs[2 * n + 1] = y;
            targets[n] = side > 0f ? 1f : 0f;
            n++;
        }
        var network = new LinearPerceptronNet(batchCapacity: Count);
        var scores = new float[Count];

        int epoch = 0;
        while (epoch < 1000 && Errors() > 0)
        {
            network.TrainStep(inputs, targets);
            epoch++;
        }

        Assert.True(Errors() == 0, $"Expected every point classified after 1000 epochs, but {Errors()} of {Count} are not.");
        Assert.True(epoch > 0, "The initial weights already separate the points, so nothing was trained; change the data.");
        Assert.Equal(0f, network.Backward(inputs, targets));
        Assert.True(network.Gradients.IndexOfAnyExcept(0f) < 0, "Expected zero gradients once every point is on its side.");

        int Errors()
        {
            network.Forward(inputs, scores);
            int errors = 0;
            for (int i = 0; i < Count; i++)
                if ((scores[i] > 0f ? 1f : 0f) != targets[i]) errors++;
            return errors;
        }
    }
}
