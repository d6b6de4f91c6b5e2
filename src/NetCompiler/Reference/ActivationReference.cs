using System.Numerics;

namespace NetCompiler.Reference;

/// <summary>Elementwise activation functions.</summary>
public enum ActivationKind
{
    /// <summary><c>y = x</c>.</summary>
    Identity,

    /// <summary><c>y = max(0, x)</c>.</summary>
    ReLU,

    /// <summary><c>y = 1 / (1 + e⁻ˣ)</c>.</summary>
    Sigmoid,

    /// <summary><c>y = tanh(x)</c>.</summary>
    Tanh,
}

/// <summary>Elementwise activations and their derivatives, as PyTorch computes them.</summary>
public static class ActivationReference
{
    /// <summary>Applies the activation to one value.</summary>
    /// <param name="kind">The activation.</param>
    /// <param name="x">The input value.</param>
    /// <returns>The activated value; NaN stays NaN.</returns>
    public static T Apply<T>(ActivationKind kind, T x)
        where T : IFloatingPointIeee754<T> => kind switch
        {
            ActivationKind.Identity => x,
            // T.Max propagates NaN, as torch.relu does.
            ActivationKind.ReLU => T.Max(x, T.Zero),
            // exp(-x) overflows to +inf for very negative x, which correctly gives 0.
            ActivationKind.Sigmoid => T.One / (T.One + T.Exp(-x)),
            ActivationKind.Tanh => T.Tanh(x),
            _ => throw UnknownKind(kind),
        };

    /// <summary>
    /// The derivative <c>dy/dx</c> of one value. Sigmoid and tanh use the forward output (<c>y(1 - y)</c>, <c>1 - y²</c>),
    /// ReLU uses the input (<c>1</c> where <c>x &gt; 0</c>, else <c>0</c>, also at the kink <c>x = 0</c>, as PyTorch).
    /// </summary>
    /// <param name="kind">The activation.</param>
    /// <param name="input">The forward input <c>x</c> (read by ReLU).</param>
    /// <param name="output">The forward output <c>y</c> (read by sigmoid and tanh).</param>
    /// <returns>The derivative at this point.</returns>
    public static T Derivative<T>(ActivationKind kind, T input, T output)
        where T : IFloatingPointIeee754<T> => kind switch
        {
            ActivationKind.Identity => T.One,
            ActivationKind.ReLU => input > T.Zero ? T.One : T.Zero,
            ActivationKind.Sigmoid => output * (T.One - output),
            ActivationKind.Tanh => T.One - output * output,
            _ => throw UnknownKind(kind),
        };

    /// <summary>Applies the activation elementwise.</summary>
    /// <param name="kind">The activation.</param>
    /// <param name="input">Input, any shape.</param>
    /// <param name="output">Receives the output, same length as <paramref name="input"/>; may be the same memory.</param>
    public static void Forward<T>(ActivationKind kind, ReadOnlySpan<T> input, Span<T> output)
        where T : IFloatingPointIeee754<T>
    {
        CheckKind(kind);
        Guard.Length(output.Length, input.Length, nameof(output));
        for (int i = 0; i < input.Length; i++)
            output[i] = Apply(kind, input[i]);
    }

    /// <summary>
    /// Computes <c>dInput = dOutput · f'(x)</c>, overwriting <paramref name="dInput"/>.
    /// ReLU reads only <paramref name="input"/> and sigmoid and tanh only <paramref name="output"/>; the span an activation does not read may be empty.
    /// </summary>
    /// <param name="kind">The activation.</param>
    /// <param name="input">Forward input (ReLU), or empty.</param>
    /// <param name="output">Forward output (sigmoid, tanh), or empty.</param>
    /// <param name="dOutput">Gradient of the output.</param>
    /// <param name="dInput">Receives the gradient of the input, same length as <paramref name="dOutput"/>.</param>
    public static void Backward<T>(ActivationKind kind, ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> dOutput, Span<T> dInput)
        where T : IFloatingPointIeee754<T>
    {
        CheckKind(kind);
        int n = dOutput.Length;
        Guard.Length(dInput.Length, n, nameof(dInput));
        switch (kind)
        {
            case ActivationKind.Identity:
                dOutput.CopyTo(dInput);
                break;
            case ActivationKind.ReLU:
                Guard.Length(input.Length, n, nameof(input));
                // A select rather than a product, so an infinite dOutput where x <= 0 gives 0 and not NaN (threshold_backward).
                for (int i = 0; i < n; i++)
                    dInput[i] = input[i] > T.Zero ? dOutput[i] : T.Zero;
                break;
            default:
                Guard.Length(output.Length, n, nameof(output));
                for (int i = 0; i < n; i++)
                    dInput[i] = dOutput[i] * Derivative(kind, T.Zero, output[i]);
                break;
        }
    }

    private static void CheckKind(ActivationKind kind)
    {
        if ((uint)kind > (uint)ActivationKind.Tanh)
            throw UnknownKind(kind);
    }

    private static ArgumentOutOfRangeException UnknownKind(ActivationKind kind) =>
        new(nameof(kind), kind, $"Unknown activation kind {(int)kind}; expected Identity, ReLU, Sigmoid or Tanh.");
}
