using System.Numerics;

namespace NetCompiler.Reference;

/// <summary>
/// 2-D convolution (cross-correlation, as PyTorch's <c>nn.Conv2d</c>) over NCHW images with one stride and one zero padding
/// for both axes: input <c>[batch, inChannels, height, width]</c>, weight <c>[outChannels, inChannels, kernelH, kernelW]</c>,
/// bias <c>[outChannels]</c>, output <c>[batch, outChannels, outHeight, outWidth]</c> with sizes from <see cref="OutputSize"/>.
/// </summary>
public static class Conv2DReference
{
    /// <summary>The output size along one axis, <c>(size + 2·padding - kernel) / stride + 1</c>.</summary>
    /// <param name="size">Input size along the axis.</param>
    /// <param name="kernel">Kernel size along the axis.</param>
    /// <param name="stride">Step between windows.</param>
    /// <param name="padding">Zeros added on each side.</param>
    /// <returns>The number of windows along the axis, at least 1.</returns>
    public static int OutputSize(int size, int kernel, int stride, int padding)
    {
        ReferenceGuard.Positive(size, nameof(size));
        ReferenceGuard.Positive(kernel, nameof(kernel));
        ReferenceGuard.Positive(stride, nameof(stride));
        if (padding < 0)
            throw new ArgumentOutOfRangeException(nameof(padding), padding, $"Expected a padding of at least 0, but got {padding}.");
        if (size + 2 * padding < kernel)
            throw new ArgumentException($"Expected a kernel of at most {size + 2 * padding} (input size {size} plus padding {padding} on each side), but got {kernel}.", nameof(kernel));
        return (size + 2 * padding - kernel) / stride + 1;
    }

    /// <summary>Computes <c>output[n, oc, y, x] = bias[oc] + Σ input[n, ic, y·s - p + ky, x·s - p + kx] · weight[oc, ic, ky, kx]</c>, reading 0 outside the input.</summary>
    /// <param name="batch">Number of images.</param>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="height">Input height.</param>
    /// <param name="width">Input width.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelH">Kernel height.</param>
    /// <param name="kernelW">Kernel width.</param>
    /// <param name="stride">Stride along both axes.</param>
    /// <param name="padding">Zero padding on every side.</param>
    /// <param name="input">Input, <c>[batch, inChannels, height, width]</c>.</param>
    /// <param name="weight">Weight, <c>[outChannels, inChannels, kernelH, kernelW]</c>.</param>
    /// <param name="bias">Bias, <c>[outChannels]</c>, or empty for a layer without bias.</param>
    /// <param name="output">Receives the output, <c>[batch, outChannels, outHeight, outWidth]</c>.</param>
    public static void Forward<T>(int batch, int inChannels, int height, int width, int outChannels, int kernelH, int kernelW, int stride, int padding, ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output)
        where T : IFloatingPointIeee754<T>
    {
        var shape = new Shape(batch, inChannels, height, width, outChannels, kernelH, kernelW, stride, padding);
        shape.CheckInput(input.Length, weight.Length);
        bool hasBias = ReferenceGuard.Optional(bias.Length, outChannels, nameof(bias));
        Guard.Length(output.Length, shape.OutputLength, nameof(output));

        for (int n = 0; n < batch; n++)
        {
            for (int oc = 0; oc < outChannels; oc++)
            {
                for (int oy = 0; oy < shape.OutHeight; oy++)
                {
                    for (int ox = 0; ox < shape.OutWidth; ox++)
                    {
                        T sum = hasBias ? bias[oc] : T.Zero;
                        for (int ic = 0; ic < inChannels; ic++)
                        {
                            for (int ky = 0; ky < kernelH; ky++)
                            {
                                int iy = oy * stride - padding + ky;
                                if ((uint)iy >= (uint)height)
                                    continue;
                                for (int kx = 0; kx < kernelW; kx++)
                                {
                                    int ix = ox * stride - padding + kx;
                                    if ((uint)ix >= (uint)width)
                                        continue;
                                    sum += input[shape.InputIndex(n, ic, iy, ix)] * weight[shape.WeightIndex(oc, ic, ky, kx)];
                                }
                            }
                        }
                        output[shape.OutputIndex(n, oc, oy, ox)] = sum;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Computes the gradients of the convolution from the gradient of its output. Each gradient is overwritten;
    /// an empty gradient span is skipped.
    /// </summary>
    /// <param name="batch">Number of images.</param>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="height">Input height.</param>
    /// <param name="width">Input width.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelH">Kernel height.</param>
    /// <param name="kernelW">Kernel width.</param>
    /// <param name="stride">Stride along both axes.</param>
    /// <param name="padding">Zero padding on every side.</param>
    /// <param name="input">Forward input, <c>[batch, inChannels, height, width]</c>.</param>
    /// <param name="weight">Weight, <c>[outChannels, inChannels, kernelH, kernelW]</c>.</param>
    /// <param name="dOutput">Gradient of the output, <c>[batch, outChannels, outHeight, outWidth]</c>.</param>
    /// <param name="dInput">Receives the gradient of the input (the transposed convolution of <paramref name="dOutput"/>), <c>[batch, inChannels, height, width]</c>, or empty.</param>
    /// <param name="dWeight">Receives the gradient of the weight, <c>[outChannels, inChannels, kernelH, kernelW]</c>, or empty.</param>
    /// <param name="dBias">Receives the sums of <paramref name="dOutput"/> over batch and positions, <c>[outChannels]</c>, or empty.</param>
    public static void Backward<T>(int batch, int inChannels, int height, int width, int outChannels, int kernelH, int kernelW, int stride, int padding, ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> dOutput, Span<T> dInput, Span<T> dWeight, Span<T> dBias)
        where T : IFloatingPointIeee754<T>
    {
        var shape = new Shape(batch, inChannels, height, width, outChannels, kernelH, kernelW, stride, padding);
        shape.CheckInput(input.Length, weight.Length);
        Guard.Length(dOutput.Length, shape.OutputLength, nameof(dOutput));
        bool wantInput = ReferenceGuard.Optional(dInput.Length, input.Length, nameof(dInput));
        bool wantWeight = ReferenceGuard.Optional(dWeight.Length, weight.Length, nameof(dWeight));
        bool wantBias = ReferenceGuard.Optional(dBias.Length, outChannels, nameof(dBias));

        // Each output element scatters into the input and weight cells it read, so both sums start from zero.
        if (wantInput)
            dInput.Clear();
        if (wantWeight)
            dWeight.Clear();
        if (wantBias)
            dBias.Clear();

        for (int n = 0; n < batch; n++)
        {
            for (int oc = 0; oc < outChannels; oc++)
            {
                for (int oy = 0; oy < shape.OutHeight; oy++)
                {
                    for (int ox = 0; ox < shape.OutWidth; ox++)
                    {
                        T g = dOutput[shape.OutputIndex(n, oc, oy, ox)];
                        if (wantBias)
                            dBias[oc] += g;
                        for (int ic = 0; ic < inChannels; ic++)
                        {
                            for (int ky = 0; ky < kernelH; ky++)
                            {
                                int iy = oy * stride - padding + ky;
                                if ((uint)iy >= (uint)height)
                                    continue;
                                for (int kx = 0; kx < kernelW; kx++)
                                {
                                    int ix = ox * stride - padding + kx;
                                    if ((uint)ix >= (uint)width)
                                        continue;
                                    int inputIndex = shape.InputIndex(n, ic, iy, ix);
                                    int weightIndex = shape.WeightIndex(oc, ic, ky, kx);
                                    if (wantInput)
                                        dInput[inputIndex] += weight[weightIndex] * g;
                                    if (wantWeight)
                                        dWeight[weightIndex] += input[inputIndex] * g;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private readonly struct Shape
    {
        private readonly int _inChannels, _height, _width, _outChannels, _kernelH, _kernelW;

        public Shape(int batch, int inChannels, int height, int width, int outChannels, int kernelH, int kernelW, int stride, int padding)
        {
            ReferenceGuard.Positive(batch, nameof(batch));
            ReferenceGuard.Positive(inChannels, nameof(inChannels));
            ReferenceGuard.Positive(outChannels, nameof(outChannels));
            Batch = batch;
            _inChannels = inChannels;
            _height = height;
            _width = width;
            _outChannels = outChannels;
            _kernelH = kernelH;
            _kernelW = kernelW;
            OutHeight = OutputSize(height, kernelH, stride, padding);
            OutWidth = OutputSize(width, kernelW, stride, padding);
        }

        public int Batch { get; }

        public int OutHeight { get; }

        public int OutWidth { get; }

        public int OutputLength => Batch * _outChannels * OutHeight * OutWidth;

        public void CheckInput(int inputLength, int weightLength)
        {
            Guard.Length(inputLength, Batch * _inChannels * _height * _width, "input");
            Guard.Length(weightLength, _outChannels * _inChannels * _kernelH * _kernelW, "weight");
        }

        public int InputIndex(int n, int c, int y, int x) => ((n * _inChannels + c) * _height + y) * _width + x;

        public int WeightIndex(int oc, int ic, int ky, int kx) => ((oc * _inChannels + ic) * _kernelH + ky) * _kernelW + kx;

        public int OutputIndex(int n, int oc, int y, int x) => ((n * _outChannels + oc) * OutHeight + y) * OutWidth + x;
    }
}
