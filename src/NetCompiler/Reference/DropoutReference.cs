using System.Numerics;

namespace NetCompiler.Reference;

/// <summary>
/// Inverted dropout with a given mask: each mask element is 0 (dropped) or <c>1 / (1 - p)</c> (kept and rescaled, so the
/// expected output equals the input and inference needs no rescaling). Drawing the mask is the caller's business, which
/// keeps this op deterministic.
/// </summary>
public static class DropoutReference
{
    /// <summary>Computes <c>output = input · mask</c> elementwise.</summary>
    /// <param name="input">Input, any shape.</param>
    /// <param name="mask">Mask, same length, each element 0 or <c>1 / (1 - p)</c>.</param>
    /// <param name="output">Receives the output, same length.</param>
    public static void Forward<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> mask, Span<T> output)
        where T : IFloatingPointIeee754<T>
    {
        Guard.Length(mask.Length, input.Length, nameof(mask));
        Guard.Length(output.Length, input.Length, nameof(output));
        for (int i = 0; i < input.Length; i++)
            output[i] = input[i] * mask[i];
    }

    /// <summary>Computes <c>dInput = dOutput · mask</c> elementwise, overwriting <paramref name="dInput"/>.</summary>
    /// <param name="dOutput">Gradient of the output.</param>
    /// <param name="mask">The mask the forward pass used, same length.</param>
    /// <param name="dInput">Receives the gradient of the input, same length.</param>
    public static void Backward<T>(ReadOnlySpan<T> dOutput, ReadOnlySpan<T> mask, Span<T> dInput)
        where T : IFloatingPointIeee754<T>
    {
        Guard.Length(mask.Length, dOutput.Length, nameof(mask));
        Guard.Length(dInput.Length, dOutput.Length, nameof(dInput));
        for (int i = 0; i < dOutput.Length; i++)
            dInput[i] = dOutput[i] * mask[i];
    }
}
