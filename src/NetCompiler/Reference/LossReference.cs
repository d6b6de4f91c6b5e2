using System.Numerics;

namespace NetCompiler.Reference;

/// <summary>
/// Loss functions with PyTorch's mean reduction. Each returns the mean loss and overwrites the gradient of that
/// mean with respect to its first argument; an empty gradient span skips the gradient.
/// </summary>
public static class LossReference
{
    /// <summary>Mean squared error over all elements (PyTorch <c>MSELoss</c>): <c>L = Σ (p - t)² / N</c>, <c>dL/dp = 2 (p - t) / N</c>.</summary>
    /// <param name="prediction">Predictions, any shape, <c>N</c> elements.</param>
    /// <param name="target">Targets, same length.</param>
    /// <param name="dPrediction">Receives <c>dL/dp</c>, same length, or empty.</param>
    /// <returns>The mean loss.</returns>
    public static T MeanSquaredError<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> dPrediction)
        where T : IFloatingPointIeee754<T>
    {
        int n = CheckElementwise(prediction.Length, target.Length, dPrediction.Length, nameof(dPrediction), out bool wantGradient);
        T count = T.CreateChecked(n);
        T two = T.CreateChecked(2);
        T sum = T.Zero;
        for (int i = 0; i < n; i++)
        {
            T diff = prediction[i] - target[i];
            sum += diff * diff;
            if (wantGradient)
                dPrediction[i] = two * diff / count;
        }
        return sum / count;
    }

    /// <summary>
    /// Binary cross-entropy of <c>sigmoid(z)</c> against targets in <c>[0, 1]</c>, mean over all elements
    /// (PyTorch <c>BCEWithLogitsLoss</c>, equal to <c>BCELoss(sigmoid(z))</c>), in the stable form
    /// <c>max(z, 0) - z·t + log(1 + e^-|z|)</c> that never takes the log of 0 or exponentiates a large positive number.
    /// The gradient is <c>(sigmoid(z) - t) / N</c>.
    /// </summary>
    /// <param name="logits">Logits <c>z</c>, any shape, <c>N</c> elements.</param>
    /// <param name="target">Targets <c>t</c>, same length.</param>
    /// <param name="dLogits">Receives <c>dL/dz</c>, same length, or empty.</param>
    /// <returns>The mean loss.</returns>
    public static T BinaryCrossEntropyWithLogits<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> target, Span<T> dLogits)
        where T : IFloatingPointIeee754<T>
    {
        int n = CheckElementwise(logits.Length, target.Length, dLogits.Length, nameof(dLogits), out bool wantGradient);
        T count = T.CreateChecked(n);
        T sum = T.Zero;
        for (int i = 0; i < n; i++)
        {
            T z = logits[i];
            T t = target[i];
            sum += T.Max(z, T.Zero) - z * t + T.LogP1(T.Exp(-T.Abs(z)));
            if (wantGradient)
                dLogits[i] = (ActivationReference.Apply(ActivationKind.Sigmoid, z) - t) / count;
        }
        return sum / count;
    }

    /// <summary>
    /// Cross-entropy of <c>softmax(z)</c> against class labels, mean over the batch (PyTorch <c>CrossEntropyLoss</c> on logits):
    /// <c>L = Σ_b (logsumexp(z[b]) - z[b, label_b]) / batch</c>, <c>dL/dz[b, j] = (softmax(z[b])[j] - [j = label_b]) / batch</c>.
    /// </summary>
    /// <param name="batch">Number of samples.</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="logits">Logits, <c>[batch, classes]</c>.</param>
    /// <param name="labels">Class indices in <c>[0, classes)</c>, <c>[batch]</c>.</param>
    /// <param name="dLogits">Receives <c>dL/dz</c>, <c>[batch, classes]</c>, or empty.</param>
    /// <returns>The mean loss.</returns>
    public static T SoftmaxCrossEntropy<T>(int batch, int classes, ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> dLogits)
        where T : IFloatingPointIeee754<T>
    {
        ReferenceGuard.Positive(batch, nameof(batch));
        ReferenceGuard.Positive(classes, nameof(classes));
        Guard.Length(logits.Length, batch * classes, nameof(logits));
        Guard.Length(labels.Length, batch, nameof(labels));
        Guard.Labels(labels, classes, nameof(labels));
        bool wantGradient = ReferenceGuard.Optional(dLogits.Length, batch * classes, nameof(dLogits));

        T count = T.CreateChecked(batch);
        T sum = T.Zero;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> z = logits.Slice(b * classes, classes); // [classes]
            T max = SoftmaxReference.RowMax(z);
            T sumExp = T.Zero;
            for (int j = 0; j < classes; j++)
                sumExp += T.Exp(z[j] - max);
            T logSumExp = max + T.Log(sumExp);
            sum += logSumExp - z[labels[b]];

            if (wantGradient)
            {
                Span<T> dz = dLogits.Slice(b * classes, classes); // [classes]
                for (int j = 0; j < classes; j++)
                    dz[j] = T.Exp(z[j] - logSumExp) / count;
                dz[labels[b]] -= T.One / count;
            }
        }
        return sum / count;
    }

    /// <summary>
    /// Perceptron criterion, mean over all elements: with <c>y = 2t - 1</c> for targets <c>t ∈ {0, 1}</c>,
    /// <c>L = Σ max(0, -y·z) / N</c>. The subgradient is <c>-y / N</c> where <c>y·z ≤ 0</c> (misclassified or on the boundary,
    /// so an all-zero start still learns) and <c>0</c> elsewhere.
    /// </summary>
    /// <param name="scores">Scores <c>z</c>, any shape, <c>N</c> elements.</param>
    /// <param name="target">Targets, each exactly 0 or 1, same length.</param>
    /// <param name="dScores">Receives the subgradient, same length, or empty.</param>
    /// <returns>The mean loss.</returns>
    public static T Perceptron<T>(ReadOnlySpan<T> scores, ReadOnlySpan<T> target, Span<T> dScores)
        where T : IFloatingPointIeee754<T>
    {
        int n = CheckElementwise(scores.Length, target.Length, dScores.Length, nameof(dScores), out bool wantGradient);
        T count = T.CreateChecked(n);
        T two = T.CreateChecked(2);
        T sum = T.Zero;
        for (int i = 0; i < n; i++)
        {
            T t = target[i];
            if (t != T.Zero && t != T.One)
                throw new ArgumentException($"Expected a target of 0 or 1 at index {i}, but got {t}.", nameof(target));
            T y = two * t - T.One;
            T margin = y * scores[i];
            sum += T.Max(-margin, T.Zero);
            if (wantGradient)
                dScores[i] = margin <= T.Zero ? -y / count : T.Zero;
        }
        return sum / count;
    }

    private static int CheckElementwise(int predictionLength, int targetLength, int gradientLength, string gradientName, out bool wantGradient)
    {
        ReferenceGuard.NotEmpty(predictionLength, "prediction");
        Guard.Length(targetLength, predictionLength, "target");
        wantGradient = ReferenceGuard.Optional(gradientLength, predictionLength, gradientName);
        return predictionLength;
    }
}
