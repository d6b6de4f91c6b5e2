namespace NetCompiler;

/// <summary>
/// Marks a <c>partial</c> class as a network. The layers are the attributes that follow, top to bottom;
/// the source generator compiles them into forward, backward and training code at build time.
/// </summary>
/// <example>
/// <code>
/// [Network(Input = [2])]
/// [Dense(8), Tanh]
/// [Dense(1), Sigmoid]
/// [Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.5f)]
/// public partial class XorNet;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>Declares a network; set <see cref="Input"/> to the per-sample input shape.</summary>
    public NetworkAttribute() { }

    /// <summary>Declares a network with the given per-sample input shape, e.g. <c>[Network(1, 28, 28)]</c>.</summary>
    public NetworkAttribute(params int[] input) => Input = input;

    /// <summary>The shape of one input sample, without the batch dimension: <c>[784]</c> or <c>[1, 28, 28]</c>.</summary>
    public int[] Input { get; set; } = [];

    /// <summary>Seed of the default weight initialization (He for ReLU layers, Xavier otherwise).</summary>
    public int Seed { get; set; } = 42;
}
