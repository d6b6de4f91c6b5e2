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

/// <summary>
/// A 2-D convolution over a <c>[channels, height, width]</c> input (PyTorch's <c>nn.Conv2d</c>, cross-correlation) with a
/// square kernel: weight <c>[outChannels, inChannels, kernel, kernel]</c>, bias <c>[outChannels]</c>, output
/// <c>[outChannels, (height + 2·Padding - kernel) / Stride + 1, (width + 2·Padding - kernel) / Stride + 1]</c>.
/// The windows must tile the padded input exactly; otherwise the network does not compile (NC1008).
/// </summary>
public sealed class Conv2DAttribute(int outChannels, int kernel) : LayerAttribute
{
    /// <summary>Number of output channels (filters).</summary>
    public int OutChannels { get; } = outChannels;

    /// <summary>Height and width of the kernel.</summary>
    public int Kernel { get; } = kernel;

    /// <summary>Step between windows along both axes; default 1.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Zeros added on every side of the input; default 0.</summary>
    public int Padding { get; set; }

    /// <summary>Whether the layer has a bias; default <see langword="true"/>.</summary>
    public bool Bias { get; set; } = true;
}

/// <summary>
/// Max pooling over square windows of a <c>[channels, height, width]</c> input (PyTorch's <c>nn.MaxPool2d</c>, no padding):
/// each output is the maximum of its window. The windows must tile the input exactly.
/// </summary>
public sealed class MaxPool2DAttribute(int kernel) : LayerAttribute
{
    /// <summary>Height and width of the window.</summary>
    public int Kernel { get; } = kernel;

    /// <summary>Step between windows along both axes; defaults to <see cref="Kernel"/> (non-overlapping windows).</summary>
    public int Stride { get; set; } = kernel;
}

/// <summary>
/// Average pooling over square windows of a <c>[channels, height, width]</c> input (PyTorch's <c>nn.AvgPool2d</c>, no padding):
/// each output is the mean of its <c>kernel²</c> elements. The windows must tile the input exactly.
/// </summary>
public sealed class AvgPool2DAttribute(int kernel) : LayerAttribute
{
    /// <summary>Height and width of the window.</summary>
    public int Kernel { get; } = kernel;

    /// <summary>Step between windows along both axes; defaults to <see cref="Kernel"/> (non-overlapping windows).</summary>
    public int Stride { get; set; } = kernel;
}

/// <summary>
/// Reshapes <c>[channels, height, width]</c> to <c>[channels·height·width]</c> in row-major order, as PyTorch's
/// <c>nn.Flatten</c>; required before a Dense layer that follows a convolution or pool. It costs nothing: the output is a
/// view of the same memory. On a tensor that is already flat it does nothing.
/// </summary>
public sealed class FlattenAttribute : LayerAttribute;

/// <summary>
/// Inverted dropout (PyTorch's <c>nn.Dropout</c>): while <see cref="INetwork.Mode"/> is <see cref="NetworkMode.Training"/>
/// each element is zeroed with probability <see cref="Rate"/> and the others are scaled by <c>1 / (1 - rate)</c>; in
/// <see cref="NetworkMode.Inference"/> it is the identity. Masks are deterministic given the seed and the optimizer step.
/// </summary>
public sealed class DropoutAttribute(float rate) : LayerAttribute
{
    /// <summary>Probability of zeroing an element, in [0, 1).</summary>
    public float Rate { get; } = rate;
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
