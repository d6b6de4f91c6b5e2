using System.Numerics;

namespace NetCompiler.Reference;

/// <summary>
/// Batch normalization per channel over input <c>[batch, channels, spatial]</c> (spatial = 1 for <c>nn.BatchNorm1d</c> on
/// <c>[batch, features]</c>, <c>H·W</c> for <c>nn.BatchNorm2d</c> on NCHW), with PyTorch's semantics: training normalizes with the
/// biased batch variance and folds the unbiased one into the running variance, <c>running = (1 - momentum)·running + momentum·batch</c>.
/// <c>gamma</c> and <c>beta</c> are <c>[channels]</c>; both empty means <c>affine = false</c> (scale 1, shift 0).
/// </summary>
public static class BatchNormReference
{
    /// <summary>
    /// Normalizes with the statistics of this batch: <c>output = gamma · (x - mean) · invStd + beta</c>, <c>invStd = 1 / √(var + ε)</c>,
    /// saves <c>mean</c> and <c>invStd</c> for <see cref="Backward"/>, and updates the running statistics.
    /// </summary>
    /// <param name="batch">Number of samples.</param>
    /// <param name="channels">Channels (features).</param>
    /// <param name="spatial">Elements per channel per sample.</param>
    /// <param name="input">Input, <c>[batch, channels, spatial]</c>; <c>batch · spatial</c> must be at least 2.</param>
    /// <param name="gamma">Scale, <c>[channels]</c>, or empty.</param>
    /// <param name="beta">Shift, <c>[channels]</c>, or empty.</param>
    /// <param name="epsilon">Added to the variance before the root.</param>
    /// <param name="momentum">Weight of this batch in the running statistics (PyTorch's default is 0.1).</param>
    /// <param name="runningMean">Running mean, <c>[channels]</c>, updated in place, or empty to not track it.</param>
    /// <param name="runningVar">Running (unbiased) variance, <c>[channels]</c>, updated in place, or empty to not track it.</param>
    /// <param name="output">Receives the output, <c>[batch, channels, spatial]</c>.</param>
    /// <param name="savedMean">Receives the batch mean per channel, <c>[channels]</c>.</param>
    /// <param name="savedInvStd">Receives <c>1 / √(biased variance + ε)</c> per channel, <c>[channels]</c>.</param>
    public static void ForwardTraining<T>(int batch, int channels, int spatial, ReadOnlySpan<T> input, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, T epsilon, T momentum, Span<T> runningMean, Span<T> runningVar, Span<T> output, Span<T> savedMean, Span<T> savedInvStd)
        where T : IFloatingPointIeee754<T>
    {
        CheckShape(batch, channels, spatial, input.Length);
        bool affine = CheckAffine(channels, gamma.Length, beta.Length);
        int count = batch * spatial;
        if (count < 2)
            throw new ArgumentException($"Expected more than 1 value per channel when training (batch {batch} × spatial {spatial}), so that the variance is defined.", nameof(input));
        bool trackMean = ReferenceGuard.Optional(runningMean.Length, channels, nameof(runningMean));
        bool trackVar = ReferenceGuard.Optional(runningVar.Length, channels, nameof(runningVar));
        Guard.Length(output.Length, input.Length, nameof(output));
        Guard.Length(savedMean.Length, channels, nameof(savedMean));
        Guard.Length(savedInvStd.Length, channels, nameof(savedInvStd));

        T n = T.CreateChecked(count);
        for (int c = 0; c < channels; c++)
        {
            T sum = T.Zero;
            for (int b = 0; b < batch; b++)
                for (int s = 0; s < spatial; s++)
                    sum += input[Index(b, c, s, channels, spatial)];
            T mean = sum / n;

            // Two passes (mean, then squared deviations) rather than E[x²] - E[x]², which cancels badly in float.
            T squares = T.Zero;
            for (int b = 0; b < batch; b++)
            {
                for (int s = 0; s < spatial; s++)
                {
                    T deviation = input[Index(b, c, s, channels, spatial)] - mean;
                    squares += deviation * deviation;
                }
            }
            T variance = squares / n;
            T invStd = T.One / T.Sqrt(variance + epsilon);
            savedMean[c] = mean;
            savedInvStd[c] = invStd;

            T scale = affine ? gamma[c] : T.One;
            T shift = affine ? beta[c] : T.Zero;
            for (int b = 0; b < batch; b++)
            {
                for (int s = 0; s < spatial; s++)
                {
                    int i = Index(b, c, s, channels, spatial);
                    output[i] = (input[i] - mean) * invStd * scale + shift;
                }
            }

            if (trackMean)
                runningMean[c] = (T.One - momentum) * runningMean[c] + momentum * mean;
            if (trackVar)
                runningVar[c] = (T.One - momentum) * runningVar[c] + momentum * (squares / (n - T.One));
        }
    }

    /// <summary>Normalizes with the running statistics: <c>output = gamma · (x - runningMean) / √(runningVar + ε) + beta</c>.</summary>
    /// <param name="batch">Number of samples.</param>
    /// <param name="channels">Channels (features).</param>
    /// <param name="spatial">Elements per channel per sample.</param>
    /// <param name="input">Input, <c>[batch, channels, spatial]</c>.</param>
    /// <param name="gamma">Scale, <c>[channels]</c>, or empty.</param>
    /// <param name="beta">Shift, <c>[channels]</c>, or empty.</param>
    /// <param name="runningMean">Running mean, <c>[channels]</c>.</param>
    /// <param name="runningVar">Running variance, <c>[channels]</c>.</param>
    /// <param name="epsilon">Added to the variance before the root.</param>
    /// <param name="output">Receives the output, <c>[batch, channels, spatial]</c>.</param>
    public static void ForwardInference<T>(int batch, int channels, int spatial, ReadOnlySpan<T> input, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, ReadOnlySpan<T> runningMean, ReadOnlySpan<T> runningVar, T epsilon, Span<T> output)
        where T : IFloatingPointIeee754<T>
    {
        CheckShape(batch, channels, spatial, input.Length);
        bool affine = CheckAffine(channels, gamma.Length, beta.Length);
        Guard.Length(runningMean.Length, channels, nameof(runningMean));
        Guard.Length(runningVar.Length, channels, nameof(runningVar));
        Guard.Length(output.Length, input.Length, nameof(output));

        for (int c = 0; c < channels; c++)
        {
            T invStd = T.One / T.Sqrt(runningVar[c] + epsilon);
            T scale = affine ? gamma[c] : T.One;
            T shift = affine ? beta[c] : T.Zero;
            for (int b = 0; b < batch; b++)
            {
                for (int s = 0; s < spatial; s++)
                {
                    int i = Index(b, c, s, channels, spatial);
                    output[i] = (input[i] - runningMean[c]) * invStd * scale + shift;
                }
            }
        }
    }

    /// <summary>
    /// Computes the gradients of <see cref="ForwardTraining"/> (the batch statistics depend on the input, so every element of a channel
    /// affects every output of it): with <c>x̂ = (x - mean) · invStd</c> and <c>N = batch · spatial</c>,
    /// <c>dBeta = Σ dy</c>, <c>dGamma = Σ dy · x̂</c>, <c>dx = gamma · invStd / N · (N · dy - Σ dy - x̂ · Σ dy · x̂)</c>.
    /// Each gradient is overwritten; an empty gradient span is skipped.
    /// </summary>
    /// <param name="batch">Number of samples.</param>
    /// <param name="channels">Channels (features).</param>
    /// <param name="spatial">Elements per channel per sample.</param>
    /// <param name="input">Forward input, <c>[batch, channels, spatial]</c>.</param>
    /// <param name="gamma">Scale, <c>[channels]</c>, or empty for <c>affine = false</c>.</param>
    /// <param name="savedMean">Batch mean saved by <see cref="ForwardTraining"/>, <c>[channels]</c>.</param>
    /// <param name="savedInvStd">Inverse standard deviation saved by <see cref="ForwardTraining"/>, <c>[channels]</c>.</param>
    /// <param name="dOutput">Gradient of the output, <c>[batch, channels, spatial]</c>.</param>
    /// <param name="dInput">Receives the gradient of the input, <c>[batch, channels, spatial]</c>, or empty.</param>
    /// <param name="dGamma">Receives the gradient of <paramref name="gamma"/>, <c>[channels]</c>, or empty.</param>
    /// <param name="dBeta">Receives the gradient of beta, <c>[channels]</c>, or empty.</param>
    public static void Backward<T>(int batch, int channels, int spatial, ReadOnlySpan<T> input, ReadOnlySpan<T> gamma, ReadOnlySpan<T> savedMean, ReadOnlySpan<T> savedInvStd, ReadOnlySpan<T> dOutput, Span<T> dInput, Span<T> dGamma, Span<T> dBeta)
        where T : IFloatingPointIeee754<T>
    {
        CheckShape(batch, channels, spatial, input.Length);
        bool affine = ReferenceGuard.Optional(gamma.Length, channels, nameof(gamma));
        Guard.Length(savedMean.Length, channels, nameof(savedMean));
        Guard.Length(savedInvStd.Length, channels, nameof(savedInvStd));
        Guard.Length(dOutput.Length, input.Length, nameof(dOutput));
        bool wantInput = ReferenceGuard.Optional(dInput.Length, input.Length, nameof(dInput));
        bool wantGamma = ReferenceGuard.Optional(dGamma.Length, channels, nameof(dGamma));
        bool wantBeta = ReferenceGuard.Optional(dBeta.Length, channels, nameof(dBeta));

        T n = T.CreateChecked(batch * spatial);
        for (int c = 0; c < channels; c++)
        {
            T mean = savedMean[c];
            T invStd = savedInvStd[c];
            T sumDy = T.Zero;
            T sumDyXHat = T.Zero;
            for (int b = 0; b < batch; b++)
            {
                for (int s = 0; s < spatial; s++)
                {
                    int i = Index(b, c, s, channels, spatial);
                    sumDy += dOutput[i];
                    sumDyXHat += dOutput[i] * (input[i] - mean) * invStd;
                }
            }

            if (wantBeta)
                dBeta[c] = sumDy;
            if (wantGamma)
                dGamma[c] = sumDyXHat;
            if (!wantInput)
                continue;

            T scale = (affine ? gamma[c] : T.One) * invStd / n;
            for (int b = 0; b < batch; b++)
            {
                for (int s = 0; s < spatial; s++)
                {
                    int i = Index(b, c, s, channels, spatial);
                    T xHat = (input[i] - mean) * invStd;
                    dInput[i] = scale * (n * dOutput[i] - sumDy - xHat * sumDyXHat);
                }
            }
        }
    }

    private static int Index(int b, int c, int s, int channels, int spatial) => (b * channels + c) * spatial + s;

    private static void CheckShape(int batch, int channels, int spatial, int inputLength)
    {
        ReferenceGuard.Positive(batch, nameof(batch));
        ReferenceGuard.Positive(channels, nameof(channels));
        ReferenceGuard.Positive(spatial, nameof(spatial));
        Guard.Length(inputLength, batch * channels * spatial, "input");
    }

    private static bool CheckAffine(int channels, int gammaLength, int betaLength)
    {
        bool affine = ReferenceGuard.Optional(gammaLength, channels, "gamma");
        // Scale and shift come together (PyTorch's affine flag), so a lone one is a caller's mistake.
        Guard.Length(betaLength, affine ? channels : 0, "beta");
        return affine;
    }
}
