using NetCompiler.Compiler.Model;

namespace NetCompiler.Compiler.Tests;

/// <summary>Builds <see cref="NetworkSpec"/> records directly, as the parser would.</summary>
internal static class Specs
{
    public static LayerSpec Dense(int units, string? name = null, bool bias = true) => new(LayerKind.Dense, name, Units: units, Bias: bias);

    public static LayerSpec Act(ActivationKind kind, string? name = null) => new(LayerKind.Activation, name, Activation: kind);

    public static NetworkSpec Network(int[] input, LayerSpec[] layers, LossKind? loss = null, OptimizerSpec? optimizer = null, string name = "Net") =>
        new(null, name, "Public", EquatableArray<string>.Empty, new EquatableArray<int>(input), new EquatableArray<LayerSpec>(layers), loss, optimizer, 42);

    public static OptimizerSpec Sgd(float learningRate = 0.1f, float momentum = 0f) => new(OptimizerKind.Sgd, learningRate, Momentum: momentum);

    /// <summary>4 -> 8 ReLU -> 3 Sigmoid, mean squared error, SGD: the golden-dump network.</summary>
    public static NetworkSpec SmallMlp() =>
        Network([4], [Dense(8), Act(ActivationKind.ReLU), Dense(3), Act(ActivationKind.Sigmoid)], LossKind.MeanSquaredError, Sgd());

    public static NetworkSpec Classifier() =>
        Network([6], [Dense(5, "fc1"), Act(ActivationKind.Tanh), Dense(4, "head")], LossKind.SoftmaxCrossEntropy, new OptimizerSpec(OptimizerKind.Adam, 1e-3f));

    public static NetworkSpec DeepMlp(int hiddenLayers, int width = 64)
    {
        var layers = new List<LayerSpec>();
        for (int i = 0; i < hiddenLayers; i++)
        {
            layers.Add(Dense(width));
            layers.Add(Act(i % 2 == 0 ? ActivationKind.ReLU : ActivationKind.Tanh));
        }
        layers.Add(Dense(10));
        return Network([32], layers.ToArray(), LossKind.SoftmaxCrossEntropy, Sgd(momentum: 0.9f));
    }
}
