namespace NetCompiler.Runtime.Tests.Conv;

// Networks compiled by the generator for the tests in this folder. Each one has a twin in ConvNetworkCases, the same
// layers described for the reference interpreter.

/// <summary>1x5x5: padding 1 with a 3x3 kernel, then a stride-2 convolution (the first's input gradient is fused with ReLU).</summary>
[Network(Input = [1, 5, 5], Seed = 11)]
[Conv2D(2, 3, Padding = 1), ReLU]
[Conv2D(3, 3, Stride = 2)]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.01f)]
public partial class ConvSmallNet;

/// <summary>3x7x9: a 5x5 kernel with padding 2 and tanh, then a 1x1 kernel with stride 2.</summary>
[Network(Input = [3, 7, 9], Seed = 12)]
[Conv2D(4, 5, Padding = 2), Tanh]
[Conv2D(2, 1, Stride = 2)]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.01f)]
public partial class ConvOddNet;

/// <summary>2x28x28: valid 5x5, ReLU, max pool, padded 3x3 without bias, average pool, flatten, dense.</summary>
[Network(Input = [2, 28, 28], Seed = 13)]
[Conv2D(3, 5), ReLU, MaxPool2D(2)]
[Conv2D(4, 3, Padding = 1, Bias = false), AvgPool2D(2)]
[Flatten, Dense(5)]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.01f)]
public partial class ConvPoolNet;

/// <summary>3x7x9: stride-2 convolution with sigmoid, then overlapping max and average pools (stride 1).</summary>
[Network(Input = [3, 7, 9], Seed = 14)]
[Conv2D(2, 3, Stride = 2), Sigmoid]
[MaxPool2D(2, Stride = 1), AvgPool2D(2, Stride = 1)]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.01f)]
public partial class ConvOverlapNet;

/// <summary>1x5x5: activations after pools, so their derivatives fuse into a pool's and a convolution's input gradient.</summary>
[Network(Input = [1, 5, 5], Seed = 15)]
[Conv2D(2, 5, Padding = 2), ReLU, AvgPool2D(3, Stride = 2), Tanh]
[Conv2D(3, 1, Padding = 1)]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.01f)]
public partial class ConvFusedNet;

/// <summary>A small classifier for the float64 finite-difference check: conv, ReLU, max pool, flatten, dense, softmax cross-entropy.</summary>
[Network(Input = [2, 6, 6], Seed = 16)]
[Conv2D(3, 3, Padding = 1), ReLU, MaxPool2D(2)]
[Flatten, Dense(4)]
[Loss(LossKind.SoftmaxCrossEntropy), Sgd(LearningRate = 0.01f)]
public partial class ConvClassifierNet;

/// <summary>LeNet-5 on 1x28x28 (valid convolutions, as in the PyTorch tutorial variant): 6@24x24, 6@12x12, 16@8x8, 16@4x4, 256, 120, 84, 10.</summary>
[Network(Input = [1, 28, 28], Seed = 5)]
[Conv2D(6, 5), ReLU, MaxPool2D(2)]
[Conv2D(16, 5), ReLU, MaxPool2D(2)]
[Flatten]
[Dense(120), ReLU]
[Dense(84), ReLU]
[Dense(10)]
[Loss(LossKind.SoftmaxCrossEntropy), Sgd(LearningRate = 0.05f, Momentum = 0.9f)]
public partial class LeNet5;

/// <summary>Dropout alone, so its output divided by its input is the mask.</summary>
[Network(Input = [4096], Seed = 21)]
[Dropout(0.3f)]
public partial class DropoutOnlyNet;

/// <summary>Dropout between dense layers, trainable, for the mask's determinism and its backward.</summary>
[Network(Input = [8], Seed = 22)]
[Dense(12), Tanh, Dropout(0.5f)]
[Dense(3)]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.1f)]
public partial class DropoutDenseNet;

/// <summary>3x7x9: 1x1 convolutions at stride 1 read their input as the column matrix (no im2col, no col2im).</summary>
[Network(Input = [3, 7, 9], Seed = 17)]
[Conv2D(4, 3, Padding = 1), ReLU]
[Conv2D(5, 1), Tanh]
[Conv2D(2, 1)]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.01f)]
public partial class ConvPointwiseNet;

/// <summary>Only a Flatten: the output is a view of the network input itself.</summary>
[Network(Input = [2, 2, 3])]
[Flatten]
public partial class FlattenOnlyNet;

/// <summary>2x10x10: pools whose windows (25 and 36 elements) are looped rather than unrolled.</summary>
[Network(Input = [2, 10, 10], Seed = 18)]
[Conv2D(3, 3, Padding = 1), ReLU]
[MaxPool2D(5, Stride = 1), AvgPool2D(6)]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.01f)]
public partial class ConvLargeWindowNet;

/// <summary>
/// 2x2 max pooling on 2x6x40 (rows of 40: whole vectors plus a tail on every SIMD tier) after a 1x1 convolution with Tanh:
/// the pool's backward applies Tanh's derivative, and the convolution's weight gradient shows which input of each window won.
/// </summary>
[Network(Input = [2, 6, 40], Seed = 18)]
[Conv2D(2, 1), Tanh, MaxPool2D(2)]
[Flatten, Dense(3)]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.01f)]
public partial class PoolTiesConvNet;

/// <summary><see cref="ConvPoolNet"/> without loss or optimizer: no backward reads its columns, so every sample reuses one block of them.</summary>
[Network(Input = [2, 28, 28], Seed = 13)]
[Conv2D(3, 5), ReLU, MaxPool2D(2)]
[Conv2D(4, 3, Padding = 1, Bias = false), AvgPool2D(2)]
[Flatten, Dense(5)]
public partial class ConvPoolInferenceNet;
