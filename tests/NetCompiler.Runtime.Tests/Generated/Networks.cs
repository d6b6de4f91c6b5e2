using NetCompiler.Reference;
using Xunit;

namespace NetCompiler.Runtime.Tests.Generated;

// Feature sizes mix widths below one vector (1, 3, 7), odd widths that leave a tail on every tier (17, 33, 257) and
// exact multiples of every tier (64, 128). Each activation, loss and optimizer variant appears at least once.

[Network(Input = [17])]
[Dense(33), ReLU]
[Dense(7), Tanh]
[Dense(3)]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.05f)]
internal partial class MseMixedNet;

[Network(Input = [257])]
[Dense(64), Sigmoid]
[Dense(1), Sigmoid]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.1f, Momentum = 0.9f)]
internal partial class MseSigmoidNet;

[Network(Input = [33])]
[Dense(128), Tanh]
[Dense(7), Sigmoid]
[Loss(LossKind.BinaryCrossEntropy), Sgd(LearningRate = 0.05f, Momentum = 0.8f, Nesterov = true)]
internal partial class BceNesterovNet;

[Network(Input = [64])]
[Dense(257), ReLU]
[Dense(17)]
[Loss(LossKind.SoftmaxCrossEntropy), Adam(LearningRate = 0.01f)]
internal partial class SceAdamNet;

[Network(Input = [7])]
[Dense(128, Bias = false), Tanh]
[Dense(33)]
[Loss(LossKind.SoftmaxCrossEntropy), Adam(LearningRate = 0.003f, Beta1 = 0.8f, Beta2 = 0.99f, Epsilon = 1e-6f, WeightDecay = 0.01f)]
internal partial class SceAdamDecayNet;

[Network(Input = [257])]
[Dense(1)]
[Loss(LossKind.Perceptron), Sgd(LearningRate = 0.1f, WeightDecay = 0.001f)]
internal partial class PerceptronDecayNet;

[Network(Input = [3])]
[Dense(17), Sigmoid]
[Dense(7), Identity]
[Loss(LossKind.Perceptron), Adagrad(LearningRate = 0.1f)]
internal partial class PerceptronAdagradNet;

[Network(Input = [128])]
[Dense(17), ReLU]
[Dense(7), Softmax]
[Loss(LossKind.MeanSquaredError), Adagrad(LearningRate = 0.05f, Epsilon = 1e-8f, WeightDecay = 0.001f)]
internal partial class SoftmaxMseNet;

[Network(Input = [1])]
[Dense(64), Tanh]
[Dense(3), ReLU]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.01f, Momentum = 0.5f, Nesterov = true, WeightDecay = 0.01f)]
internal partial class ReluOutputNet;

[Network(Input = [128])]
[Dense(257, Name = "hidden"), Sigmoid]
[Dense(64, Name = "out"), Sigmoid]
[Loss(LossKind.BinaryCrossEntropy), Adam(LearningRate = 0.001f, WeightDecay = 0.001f)]
internal partial class NamedBceAdamNet;

[Network(Input = [33], Seed = 7)]
[Dense(257), ReLU]
[Dense(17), Softmax]
internal partial class SoftmaxInferenceNet;

// Large enough for packed weight panels (In · Out >= 16384, Out a multiple of 32): the trainable one runs them at
// batch 64 (PackedMinBatch) and repacks after each update; the inference one packs once and runs them at every batch.
[Network(Input = [257])]
[Dense(96), ReLU]
[Dense(5)]
[Loss(LossKind.SoftmaxCrossEntropy), Sgd(LearningRate = 0.05f, Momentum = 0.9f)]
internal partial class PackedReluNet;

[Network(Input = [300], Seed = 3)]
[Dense(64, Bias = false)]
[Dense(7), Softmax]
internal partial class PackedInferenceNet;

// 160 outputs: 5 panel groups of Vector512 (10 of Vector256), so a single sample walks 4 groups at once and then the rest.
[Network(Input = [200], Seed = 4)]
[Dense(160), ReLU]
[Dense(4)]
internal partial class PackedWideNet;

// Small enough for the fused train step (at most 256 parameters and 32 features per layer): TrainStep is straight-line
// code per tier. Widths cross every tier's lane count: 17 features are 2 Vector512 (one lane used in the second),
// 3 Vector256 or 5 Vector128; 16 -> 1 and 32 -> 2 keep their weights as rows, 17 -> 5 and 6 -> 6 as columns and rows.

[Network(Input = [2])]
[Dense(8), Tanh]
[Dense(1), Sigmoid]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.5f, Momentum = 0.9f)]
internal partial class FusedXorNet;

[Network(Input = [3])]
[Dense(17), ReLU]
[Dense(5)]
[Loss(LossKind.SoftmaxCrossEntropy), Adam(LearningRate = 0.01f)]
internal partial class FusedSoftmaxNet;

[Network(Input = [5])]
[Dense(6), Sigmoid]
[Dense(6, Bias = false), Tanh]
[Dense(3), Sigmoid]
[Loss(LossKind.BinaryCrossEntropy), Adagrad(LearningRate = 0.1f, WeightDecay = 0.001f)]
internal partial class FusedBceNet;

[Network(Input = [9])]
[Dense(16), Tanh]
[Dense(1)]
[Loss(LossKind.Perceptron), Sgd(LearningRate = 0.1f, Momentum = 0.5f, Nesterov = true, WeightDecay = 0.01f)]
internal partial class FusedPerceptronNet;

[Network(Input = [4])]
[Dense(32), ReLU]
[Dense(2)]
[Loss(LossKind.MeanSquaredError), Adam(LearningRate = 0.01f, WeightDecay = 0.01f)]
internal partial class FusedRowsNet;

/// <summary>A declared network with its reference description; the two are kept side by side so a mismatch is easy to spot.</summary>
internal sealed record NetworkCase(string Name, Func<int, INetwork> Create, ReferenceNetwork Model, OptimizerDef? Optimizer);

internal static class NetworkCases
{
    private static DenseDef Dense(int units, bool bias = true, string? name = null) => new(units, bias, name);

    private static ActivationDef Act(ActivationKind kind) => new(kind);

    public static readonly NetworkCase[] All =
    [
        new("MseMixed", c => new MseMixedNet(c),
            new(17, LossKind.MeanSquaredError, Dense(33), Act(ActivationKind.ReLU), Dense(7), Act(ActivationKind.Tanh), Dense(3)),
            new(OptimizerKind.Sgd, 0.05f)),
        new("MseSigmoid", c => new MseSigmoidNet(c),
            new(257, LossKind.MeanSquaredError, Dense(64), Act(ActivationKind.Sigmoid), Dense(1), Act(ActivationKind.Sigmoid)),
            new(OptimizerKind.Sgd, 0.1f, Momentum: 0.9f)),
        new("BceNesterov", c => new BceNesterovNet(c),
            new(33, LossKind.BinaryCrossEntropy, Dense(128), Act(ActivationKind.Tanh), Dense(7), Act(ActivationKind.Sigmoid)),
            new(OptimizerKind.Sgd, 0.05f, Momentum: 0.8f, Nesterov: true)),
        new("SceAdam", c => new SceAdamNet(c),
            new(64, LossKind.SoftmaxCrossEntropy, Dense(257), Act(ActivationKind.ReLU), Dense(17)),
            new(OptimizerKind.Adam, 0.01f)),
        new("SceAdamDecay", c => new SceAdamDecayNet(c),
            new(7, LossKind.SoftmaxCrossEntropy, Dense(128, bias: false), Act(ActivationKind.Tanh), Dense(33)),
            new(OptimizerKind.Adam, 0.003f, Beta1: 0.8f, Beta2: 0.99f, Epsilon: 1e-6f, WeightDecay: 0.01f)),
        new("PerceptronDecay", c => new PerceptronDecayNet(c),
            new(257, LossKind.Perceptron, Dense(1)),
            new(OptimizerKind.Sgd, 0.1f, WeightDecay: 0.001f)),
        new("PerceptronAdagrad", c => new PerceptronAdagradNet(c),
            new(3, LossKind.Perceptron, Dense(17), Act(ActivationKind.Sigmoid), Dense(7), Act(ActivationKind.Identity)),
            new(OptimizerKind.Adagrad, 0.1f)),
        new("SoftmaxMse", c => new SoftmaxMseNet(c),
            new(128, LossKind.MeanSquaredError, Dense(17), Act(ActivationKind.ReLU), Dense(7), new SoftmaxDef()),
            new(OptimizerKind.Adagrad, 0.05f, Epsilon: 1e-8f, WeightDecay: 0.001f)),
        new("ReluOutput", c => new ReluOutputNet(c),
            new(1, LossKind.MeanSquaredError, Dense(64), Act(ActivationKind.Tanh), Dense(3), Act(ActivationKind.ReLU)),
            new(OptimizerKind.Sgd, 0.01f, Momentum: 0.5f, Nesterov: true, WeightDecay: 0.01f)),
        new("NamedBceAdam", c => new NamedBceAdamNet(c),
            new(128, LossKind.BinaryCrossEntropy, Dense(257, name: "hidden"), Act(ActivationKind.Sigmoid), Dense(64, name: "out"), Act(ActivationKind.Sigmoid)),
            new(OptimizerKind.Adam, 0.001f, WeightDecay: 0.001f)),
        new("SoftmaxInference", c => new SoftmaxInferenceNet(c),
            new(33, null, Dense(257), Act(ActivationKind.ReLU), Dense(17), new SoftmaxDef()),
            null),
        new("PackedRelu", c => new PackedReluNet(c),
            new(257, LossKind.SoftmaxCrossEntropy, Dense(96), Act(ActivationKind.ReLU), Dense(5)),
            new(OptimizerKind.Sgd, 0.05f, Momentum: 0.9f)),
        new("PackedInference", c => new PackedInferenceNet(c),
            new(300, null, Dense(64, bias: false), Dense(7), new SoftmaxDef()),
            null),
        new("PackedWide", c => new PackedWideNet(c),
            new(200, null, Dense(160), Act(ActivationKind.ReLU), Dense(4)),
            null),
        new("FusedXor", c => new FusedXorNet(c),
            new(2, LossKind.MeanSquaredError, Dense(8), Act(ActivationKind.Tanh), Dense(1), Act(ActivationKind.Sigmoid)),
            new(OptimizerKind.Sgd, 0.5f, Momentum: 0.9f)),
        new("FusedSoftmax", c => new FusedSoftmaxNet(c),
            new(3, LossKind.SoftmaxCrossEntropy, Dense(17), Act(ActivationKind.ReLU), Dense(5)),
            new(OptimizerKind.Adam, 0.01f)),
        new("FusedBce", c => new FusedBceNet(c),
            new(5, LossKind.BinaryCrossEntropy, Dense(6), Act(ActivationKind.Sigmoid), Dense(6, bias: false), Act(ActivationKind.Tanh), Dense(3), Act(ActivationKind.Sigmoid)),
            new(OptimizerKind.Adagrad, 0.1f, WeightDecay: 0.001f)),
        new("FusedPerceptron", c => new FusedPerceptronNet(c),
            new(9, LossKind.Perceptron, Dense(16), Act(ActivationKind.Tanh), Dense(1)),
            new(OptimizerKind.Sgd, 0.1f, Momentum: 0.5f, Nesterov: true, WeightDecay: 0.01f)),
        new("FusedRows", c => new FusedRowsNet(c),
            new(4, LossKind.MeanSquaredError, Dense(32), Act(ActivationKind.ReLU), Dense(2)),
            new(OptimizerKind.Adam, 0.01f, WeightDecay: 0.01f)),
    ];

    /// <summary>The cases whose TrainStep is the fused, straight-line step.</summary>
    public static readonly string[] Fused = ["FusedXor", "FusedSoftmax", "FusedBce", "FusedPerceptron", "FusedRows", "PerceptronAdagrad"];

    public static NetworkCase Get(string name) =>
        Array.Find(All, c => c.Name == name) ?? throw new ArgumentException($"No network case named '{name}'.", nameof(name));

    public static readonly int[] Batches = [1, 2, 3, 5, 64];

    public static TheoryData<string> Names(bool trainableOnly = false)
    {
        var data = new TheoryData<string>();
        foreach (var c in All)
            if (!trainableOnly || c.Optimizer is not null) data.Add(c.Name);
        return data;
    }

    public static TheoryData<string, int> NamesAndBatches(bool trainableOnly) =>
        NamesAndBatches(All.Where(c => !trainableOnly || c.Optimizer is not null).Select(c => c.Name));

    /// <summary>Each of <paramref name="names"/> at each of <see cref="Batches"/>.</summary>
    public static TheoryData<string, int> NamesAndBatches(IEnumerable<string> names)
    {
        var data = new TheoryData<string, int>();
        foreach (string name in names)
            foreach (int batch in Batches) data.Add(name, batch);
        return data;
    }
}
