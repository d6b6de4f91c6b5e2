// XOR: a two-layer perceptron learns it; a single-layer perceptron cannot (Minsky & Papert, 1969),
// because no line separates {(0,1), (1,0)} from {(0,0), (1,1)}.
using NetCompiler;

float[] inputs = [0, 0, 0, 1, 1, 0, 1, 1]; // [4, 2]
float[] targets = [0, 1, 1, 0];            // [4, 1]

var mlp = new XorNet(batchCapacity: 4);
float loss = 0;
for (int epoch = 1; epoch <= 2000; epoch++)
{
    loss = mlp.TrainStep(inputs, targets);
    if (epoch % 500 == 0) Console.WriteLine($"mlp        epoch {epoch,4}  loss {loss:F5}");
}

var perceptron = new XorPerceptron(batchCapacity: 4);
for (int epoch = 1; epoch <= 2000; epoch++)
{
    loss = perceptron.TrainStep(inputs, targets);
    if (epoch % 500 == 0) Console.WriteLine($"perceptron epoch {epoch,4}  loss {loss:F5}");
}

float mlpAccuracy = Accuracy(mlp, threshold: 0.5f);
float perceptronAccuracy = Accuracy(perceptron, threshold: 0f);
Console.WriteLine($"perceptron accuracy: {perceptronAccuracy:F4} (a single layer cannot separate XOR)");
Console.WriteLine($"xor accuracy: {mlpAccuracy:F4}");

float Accuracy(INetwork network, float threshold)
{
    Span<float> outputs = stackalloc float[4];
    network.Forward(inputs, outputs);
    int correct = 0;
    for (int i = 0; i < 4; i++)
        if ((outputs[i] > threshold ? 1f : 0f) == targets[i]) correct++;
    return correct / 4f;
}

/// <summary>2-8-1 with a tanh hidden layer, trained on mean squared error.</summary>
[Network(Input = [2])]
[Dense(8), Tanh]
[Dense(1), Sigmoid]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.5f, Momentum = 0.9f)]
public partial class XorNet;

/// <summary>Rosenblatt's perceptron: one linear unit trained with the perceptron rule.</summary>
[Network(Input = [2])]
[Dense(1)]
[Loss(LossKind.Perceptron), Sgd(LearningRate = 0.1f)]
public partial class XorPerceptron;
