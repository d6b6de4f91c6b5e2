namespace NetCompiler;

/// <summary>Thrown when a training step produces a NaN or infinite loss; names the step and the first layer whose output went non-finite.</summary>
public sealed class NonFiniteLossException : ArithmeticException
{
    /// <summary>Creates the exception.</summary>
    public NonFiniteLossException(long step, float loss, string? firstNonFiniteLayer)
        : base($"The loss is {loss} at step {step}; " + (firstNonFiniteLayer is null
            ? "every layer output is finite, so the loss itself overflowed (check the targets and the learning rate)."
            : $"the first layer whose output is not finite is '{firstNonFiniteLayer}' (lower the learning rate, or check the input for NaN)."))
    {
        Step = step;
        Loss = loss;
        FirstNonFiniteLayer = firstNonFiniteLayer;
    }

    /// <summary>The optimizer step at which the loss went non-finite.</summary>
    public long Step { get; }

    /// <summary>The loss value.</summary>
    public float Loss { get; }

    /// <summary>The first layer (in forward order) with a non-finite output, if any.</summary>
    public string? FirstNonFiniteLayer { get; }
}
