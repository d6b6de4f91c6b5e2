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

// LeNet-5 goes here once Conv2D/MaxPool2D layers land: conv1 (6, 5x5) -> ReLU -> maxpool 2 -> conv2 (16, 5x5) -> ReLU
// -> maxpool 2 -> flatten 256 -> fc1 120 -> ReLU -> fc2 84 -> ReLU -> fc3 10, softmax cross-entropy, SGD lr 0.01
// momentum 0.9, with layers named conv1/conv2/fc1/fc2/fc3 to match LeNetWeights and TorchLeNet. Then add a factory
// to NetCompilerNetworks and NetCompiler contenders to Cases/LeNetTrainStep.cs and Cases/LeNetInference.cs exactly as
// Cases/MlpTrainStep.cs and Cases/MlpInference.cs do.
