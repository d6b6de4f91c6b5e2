using System.Numerics.Tensors;
using NetCompiler.Benchmarks.Data;

namespace NetCompiler.Benchmarks.Peers;

/// <summary>
/// MLP 784-128-10 written as a C# developer would over <see cref="TensorPrimitives"/>: one vectorized
/// call per row (Dot for the forward products, MultiplyAdd for the backward and the update), all buffers
/// allocated once for a fixed batch capacity, so a step allocates nothing.
/// </summary>
internal sealed class TensorPrimitivesMlp
{
    private const int In = MlpWeights.Inputs;
    private const int Hidden = MlpWeights.Hidden;
    private const int Out = MlpWeights.Classes;

    private readonly int _capacity;
    private readonly float _learningRate;
    private readonly float _momentum;

    // Parameters, their gradients and momentum buffers in PyTorch's layout.
    private readonly float[] _w1 = new float[Hidden * In]; // [128, 784]
    private readonly float[] _b1 = new float[Hidden]; // [128]
    private readonly float[] _w2 = new float[Out * Hidden]; // [10, 128]
    private readonly float[] _b2 = new float[Out]; // [10]
    private readonly float[] _dW1 = new float[Hidden * In]; // [128, 784]
    private readonly float[] _dB1 = new float[Hidden]; // [128]
    private readonly float[] _dW2 = new float[Out * Hidden]; // [10, 128]
    private readonly float[] _dB2 = new float[Out]; // [10]
    private readonly float[] _vW1 = new float[Hidden * In]; // [128, 784]
    private readonly float[] _vB1 = new float[Hidden]; // [128]
    private readonly float[] _vW2 = new float[Out * Hidden]; // [10, 128]
    private readonly float[] _vB2 = new float[Out]; // [10]

    // Activations for one batch.
    private readonly float[] _hidden; // [capacity, 128], after ReLU
    private readonly float[] _logits; // [capacity, 10]
    private readonly float[] _dLogits; // [capacity, 10]
    private readonly float[] _dHidden; // [capacity, 128]

    public TensorPrimitivesMlp(MlpWeights weights, int capacity, float learningRate, float momentum)
    {
        _capacity = capacity;
        _learningRate = learningRate;
        _momentum = momentum;
        weights.Fc1.Weight.CopyTo(_w1, 0);
        weights.Fc1.Bias.CopyTo(_b1, 0);
        weights.Fc2.Weight.CopyTo(_w2, 0);
        weights.Fc2.Bias.CopyTo(_b2, 0);
        _hidden = new float[capacity * Hidden];
        _logits = new float[capacity * Out];
        _dLogits = new float[capacity * Out];
        _dHidden = new float[capacity * Hidden];
    }

    public void Forward(ReadOnlySpan<float> input, Span<float> logits)
    {
        int batch = BatchOf(input);
        if (logits.Length != batch * Out)
        {
            throw new ArgumentException($"Expected {batch * Out} logits for batch {batch}, got {logits.Length}.", nameof(logits));
        }

        ForwardCore(input, batch, logits);
    }

    /// <summary>Forward, softmax cross-entropy (mean over the batch), backward and SGD-momentum update.</summary>
    /// <returns>The mean loss before the update.</returns>
    public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<int> labels)
    {
        int batch = BatchOf(input);
        if (labels.Length != batch)
        {
            throw new ArgumentException($"Expected {batch} labels, got {labels.Length}.", nameof(labels));
        }

        Span<float> logits = _logits.AsSpan(0, batch * Out);
        ForwardCore(input, batch, logits);

        // Softmax cross-entropy: dLogits = (softmax - onehot) / batch.
        float loss = 0;
        float scale = 1f / batch;
        Span<float> dLogits = _dLogits.AsSpan(0, batch * Out);
        for (int b = 0; b < batch; b++)
        {
            Span<float> probabilities = dLogits.Slice(b * Out, Out);
            TensorPrimitives.SoftMax(logits.Slice(b * Out, Out), probabilities);
            int label = labels[b];
            loss -= MathF.Log(probabilities[label]);
            probabilities[label] -= 1f;
            TensorPrimitives.Multiply(probabilities, scale, probabilities);
        }

        // fc2 backward: dW2 = dLogits^T * hidden, dB2 = column sums, dHidden = dLogits * W2 masked by ReLU.
        _dW2.AsSpan().Clear();
        _dB2.AsSpan().Clear();
        Span<float> dHidden = _dHidden.AsSpan(0, batch * Hidden);
        dHidden.Clear();
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> hiddenRow = _hidden.AsSpan(b * Hidden, Hidden);
            Span<float> dHiddenRow = dHidden.Slice(b * Hidden, Hidden);
            ReadOnlySpan<float> dLogitsRow = dLogits.Slice(b * Out, Out);
            TensorPrimitives.Add(_dB2, dLogitsRow, _dB2);
            for (int o = 0; o < Out; o++)
            {
                float g = dLogitsRow[o];
                TensorPrimitives.MultiplyAdd(hiddenRow, g, _dW2.AsSpan(o * Hidden, Hidden), _dW2.AsSpan(o * Hidden, Hidden));
                TensorPrimitives.MultiplyAdd(_w2.AsSpan(o * Hidden, Hidden), g, dHiddenRow, dHiddenRow);
            }

            for (int h = 0; h < Hidden; h++)
            {
                if (hiddenRow[h] <= 0f)
                {
                    dHiddenRow[h] = 0f;
                }
            }
        }

        // fc1 backward: dW1 = dHidden^T * input, dB1 = column sums. The input needs no gradient.
        _dW1.AsSpan().Clear();
        _dB1.AsSpan().Clear();
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> inputRow = input.Slice(b * In, In);
            ReadOnlySpan<float> dHiddenRow = dHidden.Slice(b * Hidden, Hidden);
            TensorPrimitives.Add(_dB1, dHiddenRow, _dB1);
            for (int h = 0; h < Hidden; h++)
            {
                Span<float> dW1Row = _dW1.AsSpan(h * In, In);
                TensorPrimitives.MultiplyAdd(inputRow, dHiddenRow[h], dW1Row, dW1Row);
            }
        }

        Update(_w1, _dW1, _vW1);
        Update(_b1, _dB1, _vB1);
        Update(_w2, _dW2, _vW2);
        Update(_b2, _dB2, _vB2);
        return loss * scale;
    }

    public float[] CopyParameters() => [.. _w1, .. _b1, .. _w2, .. _b2];

    private void ForwardCore(ReadOnlySpan<float> input, int batch, Span<float> logits)
    {
        Span<float> hidden = _hidden.AsSpan(0, batch * Hidden);
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> inputRow = input.Slice(b * In, In);
            Span<float> hiddenRow = hidden.Slice(b * Hidden, Hidden);
            for (int h = 0; h < Hidden; h++)
            {
                hiddenRow[h] = TensorPrimitives.Dot(inputRow, _w1.AsSpan(h * In, In));
            }

            TensorPrimitives.Add(hiddenRow, _b1, hiddenRow);
            TensorPrimitives.Max(hiddenRow, 0f, hiddenRow);

            Span<float> logitsRow = logits.Slice(b * Out, Out);
            for (int o = 0; o < Out; o++)
            {
                logitsRow[o] = TensorPrimitives.Dot(hiddenRow, _w2.AsSpan(o * Hidden, Hidden));
            }

            TensorPrimitives.Add(logitsRow, _b2, logitsRow);
        }
    }

    /// <summary>PyTorch's SGD with momentum (dampening 0): v = momentum * v + g; p -= lr * v.</summary>
    private void Update(Span<float> parameter, ReadOnlySpan<float> gradient, Span<float> velocity)
    {
        TensorPrimitives.MultiplyAdd(velocity, _momentum, gradient, velocity);
        TensorPrimitives.MultiplyAdd(velocity, -_learningRate, parameter, parameter);
    }

    private int BatchOf(ReadOnlySpan<float> input)
    {
        int batch = input.Length / In;
        if (input.Length != batch * In || batch < 1 || batch > _capacity)
        {
            throw new ArgumentException(
                $"Expected input of batch * {In} floats with 1 <= batch <= {_capacity}, got {input.Length} floats.", nameof(input));
        }

        return batch;
    }
}
