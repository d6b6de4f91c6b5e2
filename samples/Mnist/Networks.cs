using NetCompiler;

/// <summary>784-128-10 multi-layer perceptron.</summary>
[Network(Input = [784])]
[Dense(128, Name = "fc1"), ReLU]
[Dense(10, Name = "fc2")]
[Loss(LossKind.SoftmaxCrossEntropy), Sgd(LearningRate = 0.1f, Momentum = 0.9f)]
public partial class MnistMlp;
