// The benchmark networks, declared for NetCompiler's source generator. Layers are named after the PyTorch peers'
// parameters (fc1, fc2) so that ParameterLayout's state-dict names select the shared weights directly.
namespace NetCompiler.Benchmarks.Networks;

/// <summary>XOR 2-8-1: tanh hidden, sigmoid output, mean squared error, plain SGD (lr 0.5), like <c>TorchXor</c>.</summary>
[Network(Input = [2])]
[Dense(8, Name = "fc1"), Tanh]
[Dense(1, Name = "fc2"), Sigmoid]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.5f)]
public partial class XorNet;

/// <summary>MLP 784-128-10: ReLU hidden, logits out, softmax cross-entropy, SGD lr 0.01 momentum 0.9, like <c>TorchMlp</c>.</summary>
[Network(Input = [784])]
[Dense(128, Name = "fc1"), ReLU]
[Dense(10, Name = "fc2")]
[Loss(LossKind.SoftmaxCrossEntropy), Sgd(LearningRate = 0.01f, Momentum = 0.9f)]
public partial class MlpNet;

/// <summary>
/// The same MLP declared for deployment, without loss or optimizer: what an inference-only user compiles, and the
/// network that <c>MlpInference</c> measures.
/// </summary>
[Network(Input = [784])]
[Dense(128, Name = "fc1"), ReLU]
[Dense(10, Name = "fc2")]
public partial class MlpInferenceNet;

/// <summary>
/// LeNet-5 on 1x28x28 like <c>TorchLeNet</c>: valid 5x5 convolutions, ReLU, 2x2 max pooling, fc 256-120-84-10,
/// softmax cross-entropy, SGD lr 0.01 momentum 0.9.
/// </summary>
[Network(Input = [1, 28, 28])]
[Conv2D(6, 5, Name = "conv1"), ReLU, MaxPool2D(2)]
[Conv2D(16, 5, Name = "conv2"), ReLU, MaxPool2D(2)]
[Flatten]
[Dense(120, Name = "fc1"), ReLU]
[Dense(84, Name = "fc2"), ReLU]
[Dense(10, Name = "fc3")]
[Loss(LossKind.SoftmaxCrossEntropy), Sgd(LearningRate = 0.01f, Momentum = 0.9f)]
public partial class LeNetNet;

/// <summary>The same LeNet-5 without loss or optimizer, the network that <c>LeNetInference</c> measures.</summary>
[Network(Input = [1, 28, 28])]
[Conv2D(6, 5, Name = "conv1"), ReLU, MaxPool2D(2)]
[Conv2D(16, 5, Name = "conv2"), ReLU, MaxPool2D(2)]
[Flatten]
[Dense(120, Name = "fc1"), ReLU]
[Dense(84, Name = "fc2"), ReLU]
[Dense(10, Name = "fc3")]
public partial class LeNetInferenceNet;
