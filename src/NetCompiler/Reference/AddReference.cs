using System.Numerics;

namespace NetCompiler.Reference;

/// <summary>
/// Elementwise sum of two tensors of one shape (a residual connection). There is no backward method because the gradient
/// is the identity: both <c>dA</c> and <c>dB</c> equal <c>dOutput</c>. Where a tensor feeds several consumers, its gradient
/// is the sum of what each consumer passes back.
/// </summary>
public static class AddReference
{
    /// <summary>Computes <c>output = a + b</c> elementwise.</summary>
    /// <param name="a">First operand, any shape.</param>
    /// <param name="b">Second operand, same length.</param>
    /// <param name="output">Receives the sum, same length; may be the same memory as an operand.</param>
    public static void Forward<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> output)
        where T : IFloatingPointIeee754<T>
    {
        Guard.Length(b.Length, a.Length, nameof(b));
        Guard.Length(output.Length, a.Length, nameof(output));
        for (int i = 0; i < a.Length; i++)
            output[i] = a[i] + b[i];
    }
}
