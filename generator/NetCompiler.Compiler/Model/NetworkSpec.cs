using System;
using System.Linq;

namespace NetCompiler.Compiler.Model;

// The parser's output: what the user declared, as plain equatable values. No Roslyn types, no locations:
// a layer is identified by its index, and diagnostics map indices back to source locations.

public enum LayerKind { Dense, Activation, Conv2D, MaxPool2D, AvgPool2D, Flatten, Dropout }

public enum ActivationKind { Identity, ReLU, Sigmoid, Tanh, Softmax }

public enum LossKind { MeanSquaredError, BinaryCrossEntropy, SoftmaxCrossEntropy, Perceptron }

public enum OptimizerKind { Sgd, Adagrad, Adam }

/// <summary>
/// One layer attribute. Fields not used by <see cref="Kind"/> keep their defaults. <see cref="Units"/> is the output
/// features of Dense and the output channels of Conv2D; <see cref="Kernel"/>, <see cref="Stride"/> and <see cref="Padding"/>
/// describe the square windows of Conv2D and the pools (the parser resolves a pool's default stride to its kernel);
/// <see cref="Rate"/> is Dropout's drop probability.
/// </summary>
public sealed record LayerSpec(
    LayerKind Kind,
    string? Name,
    int Units = 0,
    bool Bias = true,
    ActivationKind Activation = ActivationKind.Identity,
    int Kernel = 0,
    int Stride = 1,
    int Padding = 0,
    float Rate = 0f);

public sealed record OptimizerSpec(
    OptimizerKind Kind,
    float LearningRate,
    float WeightDecay = 0f,
    float Momentum = 0f,
    bool Nesterov = false,
    float Beta1 = 0.9f,
    float Beta2 = 0.999f,
    float Epsilon = 1e-8f);

/// <summary>A whole network declaration.</summary>
public sealed record NetworkSpec(
    string? Namespace,
    string ClassName,
    string Accessibility,
    EquatableArray<string> ContainingTypes,
    EquatableArray<int> InputShape,
    EquatableArray<LayerSpec> Layers,
    LossKind? Loss,
    OptimizerSpec? Optimizer,
    int Seed)
{
    /// <summary>The fully qualified name, used for hint names and messages.</summary>
    /// <remarks><see cref="ContainingTypes"/> holds declarations (<c>partial class Outer</c>); only the last word is the name.</remarks>
    public string FullName => (Namespace is null ? "" : Namespace + ".") + string.Concat(ContainingTypes.Select(t => t.Substring(t.LastIndexOf(' ') + 1) + ".")) + ClassName;
}
