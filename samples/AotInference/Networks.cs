using NetCompiler;

/// <summary>784-128-10 multi-layer perceptron.</summary>
/// <remarks>
/// Declared exactly as in samples/Mnist/Networks.cs (same layers, names and loss), because a checkpoint is matched by
/// parameter names and shapes: <c>fc1.weight [128, 784]</c>, <c>fc1.bias [128]</c>, <c>fc2.weight [10, 128]</c>, <c>fc2.bias [10]</c>.
/// </remarks>
[Network(Input = [784])]
[Dense(128, Name = "fc1"), ReLU]
[Dense(10, Name = "fc2")]
[Loss(LossKind.SoftmaxCrossEntropy), Sgd(LearningRate = 0.1f, Momentum = 0.9f)]
public partial class MnistMlp;
