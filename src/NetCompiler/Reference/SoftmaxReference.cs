using System.Numerics;

namespace NetCompiler.Reference;

/// <summary>Softmax over the last dimension of <c>[batch, features]</c> (PyTorch <c>softmax(dim=-1)</c>).</summary>
public static class SoftmaxReference
{
    /// <summary>
    /// Computes <c>output[b, j] = exp(x[b, j] - m) / Σₖ exp(x[b, k] - m)</c> with <c>m</c> the row maximum,
    /// which keeps every exponent at most 0 so nothing overflows.
    /// </summary>
    /// <param name="batch">Number of rows.</param>
    /// <param name="features">Row length.</param>
    /// <param name="input">Input, <c>[batch, features]</c>.</param>
    /// <param name="output">Receives the probabilities, <c>[batch, features]</c>.</param>
    public static void Forward<T>(int batch, int features, ReadOnlySpan<T> input, Span<T> output)
        where T : IFloatingPointIeee754<T>
    {
        ReferenceGuard.Positive(batch, nameof(batch));
        ReferenceGuard.Positive(features, nameof(features));
        Guard.Length(input.Length, batch * features, nameof(input));
        Guard.Length(output.Length, batch * features, nameof(output));

        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> x = input.Slice(b * features, features); // [features]
            Span<T> y = output.Slice(b * features, features);        // [features]
            T max = RowMax(x);
            T sum = T.Zero;
            for (int j = 0; j < features; j++)
            {
                y[j] = T.Exp(x[j] - max);
                sum += y[j];
            }
            for (int j = 0; j < features; j++)
                y[j] /= sum;
        }
    }

    /// <summary>
    /// Computes <c>dInput[b, j] = y[b, j] · (dOutput[b, j] - Σₖ dOutput[b, k] · y[b, k])</c>, the softmax Jacobian applied to
    /// <paramref name="dOutput"/>, from the forward output. Overwrites <paramref name="dInput"/>.
    /// </summary>
    /// <param name="batch">Number of rows.</param>
    /// <param name="features">Row length.</param>
    /// <param name="output">Forward output, <c>[batch, features]</c>.</param>
    /// <param name="dOutput">Gradient of the output, <c>[batch, features]</c>.</param>
    /// <param name="dInput">Receives the gradient of the input, <c>[batch, features]</c>.</param>
    public static void Backward<T>(int batch, int features, ReadOnlySpan<T> output, ReadOnlySpan<T> dOutput, Span<T> dInput)
        where T : IFloatingPointIeee754<T>
    {
        ReferenceGuard.Positive(batch, nameof(batch));
        ReferenceGuard.Positive(features, nameof(features));
        Guard.Length(output.Length, batch * features, nameof(output));
        Guard.Length(dOutput.Length, batch * features, nameof(dOutput));
        Guard.Length(dInput.Length, batch * features, nameof(dInput));

        for (int b = 0; b < batch; b++)
        {
            int row = b * features;
            T dot = T.Zero;
            for (int j = 0; j < features; j++)
                dot += dOutput[row + j] * output[row + j];
            for (int j = 0; j < features; j++)
                dInput[row + j] = output[row + j] * (dOutput[row + j] - dot);
        }
    }

    internal static T RowMax<T>(ReadOnlySpan<T> row)
        where T : IFloatingPointIeee754<T>
    {
        T max = row[0];
        for (int j = 1; j < row.Length; j++)
            max = T.Max(max, row[j]);
        return max;
    }
}
