namespace NetCompiler;

/// <summary>Base of every layer attribute. Layers apply in declaration order.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public abstract class LayerAttribute : Attribute
{
    /// <summary>
    /// The PyTorch-style module name used for this layer's parameters (<c>fc1</c> gives <c>fc1.weight</c>, <c>fc1.bias</c>).
    /// Defaults to the layer's index in the sequence, as in <c>nn.Sequential</c> (<c>0.weight</c>).
    /// </summary>
    public string? Name { get; set; }
}

/// <summary>A fully connected layer <c>y = x Wᵀ + b</c> with weight <c>[units, in]</c> and bias <c>[units]</c> (PyTorch's <c>nn.Linear</c>).</summary>
public sealed class DenseAttribute(int units) : LayerAttribute
{
    /// <summary>Number of output features.</summary>
    public int Units { get; } = units;

    /// <summary>Whether the layer has a bias; default <see langword="true"/>.</summary>
    public bool Bias { get; set; } = true;
}

/// <summary>Base of the elementwise activations; an activation follows a layer.</summary>
public abstract class ActivationAttribute : LayerAttribute;

/// <summary><c>max(0, x)</c>.</summary>
public sealed class ReLUAttribute : ActivationAttribute;

/// <summary><c>1 / (1 + e^-x)</c>.</summary>
public sealed class SigmoidAttribute : ActivationAttribute;

/// <summary>Hyperbolic tangent.</summary>
public sealed class TanhAttribute : ActivationAttribute;

/// <summary>The identity: states explicitly that a layer's output is used as is.</summary>
public sealed class IdentityAttribute : ActivationAttribute;

/// <summary>Softmax over the features of each sample. With <see cref="LossKind.SoftmaxCrossEntropy"/> leave it out: that loss applies softmax itself.</summary>
public sealed class SoftmaxAttribute : ActivationAttribute;
