using System.Numerics;
using NetCompiler.Reference;

namespace NetCompiler.Oracle.Tests;

/// <summary>
/// A sequential network composed of the runtime's scalar reference ops (<c>NetCompiler.Reference</c>), with parameters
/// flat in the same PyTorch layout as a <see cref="TorchModel"/>, so the two can be compared element by element.
/// </summary>
internal sealed class ReferenceSequential<T>
    where T : IFloatingPointIeee754<T>
{
    private readonly List<Step> _steps = [];
    private readonly int[] _inputShape;
    private int[] _shape;
    private int _parameterOffset;

    public ReferenceSequential(int[] inputShape)
    {
        _inputShape = inputShape;
        _shape = inputShape;
    }

    private enum Op
    {
        Dense,
        Activation,
        Conv,
        MaxPool,
        AvgPool,
        Flatten,
    }

    public int ParameterCount => _parameterOffset;

    public int OutputSize => Size(_shape);

    public ReferenceSequential<T> Dense(int outFeatures) => Add(new Step(Op.Dense, _shape, [outFeatures]) { Out = outFeatures }, outFeatures * Size(_shape) + outFeatures);

    public ReferenceSequential<T> Activation(ActivationKind kind) => Add(new Step(Op.Activation, _shape, _shape) { Kind = kind }, 0);

    public ReferenceSequential<T> Conv(int outChannels, int kernel, int stride = 1, int padding = 0)
    {
        int height = Conv2DReference.OutputSize(_shape[1], kernel, stride, padding);
        int width = Conv2DReference.OutputSize(_shape[2], kernel, stride, padding);
        var step = new Step(Op.Conv, _shape, [outChannels, height, width]) { Out = outChannels, Kernel = kernel, Stride = stride, Padding = padding };
        return Add(step, outChannels * _shape[0] * kernel * kernel + outChannels);
    }

    public ReferenceSequential<T> MaxPool(int kernel) => Pool(Op.MaxPool, kernel);

    public ReferenceSequential<T> AvgPool(int kernel) => Pool(Op.AvgPool, kernel);

    public ReferenceSequential<T> Flatten() => Add(new Step(Op.Flatten, _shape, [Size(_shape)]), 0);

    /// <summary>Outputs <c>[batch, OutputSize]</c> flat.</summary>
    public T[] Forward(ReadOnlySpan<T> parameters, ReadOnlySpan<T> input) => ForwardAll(parameters, input)[^1];

    /// <summary>
    /// Forward and backward; <paramref name="loss"/> gets the output and fills its gradient, returning the mean loss.
    /// Returns that loss and the parameter gradients, flat like <paramref name="parameters"/>.
    /// </summary>
    public (T Loss, T[] Gradients) Backward(ReadOnlySpan<T> parameters, ReadOnlySpan<T> input, LossOf loss)
    {
        T[][] activations = ForwardAll(parameters, input);
        int batch = input.Length / Size(_inputShape);
        T[] dOutput = new T[activations[^1].Length];
        T value = loss(activations[^1], dOutput);
        var gradients = new T[parameters.Length];
        for (int s = _steps.Count - 1; s >= 0; s--)
        {
            Step step = _steps[s];
            T[] x = activations[s];
            var dInput = new T[x.Length];
            ReadOnlySpan<T> weight = parameters.Slice(step.Offset, step.WeightLength);
            Span<T> dWeight = gradients.AsSpan(step.Offset, step.WeightLength);
            Span<T> dBias = gradients.AsSpan(step.Offset + step.WeightLength, step.Out);
            switch (step.Op)
            {
                case Op.Dense:
                    DenseReference.Backward(batch, Size(step.In), step.Out, x, weight, dOutput, dInput, dWeight, dBias);
                    break;
                case Op.Activation:
                    ActivationReference.Backward(step.Kind, x, activations[s + 1], dOutput, dInput);
                    break;
                case Op.Conv:
                    Conv2DReference.Backward(batch, step.In[0], step.In[1], step.In[2], step.Out, step.Kernel, step.Kernel, step.Stride, step.Padding, x, weight, dOutput, dInput, dWeight, dBias);
                    break;
                case Op.MaxPool:
                    MaxPool2DReference.Backward(batch, step.In[0], step.In[1], step.In[2], step.Kernel, step.Stride, x, dOutput, dInput);
                    break;
                case Op.AvgPool:
                    AvgPool2DReference.Backward(batch, step.In[0], step.In[1], step.In[2], step.Kernel, step.Stride, x, dOutput, dInput);
                    break;
                default:
                    dOutput.CopyTo(dInput, 0);
                    break;
            }

            dOutput = dInput;
        }

        return (value, gradients);
    }

    public delegate T LossOf(T[] output, T[] dOutput);

    // activations[0] is the input, activations[s + 1] the output of step s.
    private T[][] ForwardAll(ReadOnlySpan<T> parameters, ReadOnlySpan<T> input)
    {
        if (parameters.Length != _parameterOffset)
        {
            throw new ArgumentException($"Expected {_parameterOffset} parameters, got {parameters.Length}.", nameof(parameters));
        }

        int batch = input.Length / Size(_inputShape);
        var activations = new T[_steps.Count + 1][];
        activations[0] = input.ToArray();
        for (int s = 0; s < _steps.Count; s++)
        {
            Step step = _steps[s];
            T[] x = activations[s];
            var y = new T[batch * Size(step.Output)];
            ReadOnlySpan<T> weight = parameters.Slice(step.Offset, step.WeightLength);
            ReadOnlySpan<T> bias = parameters.Slice(step.Offset + step.WeightLength, step.Out);
            switch (step.Op)
            {
                case Op.Dense:
                    DenseReference.Forward(batch, Size(step.In), step.Out, x, weight, bias, y);
                    break;
                case Op.Activation:
                    ActivationReference.Forward<T>(step.Kind, x, y);
                    break;
                case Op.Conv:
                    Conv2DReference.Forward(batch, step.In[0], step.In[1], step.In[2], step.Out, step.Kernel, step.Kernel, step.Stride, step.Padding, x, weight, bias, y);
                    break;
                case Op.MaxPool:
                    MaxPool2DReference.Forward<T>(batch, step.In[0], step.In[1], step.In[2], step.Kernel, step.Stride, x, y);
                    break;
                case Op.AvgPool:
                    AvgPool2DReference.Forward<T>(batch, step.In[0], step.In[1], step.In[2], step.Kernel, step.Stride, x, y);
                    break;
                default:
                    x.CopyTo(y, 0);
                    break;
            }

            activations[s + 1] = y;
        }

        return activations;
    }

    private ReferenceSequential<T> Pool(Op op, int kernel)
    {
        int[] output = [_shape[0], (_shape[1] - kernel) / kernel + 1, (_shape[2] - kernel) / kernel + 1];
        return Add(new Step(op, _shape, output) { Kernel = kernel, Stride = kernel }, 0);
    }

    private ReferenceSequential<T> Add(Step step, int parameterCount)
    {
        step.Offset = _parameterOffset;
        step.WeightLength = parameterCount - step.Out;

        _steps.Add(step);
        _parameterOffset += parameterCount;
        _shape = step.Output;
        return this;
    }

    private static int Size(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    private sealed class Step(Op op, int[] input, int[] output)
    {
        public Op Op { get; } = op;

        public int[] In { get; } = input;

        public int[] Output { get; } = output;

        public ActivationKind Kind { get; init; }

        // Output features or channels; also the bias length.
        public int Out { get; set; }

        public int Kernel { get; init; }

        public int Stride { get; init; }

        public int Padding { get; init; }

        public int Offset { get; set; }

        public int WeightLength { get; set; }
    }
}
