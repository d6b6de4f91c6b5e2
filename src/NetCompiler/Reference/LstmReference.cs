using System.Numerics;

namespace NetCompiler.Reference;

/// <summary>
/// One LSTM layer with PyTorch's <c>nn.LSTM(batch_first: true)</c> semantics, starting from <c>h₀ = c₀ = 0</c>. Gate rows are stacked
/// in PyTorch's order i, f, g, o: weightIh <c>[4H, inputSize]</c>, weightHh <c>[4H, H]</c>, biasIh and biasHh <c>[4H]</c>. Per step:
/// <code>
/// i = σ(W_ii x + b_ii + W_hi h + b_hi)     f = σ(W_if x + b_if + W_hf h + b_hf)
/// g = tanh(W_ig x + b_ig + W_hg h + b_hg)  o = σ(W_io x + b_io + W_ho h + b_ho)
/// c' = f ⊙ c + i ⊙ g                       h' = o ⊙ tanh(c')
/// </code>
/// </summary>
public static class LstmReference
{
    /// <summary>
    /// Runs the layer over every sequence and saves what <see cref="Backward"/> needs: the post-activation gates and the cell states.
    /// </summary>
    /// <param name="batch">Number of sequences.</param>
    /// <param name="steps">Time steps per sequence.</param>
    /// <param name="inputSize">Elements per input step.</param>
    /// <param name="hidden">Hidden size <c>H</c>.</param>
    /// <param name="input">Input, <c>[batch, steps, inputSize]</c>.</param>
    /// <param name="weightIh">Input-to-hidden weight, <c>[4H, inputSize]</c>.</param>
    /// <param name="weightHh">Hidden-to-hidden weight, <c>[4H, H]</c>.</param>
    /// <param name="biasIh">Input-to-hidden bias, <c>[4H]</c>, or empty for a layer without bias.</param>
    /// <param name="biasHh">Hidden-to-hidden bias, <c>[4H]</c>, or empty for a layer without bias.</param>
    /// <param name="output">Receives the hidden state of every step, <c>[batch, steps, H]</c>.</param>
    /// <param name="gates">Receives i, f, g, o after their activations, <c>[batch, steps, 4H]</c>.</param>
    /// <param name="cells">Receives the cell state of every step, <c>[batch, steps, H]</c>.</param>
    public static void Forward<T>(int batch, int steps, int inputSize, int hidden, ReadOnlySpan<T> input, ReadOnlySpan<T> weightIh, ReadOnlySpan<T> weightHh, ReadOnlySpan<T> biasIh, ReadOnlySpan<T> biasHh, Span<T> output, Span<T> gates, Span<T> cells)
        where T : IFloatingPointIeee754<T>
    {
        CheckShape(batch, steps, inputSize, hidden, input.Length, weightIh.Length, weightHh.Length);
        int gateRows = 4 * hidden;
        bool hasBiasIh = ReferenceGuard.Optional(biasIh.Length, gateRows, nameof(biasIh));
        bool hasBiasHh = ReferenceGuard.Optional(biasHh.Length, gateRows, nameof(biasHh));
        Guard.Length(output.Length, batch * steps * hidden, nameof(output));
        Guard.Length(gates.Length, batch * steps * gateRows, nameof(gates));
        Guard.Length(cells.Length, batch * steps * hidden, nameof(cells));

        var zeros = new T[hidden]; // h₀ and c₀
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                int step = b * steps + t;
                ReadOnlySpan<T> x = input.Slice(step * inputSize, inputSize);                        // [inputSize]
                ReadOnlySpan<T> hPrev = t == 0 ? zeros : output.Slice((step - 1) * hidden, hidden);  // [H]
                ReadOnlySpan<T> cPrev = t == 0 ? zeros : cells.Slice((step - 1) * hidden, hidden);   // [H]
                Span<T> gate = gates.Slice(step * gateRows, gateRows);                               // [4H]
                Span<T> h = output.Slice(step * hidden, hidden);                                     // [H]
                Span<T> c = cells.Slice(step * hidden, hidden);                                      // [H]

                for (int row = 0; row < gateRows; row++)
                {
                    T sum = (hasBiasIh ? biasIh[row] : T.Zero) + (hasBiasHh ? biasHh[row] : T.Zero);
                    for (int k = 0; k < inputSize; k++)
                        sum += weightIh[row * inputSize + k] * x[k];
                    for (int k = 0; k < hidden; k++)
                        sum += weightHh[row * hidden + k] * hPrev[k];
                    // Rows [2H, 3H) are the candidate g, the only gate with tanh.
                    ActivationKind kind = row / hidden == 2 ? ActivationKind.Tanh : ActivationKind.Sigmoid;
                    gate[row] = ActivationReference.Apply(kind, sum);
                }

                for (int j = 0; j < hidden; j++)
                {
                    T i = gate[j], f = gate[hidden + j], g = gate[2 * hidden + j], o = gate[3 * hidden + j];
                    c[j] = f * cPrev[j] + i * g;
                    h[j] = o * T.Tanh(c[j]);
                }
            }
        }
    }

    /// <summary>
    /// Backpropagation through time. Walks each sequence from its last step to its first, carrying the gradients of <c>h</c> and
    /// <c>c</c> into the previous step. Each gradient is overwritten; an empty gradient span is skipped. The two bias gradients
    /// are equal (both biases enter the same sum) and are both written, matching PyTorch's two parameters.
    /// </summary>
    /// <param name="batch">Number of sequences.</param>
    /// <param name="steps">Time steps per sequence.</param>
    /// <param name="inputSize">Elements per input step.</param>
    /// <param name="hidden">Hidden size <c>H</c>.</param>
    /// <param name="input">Forward input, <c>[batch, steps, inputSize]</c>.</param>
    /// <param name="weightIh">Input-to-hidden weight, <c>[4H, inputSize]</c>.</param>
    /// <param name="weightHh">Hidden-to-hidden weight, <c>[4H, H]</c>.</param>
    /// <param name="output">Forward output (hidden states), <c>[batch, steps, H]</c>.</param>
    /// <param name="gates">Gates saved by <see cref="Forward"/>, <c>[batch, steps, 4H]</c>.</param>
    /// <param name="cells">Cell states saved by <see cref="Forward"/>, <c>[batch, steps, H]</c>.</param>
    /// <param name="dOutput">Gradient of the output, <c>[batch, steps, H]</c>.</param>
    /// <param name="dInput">Receives the gradient of the input, <c>[batch, steps, inputSize]</c>, or empty.</param>
    /// <param name="dWeightIh">Receives the gradient of <paramref name="weightIh"/>, <c>[4H, inputSize]</c>, or empty.</param>
    /// <param name="dWeightHh">Receives the gradient of <paramref name="weightHh"/>, <c>[4H, H]</c>, or empty.</param>
    /// <param name="dBiasIh">Receives the gradient of biasIh, <c>[4H]</c>, or empty.</param>
    /// <param name="dBiasHh">Receives the gradient of biasHh, <c>[4H]</c>, or empty.</param>
    public static void Backward<T>(int batch, int steps, int inputSize, int hidden, ReadOnlySpan<T> input, ReadOnlySpan<T> weightIh, ReadOnlySpan<T> weightHh, ReadOnlySpan<T> output, ReadOnlySpan<T> gates, ReadOnlySpan<T> cells, ReadOnlySpan<T> dOutput, Span<T> dInput, Span<T> dWeightIh, Span<T> dWeightHh, Span<T> dBiasIh, Span<T> dBiasHh)
        where T : IFloatingPointIeee754<T>
    {
        CheckShape(batch, steps, inputSize, hidden, input.Length, weightIh.Length, weightHh.Length);
        int gateRows = 4 * hidden;
        Guard.Length(output.Length, batch * steps * hidden, nameof(output));
        Guard.Length(gates.Length, batch * steps * gateRows, nameof(gates));
        Guard.Length(cells.Length, batch * steps * hidden, nameof(cells));
        Guard.Length(dOutput.Length, batch * steps * hidden, nameof(dOutput));
        bool wantInput = ReferenceGuard.Optional(dInput.Length, input.Length, nameof(dInput));
        bool wantWeightIh = ReferenceGuard.Optional(dWeightIh.Length, weightIh.Length, nameof(dWeightIh));
        bool wantWeightHh = ReferenceGuard.Optional(dWeightHh.Length, weightHh.Length, nameof(dWeightHh));
        bool wantBiasIh = ReferenceGuard.Optional(dBiasIh.Length, gateRows, nameof(dBiasIh));
        bool wantBiasHh = ReferenceGuard.Optional(dBiasHh.Length, gateRows, nameof(dBiasHh));

        // Parameter gradients sum over every sequence and step.
        if (wantWeightIh)
            dWeightIh.Clear();
        if (wantWeightHh)
            dWeightHh.Clear();
        if (wantBiasIh)
            dBiasIh.Clear();
        if (wantBiasHh)
            dBiasHh.Clear();

        var zeros = new T[hidden];
        var dPreActivation = new T[gateRows]; // [4H], gradient of the gate sums before σ / tanh
        var dHiddenNext = new T[hidden];      // [H], what step t + 1 passes back to h_t through weightHh
        var dCellNext = new T[hidden];        // [H], what step t + 1 passes back to c_t through f

        for (int b = 0; b < batch; b++)
        {
            Array.Clear(dHiddenNext);
            Array.Clear(dCellNext);
            for (int t = steps - 1; t >= 0; t--)
            {
                int step = b * steps + t;
                ReadOnlySpan<T> x = input.Slice(step * inputSize, inputSize);                        // [inputSize]
                ReadOnlySpan<T> hPrev = t == 0 ? zeros : output.Slice((step - 1) * hidden, hidden);  // [H]
                ReadOnlySpan<T> cPrev = t == 0 ? zeros : cells.Slice((step - 1) * hidden, hidden);   // [H]
                ReadOnlySpan<T> gate = gates.Slice(step * gateRows, gateRows);                       // [4H]
                ReadOnlySpan<T> c = cells.Slice(step * hidden, hidden);                              // [H]
                ReadOnlySpan<T> dH = dOutput.Slice(step * hidden, hidden);                           // [H]

                for (int j = 0; j < hidden; j++)
                {
                    T i = gate[j], f = gate[hidden + j], g = gate[2 * hidden + j], o = gate[3 * hidden + j];
                    T dh = dH[j] + dHiddenNext[j];
                    T tanhC = T.Tanh(c[j]);
                    T dc = dCellNext[j] + dh * o * (T.One - tanhC * tanhC);
                    dPreActivation[j] = dc * g * i * (T.One - i);
                    dPreActivation[hidden + j] = dc * cPrev[j] * f * (T.One - f);
                    dPreActivation[2 * hidden + j] = dc * i * (T.One - g * g);
                    dPreActivation[3 * hidden + j] = dh * tanhC * o * (T.One - o);
                    dCellNext[j] = dc * f;
                }

                for (int row = 0; row < gateRows; row++)
                {
                    T da = dPreActivation[row];
                    if (wantBiasIh)
                        dBiasIh[row] += da;
                    if (wantBiasHh)
                        dBiasHh[row] += da;
                    if (wantWeightIh)
                        for (int k = 0; k < inputSize; k++)
                            dWeightIh[row * inputSize + k] += da * x[k];
                    if (wantWeightHh)
                        for (int k = 0; k < hidden; k++)
                            dWeightHh[row * hidden + k] += da * hPrev[k];
                }

                if (wantInput)
                {
                    for (int k = 0; k < inputSize; k++)
                    {
                        T sum = T.Zero;
                        for (int row = 0; row < gateRows; row++)
                            sum += weightIh[row * inputSize + k] * dPreActivation[row];
                        dInput[step * inputSize + k] = sum;
                    }
                }

                for (int k = 0; k < hidden; k++)
                {
                    T sum = T.Zero;
                    for (int row = 0; row < gateRows; row++)
                        sum += weightHh[row * hidden + k] * dPreActivation[row];
                    dHiddenNext[k] = sum;
                }
            }
        }
    }

    private static void CheckShape(int batch, int steps, int inputSize, int hidden, int inputLength, int weightIhLength, int weightHhLength)
    {
        ReferenceGuard.Positive(batch, nameof(batch));
        ReferenceGuard.Positive(steps, nameof(steps));
        ReferenceGuard.Positive(inputSize, nameof(inputSize));
        ReferenceGuard.Positive(hidden, nameof(hidden));
        Guard.Length(inputLength, batch * steps * inputSize, "input");
        Guard.Length(weightIhLength, 4 * hidden * inputSize, "weightIh");
        Guard.Length(weightHhLength, 4 * hidden * hidden, "weightHh");
    }
}
