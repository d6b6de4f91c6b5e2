namespace NetCompiler;

/// <summary>The loss a network is trained on.</summary>
public enum LossKind
{
    /// <summary>Mean over all outputs of <c>(y - t)²</c> (PyTorch <c>MSELoss</c>). Targets are floats.</summary>
    MeanSquaredError,

    /// <summary>Mean binary cross-entropy of a sigmoid output (PyTorch <c>BCELoss</c>), computed from the logits for a stable gradient. Targets in [0, 1].</summary>
    BinaryCrossEntropy,

    /// <summary>Softmax followed by cross-entropy, fused (PyTorch <c>CrossEntropyLoss</c> on logits). Targets are class labels.</summary>
    SoftmaxCrossEntropy,

    /// <summary>
    /// Rosenblatt's perceptron criterion <c>max(0, -y·z)</c> with <c>y = 2t - 1</c> for targets <c>t ∈ {0, 1}</c>:
    /// its gradient step is the perceptron learning rule. Needs an output without activation.
    /// </summary>
    Perceptron,
}

/// <summary>Declares the training loss.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class LossAttribute(LossKind kind) : Attribute
{
    /// <summary>The loss.</summary>
    public LossKind Kind { get; } = kind;
}

/// <summary>Base of the optimizer attributes. A network has at most one.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public abstract class OptimizerAttribute : Attribute
{
    /// <summary>Step size; the initial value of the network's run-time <c>LearningRate</c>.</summary>
    public float LearningRate { get; set; } = 0.01f;

    /// <summary>L2 penalty added to the gradient (<c>g += WeightDecay · w</c>), as PyTorch's <c>weight_decay</c>.</summary>
    public float WeightDecay { get; set; }
}

/// <summary>Stochastic gradient descent, optionally with momentum (PyTorch <c>torch.optim.SGD</c> semantics).</summary>
public sealed class SgdAttribute : OptimizerAttribute
{
    /// <summary>Momentum factor; 0 disables the velocity buffer.</summary>
    public float Momentum { get; set; }

    /// <summary>Nesterov momentum (needs <see cref="Momentum"/> &gt; 0).</summary>
    public bool Nesterov { get; set; }
}

/// <summary>Adagrad (PyTorch <c>torch.optim.Adagrad</c>): per-parameter rates from the sum of squared gradients.</summary>
public sealed class AdagradAttribute : OptimizerAttribute
{
    /// <summary>Added to the denominator for stability.</summary>
    public float Epsilon { get; set; } = 1e-10f;
}

/// <summary>Adam (PyTorch <c>torch.optim.Adam</c>), bias-corrected.</summary>
public sealed class AdamAttribute : OptimizerAttribute
{
    /// <summary>Creates Adam with PyTorch's defaults (learning rate 1e-3).</summary>
    public AdamAttribute() => LearningRate = 1e-3f;

    /// <summary>Decay of the first moment.</summary>
    public float Beta1 { get; set; } = 0.9f;

    /// <summary>Decay of the second moment.</summary>
    public float Beta2 { get; set; } = 0.999f;

    /// <summary>Added to the denominator for stability.</summary>
    public float Epsilon { get; set; } = 1e-8f;
}
