using System.Numerics;

namespace NetCompiler.Reference;

/// <summary>
/// Fully connected layer, <c>output = input · weightᵀ + bias</c>, as PyTorch's <c>nn.Linear</c>:
/// input <c>[batch, inFeatures]</c>, weight <c>[outFeatures, inFeatures]</c>, bias <c>[outFeatures]</c>.
/// </summary>
public static class DenseReference
{
    /// <summary>Computes <c>output[b, o] = bias[o] + Σᵢ input[b, i] · weight[o, i]</c>.</summary>
    /// <param name="batch">Number of samples.</param>
    /// <param name="inFeatures">Elements per input sample.</param>
    /// <param name="outFeatures">Elements per output sample.</param>
    /// <param name="input">Input, <c>[batch, inFeatures]</c>.</param>
    /// <param name="weight">Weight, <c>[outFeatures, inFeatures]</c>.</param>
    /// <param name="bias">Bias, <c>[outFeatures]</c>, or empty for a layer without bias.</param>
    /// <param name="output">Receives the output, <c>[batch, outFeatures]</c>.</param>
    public static void Forward<T>(int batch, int inFeatures, int outFeatures, ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output)
        where T : IFloatingPointIeee754<T>
    {
        CheckDimensions(batch, inFeatures, outFeatures);
        Guard.Length(input.Length, batch * inFeatures, nameof(input));
        Guard.Length(weight.Length, outFeatures * inFeatures, nameof(weight));
        bool hasBias = ReferenceGuard.Optional(bias.Length, outFeatures, nameof(bias));
        Guard.Length(output.Length, batch * outFeatures, nameof(output));

        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> x = input.Slice(b * inFeatures, inFeatures); // [inFeatures]
            for (int o = 0; o < outFeatures; o++)
            {
                ReadOnlySpan<T> w = weight.Slice(o * inFeatures, inFeatures); // [inFeatures]
                T sum = hasBias ? bias[o] : T.Zero;
                for (int i = 0; i < inFeatures; i++)
                    sum += x[i] * w[i];
                output[b * outFeatures + o] = sum;
            }
        }
    }

    /// <summary>
    /// Computes the gradients of the layer from the gradient of its output. Each gradient is overwritten;
    /// an empty gradient span is skipped (e.g. <paramref name="dInput"/> of the first layer, <paramref name="dBias"/> without bias).
    /// </summary>
    /// <param name="batch">Number of samples.</param>
    /// <param name="inFeatures">Elements per input sample.</param>
    /// <param name="outFeatures">Elements per output sample.</param>
    /// <param name="input">Forward input, <c>[batch, inFeatures]</c>.</param>
    /// <param name="weight">Weight, <c>[outFeatures, inFeatures]</c>.</param>
    /// <param name="dOutput">Gradient of the output, <c>[batch, outFeatures]</c>.</param>
    /// <param name="dInput">Receives <c>dOutput · weight</c>, <c>[batch, inFeatures]</c>, or empty.</param>
    /// <param name="dWeight">Receives <c>dOutputᵀ · input</c>, <c>[outFeatures, inFeatures]</c>, or empty.</param>
    /// <param name="dBias">Receives the column sums of <paramref name="dOutput"/>, <c>[outFeatures]</c>, or empty.</param>
    public static void Backward<T>(int batch, int inFeatures, int outFeatures, ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> dOutput, Span<T> dInput, Span<T> dWeight, Span<T> dBias)
        where T : IFloatingPointIeee754<T>
    {
        CheckDimensions(batch, inFeatures, outFeatures);
        Guard.Length(input.Length, batch * inFeatures, nameof(input));
        Guard.Length(weight.Length, outFeatures * inFeatures, nameof(weight));
        Guard.Length(dOutput.Length, batch * outFeatures, nameof(dOutput));
        bool wantInput = ReferenceGuard.Optional(dInput.Length, batch * inFeatures, nameof(dInput));
        bool wantWeight = ReferenceGuard.Optional(dWeight.Length, outFeatures * inFeatures, nameof(dWeight));
        bool wantBias = ReferenceGuard.Optional(dBias.Length, outFeatures, nameof(dBias));

        if (wantInput)
        {
            for (int b = 0; b < batch; b++)
            {
                for (int i = 0; i < inFeatures; i++)
                {
                    T sum = T.Zero;
                    for (int o = 0; o < outFeatures; o++)
                        sum += dOutput[b * outFeatures + o] * weight[o * inFeatures + i];
                    dInput[b * inFeatures + i] = sum;
                }
            }
        }

        if (wantWeight)
        {
            for (int o = 0; o < outFeatures; o++)
            {
                for (int i = 0; i < inFeatures; i++)
                {
                    T sum = T.Zero;
                    for (int b = 0; b < batch; b++)
                        sum += dOutput[b * outFeatures + o] * input[b * inFeatures + i];
                    dWeight[o * inFeatures + i] = sum;
                }
            }
        }

        if (wantBias)
        {
            for (int o = 0; o < outFeatures; o++)
            {
                T sum = T.Zero;
                for (int b = 0; b < batch; b++)
                    sum += dOutput[b * outFeatures + o];
                dBias[o] = sum;
            }
        }
    }

    private static void CheckDimensions(int batch, int inFeatures, int outFeatures)
    {
        ReferenceGuard.Positive(batch, nameof(batch));
        ReferenceGuard.Positive(inFeatures, nameof(inFeatures));
        ReferenceGuard.Positive(outFeatures, nameof(outFeatures));
    }
}
