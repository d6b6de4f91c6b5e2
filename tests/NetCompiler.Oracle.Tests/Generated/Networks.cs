namespace NetCompiler.Oracle.Tests.Generated;

// Networks compiled by the NetCompiler generator and compared against LibTorch. Odd widths (13-17-9-5) and odd image
// sizes keep every SIMD tier's remainder loop in play; optimizer settings are constants so the LibTorch side uses the same values.

/// <summary>Hyperparameters shared by the generated networks and their LibTorch twins.</summary>
internal static class Hyper
{
    public const int Capacity = 32;

    public const float SgdLearningRate = 0.05f;
    public const float Momentum = 0.9f;
    public const float WeightDecay = 0.01f;
    public const float AdamLearningRate = 0.01f;
    public const float AdagradLearningRate = 0.1f;
    public const float PerceptronLearningRate = 0.1f;
    public const float Beta1 = 0.8f;
    public const float Beta2 = 0.99f;
}

/// <summary>13-17-9-5, ReLU then Tanh, softmax cross-entropy on logits, SGD with momentum.</summary>
[Network(Input = [13], Seed = 11)]
[Dense(17), ReLU]
[Dense(9), Tanh]
[Dense(5)]
[Loss(LossKind.SoftmaxCrossEntropy), Sgd(LearningRate = Hyper.SgdLearningRate, Momentum = Hyper.Momentum)]
public partial class CrossEntropyMomentumMlp;

/// <summary>As <see cref="CrossEntropyMomentumMlp"/>, with Nesterov momentum and weight decay, and named layers.</summary>
[Network(Input = [13], Seed = 12)]
[Dense(17, Name = "fc1"), Tanh]
[Dense(9, Name = "fc2"), ReLU]
[Dense(5, Name = "head")]
[Loss(LossKind.SoftmaxCrossEntropy), Sgd(LearningRate = Hyper.SgdLearningRate, Momentum = Hyper.Momentum, Nesterov = true, WeightDecay = Hyper.WeightDecay)]
public partial class CrossEntropyNesterovMlp;

/// <summary>13-17-9-5 regression with mean squared error and Adam.</summary>
[Network(Input = [13], Seed = 13)]
[Dense(17), Tanh]
[Dense(9), ReLU]
[Dense(5)]
[Loss(LossKind.MeanSquaredError), Adam(LearningRate = Hyper.AdamLearningRate)]
public partial class MseAdamMlp;

/// <summary>13-17-9-5 multi-label classifier: sigmoid outputs, binary cross-entropy, Adagrad; the middle layer has no bias.</summary>
[Network(Input = [13], Seed = 14)]
[Dense(17), ReLU]
[Dense(9, Bias = false), Tanh]
[Dense(5), Sigmoid]
[Loss(LossKind.BinaryCrossEntropy), Adagrad(LearningRate = Hyper.AdagradLearningRate, WeightDecay = Hyper.WeightDecay)]
public partial class BceAdagradMlp;

/// <summary>13-17-5 with raw scores trained by the perceptron criterion and plain SGD.</summary>
[Network(Input = [13], Seed = 15)]
[Dense(17), Tanh]
[Dense(5)]
[Loss(LossKind.Perceptron), Sgd(LearningRate = Hyper.PerceptronLearningRate)]
public partial class PerceptronMlp;

/// <summary>13-17-9-5 with an explicit Identity layer (it takes a PyTorch index), sigmoid, softmax outputs, MSE, Adam with weight decay.</summary>
[Network(Input = [13], Seed = 16)]
[Dense(17), Identity]
[Dense(9), Sigmoid]
[Dense(5), Softmax]
[Loss(LossKind.MeanSquaredError), Adam(LearningRate = Hyper.AdamLearningRate, Beta1 = Hyper.Beta1, Beta2 = Hyper.Beta2, WeightDecay = Hyper.WeightDecay)]
public partial class SoftmaxMseAdamMlp;

/// <summary>XOR's 2-8-1 (tanh, sigmoid, MSE, SGD with momentum): small enough for the fused, straight-line train step.</summary>
[Network(Input = [2], Seed = 19)]
[Dense(8), Tanh]
[Dense(1), Sigmoid]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = Hyper.SgdLearningRate, Momentum = Hyper.Momentum)]
public partial class FusedXorMlp;

/// <summary>3-17-5 softmax cross-entropy with Adam, fused: 17 features span two Vector512, three Vector256 or five Vector128.</summary>
[Network(Input = [3], Seed = 20)]
[Dense(17), ReLU]
[Dense(5)]
[Loss(LossKind.SoftmaxCrossEntropy), Adam(LearningRate = Hyper.AdamLearningRate, Beta1 = Hyper.Beta1, Beta2 = Hyper.Beta2)]
public partial class FusedSoftmaxMlp;

/// <summary>5-6-6-3 binary cross-entropy with Adagrad and weight decay, fused; the middle layer has no bias.</summary>
[Network(Input = [5], Seed = 21)]
[Dense(6), Sigmoid]
[Dense(6, Bias = false), Tanh]
[Dense(3), Sigmoid]
[Loss(LossKind.BinaryCrossEntropy), Adagrad(LearningRate = Hyper.AdagradLearningRate, WeightDecay = Hyper.WeightDecay)]
public partial class FusedBceMlp;

/// <summary>9-16-3 perceptron criterion with Nesterov momentum, fused; the last layer keeps its weights as rows.</summary>
[Network(Input = [9], Seed = 22)]
[Dense(16), Tanh]
[Dense(3)]
[Loss(LossKind.Perceptron), Sgd(LearningRate = Hyper.PerceptronLearningRate, Momentum = Hyper.Momentum, Nesterov = true, WeightDecay = Hyper.WeightDecay)]
public partial class FusedPerceptronMlp;

/// <summary>
/// A small LeNet on 1x14x14: 4@12x12 (valid 3x3), ReLU, 4@6x6 (max pool), 6@6x6 (padded 3x3), Tanh, 6@3x3 (max pool),
/// 54, 10, 5; softmax cross-entropy with SGD momentum.
/// </summary>
[Network(Input = [1, 14, 14], Seed = 17)]
[Conv2D(4, 3), ReLU, MaxPool2D(2)]
[Conv2D(6, 3, Padding = 1), Tanh, MaxPool2D(2)]
[Flatten]
[Dense(10), ReLU]
[Dense(5)]
[Loss(LossKind.SoftmaxCrossEntropy), Sgd(LearningRate = Hyper.SgdLearningRate, Momentum = Hyper.Momentum)]
public partial class SmallLeNet;

/// <summary>
/// 3x11x9: a padded stride-2 3x3 convolution (5@6x5) with sigmoid, an overlapping average pool (5@5x4), a 2x2
/// convolution without bias (7@4x3) with ReLU, an overlapping max pool (7@3x2), 42, 5; MSE with Adam.
/// </summary>
[Network(Input = [3, 11, 9], Seed = 18)]
[Conv2D(5, 3, Stride = 2, Padding = 1), Sigmoid, AvgPool2D(2, Stride = 1)]
[Conv2D(7, 2, Bias = false), ReLU, MaxPool2D(2, Stride = 1)]
[Flatten]
[Dense(5)]
[Loss(LossKind.MeanSquaredError), Adam(LearningRate = Hyper.AdamLearningRate)]
public partial class StridedConvNet;
