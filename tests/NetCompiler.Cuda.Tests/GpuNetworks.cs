using NetCompiler;

// Networks whose generated GPU execution the tests compare with their generated CPU code. Each covers different
// kernels: the activations fused into products and into the loss, every loss, softmax, and every optimizer.
// GpuNetworkSpecs holds the same declarations as NetworkSpec values, for the compiler-level tests.

namespace NetCompiler.Cuda.Tests;

[Network(Input = [6], Seed = 3)]
[Dense(20), ReLU]
[Dense(12), Tanh]
[Dense(5)]
[Loss(LossKind.SoftmaxCrossEntropy), Sgd(LearningRate = 0.1f, Momentum = 0.9f)]
public partial class GpuClassifier;

[Network(Input = [5], Seed = 4)]
[Dense(9, Name = "hidden"), Sigmoid]
[Dense(3, Name = "out"), Tanh]
[Loss(LossKind.MeanSquaredError), Adam(LearningRate = 0.01f, WeightDecay = 0.001f)]
public partial class GpuRegressor;

[Network(Input = [4], Seed = 5)]
[Dense(7), Tanh]
[Dense(2), Sigmoid]
[Loss(LossKind.BinaryCrossEntropy), Adagrad(LearningRate = 0.05f, WeightDecay = 0.01f)]
public partial class GpuBinary;

[Network(Input = [3], Seed = 6)]
[Dense(1, Bias = false)]
[Loss(LossKind.Perceptron), Sgd(LearningRate = 0.1f, Momentum = 0.5f, Nesterov = true, WeightDecay = 0.01f)]
public partial class GpuPerceptron;

[Network(Input = [4], Seed = 7)]
[Dense(70), ReLU]
[Dense(6), Softmax]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.5f)]
public partial class GpuSoftmaxHead;

[Network(Input = [3], Seed = 8)]
[Dense(4), ReLU]
[Dense(2)]
public partial class GpuForwardOnly;

/// <summary>The MNIST sample's MLP (samples/Mnist), for ptxas and the GPU check.</summary>
[Network(Input = [784])]
[Dense(128, Name = "fc1"), ReLU]
[Dense(10, Name = "fc2")]
[Loss(LossKind.SoftmaxCrossEntropy), Sgd(LearningRate = 0.1f, Momentum = 0.9f)]
public partial class GpuMnistMlp;
