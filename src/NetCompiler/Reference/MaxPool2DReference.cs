using System.Numerics;

namespace NetCompiler.Reference;

/// <summary>
/// 2-D max pooling over NCHW images (PyTorch <c>nn.MaxPool2d(kernel, stride)</c>, no padding, floor mode):
/// input <c>[batch, channels, height, width]</c>, output <c>[batch, channels, outHeight, outWidth]</c> with
/// <c>out = (size - kernel) / stride + 1</c>.
/// </summary>
public static class MaxPool2DReference
{
    /// <summary>Takes the maximum of each <c>kernel × kernel</c> window; a NaN in a window wins, as in PyTorch.</summary>
    /// <param name="batch">Number of images.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="height">Input height.</param>
    /// <param name="width">Input width.</param>
    /// <param name="kernel">Window size along both axes.</param>
    /// <param name="stride">Step between windows along both axes.</param>
    /// <param name="input">Input, <c>[batch, channels, height, width]</c>.</param>
    /// <param name="output">Receives the maxima, <c>[batch, channels, outHeight, outWidth]</c>.</param>
    public static void Forward<T>(int batch, int channels, int height, int width, int kernel, int stride, ReadOnlySpan<T> input, Span<T> output)
        where T : IFloatingPointIeee754<T>
    {
        var shape = new Pool2DShape(batch, channels, height, width, kernel, stride);
        Guard.Length(input.Length, shape.InputLength, nameof(input));
        Guard.Length(output.Length, shape.OutputLength, nameof(output));

        for (int plane = 0; plane < shape.Planes; plane++)
        {
            for (int oy = 0; oy < shape.OutHeight; oy++)
            {
                for (int ox = 0; ox < shape.OutWidth; ox++)
                    output[shape.OutputIndex(plane, oy, ox)] = input[ArgMax(shape, input, plane, oy, ox)];
            }
        }
    }

    /// <summary>
    /// Routes each output gradient to the input element that was the window maximum, overwriting <paramref name="dInput"/>.
    /// With ties the first maximum in row-major window order gets it, as in PyTorch; where windows overlap (stride &lt; kernel)
    /// an input element collects the gradients of every window it won.
    /// </summary>
    /// <param name="batch">Number of images.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="height">Input height.</param>
    /// <param name="width">Input width.</param>
    /// <param name="kernel">Window size along both axes.</param>
    /// <param name="stride">Step between windows along both axes.</param>
    /// <param name="input">Forward input, <c>[batch, channels, height, width]</c>.</param>
    /// <param name="dOutput">Gradient of the output, <c>[batch, channels, outHeight, outWidth]</c>.</param>
    /// <param name="dInput">Receives the gradient of the input, <c>[batch, channels, height, width]</c>.</param>
    public static void Backward<T>(int batch, int channels, int height, int width, int kernel, int stride, ReadOnlySpan<T> input, ReadOnlySpan<T> dOutput, Span<T> dInput)
        where T : IFloatingPointIeee754<T>
    {
        var shape = new Pool2DShape(batch, channels, height, width, kernel, stride);
        Guard.Length(input.Length, shape.InputLength, nameof(input));
        Guard.Length(dOutput.Length, shape.OutputLength, nameof(dOutput));
        Guard.Length(dInput.Length, shape.InputLength, nameof(dInput));

        dInput.Clear();
        for (int plane = 0; plane < shape.Planes; plane++)
        {
            for (int oy = 0; oy < shape.OutHeight; oy++)
            {
                for (int ox = 0; ox < shape.OutWidth; ox++)
                    dInput[ArgMax(shape, input, plane, oy, ox)] += dOutput[shape.OutputIndex(plane, oy, ox)];
            }
        }
    }

    private static int ArgMax<T>(in Pool2DShape shape, ReadOnlySpan<T> input, int plane, int oy, int ox)
        where T : IFloatingPointIeee754<T>
    {
        int best = shape.InputIndex(plane, oy * shape.Stride, ox * shape.Stride);
        for (int ky = 0; ky < shape.Kernel; ky++)
        {
            for (int kx = 0; kx < shape.Kernel; kx++)
            {
                int index = shape.InputIndex(plane, oy * shape.Stride + ky, ox * shape.Stride + kx);
                // Strictly greater keeps the first of equal maxima; once a NaN is taken nothing compares greater, so it stays.
                if (input[index] > input[best] || (T.IsNaN(input[index]) && !T.IsNaN(input[best])))
                    best = index;
            }
        }
        return best;
    }
}
