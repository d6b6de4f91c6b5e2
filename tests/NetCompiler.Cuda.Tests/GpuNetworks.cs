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

/// <summary>A small LeNet: conv + ReLU (fused) + max pool, padded conv + average pool, flatten, dense + ReLU + dropout.</summary>
[Network(Input = [1, 10, 10], Seed = 9)]
[Conv2D(4, 3, Name = "conv1"), ReLU, MaxPool2D(2)]
[Conv2D(6, 3, Padding = 1, Name = "conv2"), AvgPool2D(2)]
[Flatten]
[Dense(8, Name = "fc1"), ReLU, Dropout(0.3f)]
[Dense(5, Name = "fc2")]
[Loss(LossKind.SoftmaxCrossEntropy), Adam(LearningRate = 0.01f)]
public partial class GpuLeNet;

/// <summary>Strided, padded convolutions (the second without bias, its col2im fusing tanh'), overlapping max pool windows, dropout on the flattened features.</summary>
[Network(Input = [2, 9, 9], Seed = 10)]
[Conv2D(4, 3, Stride = 2, Padding = 1, Name = "conv1"), Tanh]
[Conv2D(3, 3, Stride = 2, Padding = 1, Bias = false, Name = "conv2"), Sigmoid]
[MaxPool2D(2, Stride = 1)]
[Flatten, Dropout(0.5f)]
[Dense(3, Name = "fc")]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.1f, Momentum = 0.9f)]
public partial class GpuStridedConv;

/// <summary>The MNIST sample's LeNet-5 (samples/Mnist), for ptxas and the GPU check.</summary>
[Network(Input = [1, 28, 28])]
[Conv2D(6, 5, Name = "conv1"), ReLU, MaxPool2D(2)]
[Conv2D(16, 5, Name = "conv2"), ReLU, MaxPool2D(2)]
[Flatten]
[Dense(120, Name = "fc1"), ReLU, Dropout(0.25f)]
[Dense(84, Name = "fc2"), ReLU, Dropout(0.25f)]
[Dense(10, Name = "fc3")]
[Loss(LossKind.SoftmaxCrossEntropy), Adam(LearningRate = 2e-3f)]
public partial class GpuLeNet5;

/// <summary>Dropout on a flattened view of the input, no parameters: the GPU output must equal the CPU's bit for bit.</summary>
[Network(Input = [2, 3, 3], Seed = 11)]
[Flatten, Dropout(0.5f)]
public partial class GpuDropoutView;
