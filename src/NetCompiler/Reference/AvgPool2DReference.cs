using System.Numerics;

namespace NetCompiler.Reference;

/// <summary>
/// 2-D average pooling over NCHW images (PyTorch <c>nn.AvgPool2d(kernel, stride)</c>, no padding, floor mode):
/// input <c>[batch, channels, height, width]</c>, output <c>[batch, channels, outHeight, outWidth]</c> with
/// <c>out = (size - kernel) / stride + 1</c>. Without padding every window holds <c>kernel²</c> elements, so that is the divisor.
/// </summary>
public static class AvgPool2DReference
{
    /// <summary>Averages each <c>kernel × kernel</c> window.</summary>
    /// <param name="batch">Number of images.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="height">Input height.</param>
    /// <param name="width">Input width.</param>
    /// <param name="kernel">Window size along both axes.</param>
    /// <param name="stride">Step between windows along both axes.</param>
    /// <param name="input">Input, <c>[batch, channels, height, width]</c>.</param>
    /// <param name="output">Receives the averages, <c>[batch, channels, outHeight, outWidth]</c>.</param>
    public static void Forward<T>(int batch, int channels, int height, int width, int kernel, int stride, ReadOnlySpan<T> input, Span<T> output)
        where T : IFloatingPointIeee754<T>
    {
        var shape = new Pool2DShape(batch, channels, height, width, kernel, stride);
        Guard.Length(input.Length, shape.InputLength, nameof(input));
        Guard.Length(output.Length, shape.OutputLength, nameof(output));
        T count = T.CreateChecked(kernel * kernel);

        for (int plane = 0; plane < shape.Planes; plane++)
        {
            for (int oy = 0; oy < shape.OutHeight; oy++)
            {
                for (int ox = 0; ox < shape.OutWidth; ox++)
                {
                    T sum = T.Zero;
                    for (int ky = 0; ky < kernel; ky++)
                    {
                        for (int kx = 0; kx < kernel; kx++)
                            sum += input[shape.InputIndex(plane, oy * stride + ky, ox * stride + kx)];
                    }
                    output[shape.OutputIndex(plane, oy, ox)] = sum / count;
                }
            }
        }
    }

    /// <summary>
    /// Spreads each output gradient evenly, <c>dOutput / kernel²</c>, over its window, overwriting <paramref name="dInput"/>;
    /// where windows overlap (stride &lt; kernel) the shares add up. <paramref name="input"/> is not read (the average is linear)
    /// but is checked, so the signature matches <see cref="MaxPool2DReference.Backward"/>.
    /// </summary>
    /// <param name="batch">Number of images.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="height">Input height.</param>
    /// <param name="width">Input width.</param>
    /// <param name="kernel">Window size along both axes.</param>
    /// <param name="stride">Step between windows along both axes.</param>
    /// <param name="input">Forward input, <c>[batch, channels, height, width]</c>, or empty.</param>
    /// <param name="dOutput">Gradient of the output, <c>[batch, channels, outHeight, outWidth]</c>.</param>
    /// <param name="dInput">Receives the gradient of the input, <c>[batch, channels, height, width]</c>.</param>
    public static void Backward<T>(int batch, int channels, int height, int width, int kernel, int stride, ReadOnlySpan<T> input, ReadOnlySpan<T> dOutput, Span<T> dInput)
        where T : IFloatingPointIeee754<T>
    {
        var shape = new Pool2DShape(batch, channels, height, width, kernel, stride);
        ReferenceGuard.Optional(input.Length, shape.InputLength, nameof(input));
        Guard.Length(dOutput.Length, shape.OutputLength, nameof(dOutput));
        Guard.Length(dInput.Length, shape.InputLength, nameof(dInput));
        T count = T.CreateChecked(kernel * kernel);

        dInput.Clear();
        for (int plane = 0; plane < shape.Planes; plane++)
        {
            for (int oy = 0; oy < shape.OutHeight; oy++)
            {
                for (int ox = 0; ox < shape.OutWidth; ox++)
                {
                    T share = dOutput[shape.OutputIndex(plane, oy, ox)] / count;
                    for (int ky = 0; ky < kernel; ky++)
                    {
                        for (int kx = 0; kx < kernel; kx++)
                            dInput[shape.InputIndex(plane, oy * stride + ky, ox * stride + kx)] += share;
                    }
                }
            }
        }
    }
}
