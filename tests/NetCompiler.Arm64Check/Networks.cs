using NetCompiler;

// Widths are chosen to be no multiple of 4 so that every Vector128 kernel runs its full-vector loop and its tail.

/// <summary>37-21-13-5 classifier: ReLU and tanh hidden layers, softmax cross-entropy, SGD with momentum.</summary>
[Network(Input = [37])]
[Dense(21, Name = "fc1"), ReLU]
[Dense(13, Name = "fc2"), Tanh]
[Dense(5, Name = "fc3")]
[Loss(LossKind.SoftmaxCrossEntropy), Sgd(LearningRate = 0.05f, Momentum = 0.9f)]
public partial class ClassifierNet;

/// <summary>19-11-6 regressor: sigmoid and tanh, mean squared error, Adam.</summary>
[Network(Input = [19])]
[Dense(11, Name = "fc1"), Sigmoid]
[Dense(6, Name = "fc2"), Tanh]
[Loss(LossKind.MeanSquaredError), Adam(LearningRate = 0.01f, Beta1 = 0.9f, Beta2 = 0.999f, Epsilon = 1e-8f)]
public partial class RegressorNet;

/// <summary>XOR's 2-8-1: small enough for the fused train step, which runs as one straight-line Vector128 block.</summary>
[Network(Input = [2])]
[Dense(8, Name = "fc1"), Tanh]
[Dense(1, Name = "fc2"), Sigmoid]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.5f, Momentum = 0.9f)]
public partial class XorNet;
