using System.Numerics;

namespace NetCompiler.Reference;

/// <summary>
/// One update step of each optimizer, with exactly the arithmetic of <c>torch.optim</c> (single-tensor, non-foreach path).
/// Weight decay is L2: <c>weightDecay · parameter</c> is added to the gradient before anything else, and only when it is not zero.
/// Parameters and optimizer state are updated in place.
/// </summary>
public static class OptimizerReference
{
    /// <summary>
    /// Stochastic gradient descent (<c>torch.optim.SGD</c>, dampening 0):
    /// <c>g = grad + wd·p</c>; with momentum <c>v = μ·v + g</c> and <c>g = nesterov ? g + μ·v : v</c>; then <c>p -= lr·g</c>.
    /// </summary>
    /// <param name="parameters">Parameters, updated in place.</param>
    /// <param name="gradients">Gradients, same length.</param>
    /// <param name="velocity">
    /// Momentum buffer, same length, starting at 0 (then <c>μ·0 + g</c> equals PyTorch's first-step copy of <c>g</c>);
    /// empty when <paramref name="momentum"/> is 0.
    /// </param>
    /// <param name="learningRate">Step size <c>lr</c>.</param>
    /// <param name="momentum">Momentum factor <c>μ</c>; 0 for plain SGD.</param>
    /// <param name="nesterov">Whether to use Nesterov momentum; needs a non-zero <paramref name="momentum"/>.</param>
    /// <param name="weightDecay">L2 penalty <c>wd</c>.</param>
    public static void Sgd<T>(Span<T> parameters, ReadOnlySpan<T> gradients, Span<T> velocity, T learningRate, T momentum, bool nesterov, T weightDecay)
        where T : IFloatingPointIeee754<T>
    {
        int n = parameters.Length;
        Guard.Length(gradients.Length, n, nameof(gradients));
        bool useMomentum = momentum != T.Zero;
        if (useMomentum)
            Guard.Length(velocity.Length, n, nameof(velocity));
        else if (nesterov)
            throw new ArgumentException($"Nesterov momentum needs a non-zero momentum, but got {momentum}.", nameof(nesterov));

        for (int i = 0; i < n; i++)
        {
            T g = DecayedGradient(parameters[i], gradients[i], weightDecay);
            if (useMomentum)
            {
                T v = momentum * velocity[i] + g;
                velocity[i] = v;
                g = nesterov ? g + momentum * v : v;
            }
            parameters[i] -= learningRate * g;
        }
    }

    /// <summary>
    /// Adagrad (<c>torch.optim.Adagrad</c>, no learning-rate decay, initial accumulator 0):
    /// <c>g = grad + wd·p</c>; <c>s += g²</c>; <c>p -= lr · g / (√s + ε)</c>.
    /// </summary>
    /// <param name="parameters">Parameters, updated in place.</param>
    /// <param name="gradients">Gradients, same length.</param>
    /// <param name="sumOfSquares">Accumulated squared gradients <c>s</c>, same length, starting at 0; updated in place.</param>
    /// <param name="learningRate">Step size <c>lr</c>.</param>
    /// <param name="epsilon">Term <c>ε</c> added to the root, against division by zero.</param>
    /// <param name="weightDecay">L2 penalty <c>wd</c>.</param>
    public static void Adagrad<T>(Span<T> parameters, ReadOnlySpan<T> gradients, Span<T> sumOfSquares, T learningRate, T epsilon, T weightDecay)
        where T : IFloatingPointIeee754<T>
    {
        int n = parameters.Length;
        Guard.Length(gradients.Length, n, nameof(gradients));
        Guard.Length(sumOfSquares.Length, n, nameof(sumOfSquares));

        for (int i = 0; i < n; i++)
        {
            T g = DecayedGradient(parameters[i], gradients[i], weightDecay);
            T s = sumOfSquares[i] + g * g;
            sumOfSquares[i] = s;
            parameters[i] -= learningRate * (g / (T.Sqrt(s) + epsilon));
        }
    }

    /// <summary>
    /// Adam (<c>torch.optim.Adam</c>, not AMSGrad): <c>g = grad + wd·p</c>; <c>m = m + (1 - β₁)(g - m)</c>; <c>v = β₂·v + (1 - β₂)·g²</c>;
    /// <c>p -= (lr / (1 - β₁ᵗ)) · m / (√v / √(1 - β₂ᵗ) + ε)</c>.
    /// </summary>
    /// <param name="parameters">Parameters, updated in place.</param>
    /// <param name="gradients">Gradients, same length.</param>
    /// <param name="firstMoment">First moment <c>m</c>, same length, starting at 0; updated in place.</param>
    /// <param name="secondMoment">Second moment <c>v</c>, same length, starting at 0; updated in place.</param>
    /// <param name="step">This step's number <c>t</c>, counting from 1.</param>
    /// <param name="learningRate">Step size <c>lr</c>.</param>
    /// <param name="beta1">Decay <c>β₁</c> of the first moment.</param>
    /// <param name="beta2">Decay <c>β₂</c> of the second moment.</param>
    /// <param name="epsilon">Term <c>ε</c> added to the denominator.</param>
    /// <param name="weightDecay">L2 penalty <c>wd</c> (Adam's, not AdamW's decoupled decay).</param>
    public static void Adam<T>(Span<T> parameters, ReadOnlySpan<T> gradients, Span<T> firstMoment, Span<T> secondMoment, long step, T learningRate, T beta1, T beta2, T epsilon, T weightDecay)
        where T : IFloatingPointIeee754<T>
    {
        int n = parameters.Length;
        Guard.Length(gradients.Length, n, nameof(gradients));
        Guard.Length(firstMoment.Length, n, nameof(firstMoment));
        Guard.Length(secondMoment.Length, n, nameof(secondMoment));
        if (step < 1)
            throw new ArgumentOutOfRangeException(nameof(step), step, $"Expected a step number of at least 1 (the first step is 1), but got {step}.");

        T t = T.CreateChecked(step);
        T biasCorrection1 = T.One - T.Pow(beta1, t);
        T biasCorrection2Sqrt = T.Sqrt(T.One - T.Pow(beta2, t));
        T stepSize = learningRate / biasCorrection1;

        for (int i = 0; i < n; i++)
        {
            T g = DecayedGradient(parameters[i], gradients[i], weightDecay);
            // PyTorch updates m with lerp, m + (1 - β₁)(g - m), which rounds differently from β₁·m + (1 - β₁)·g.
            T m = firstMoment[i] + (T.One - beta1) * (g - firstMoment[i]);
            T v = beta2 * secondMoment[i] + (T.One - beta2) * g * g;
            firstMoment[i] = m;
            secondMoment[i] = v;
            T denominator = T.Sqrt(v) / biasCorrection2Sqrt + epsilon;
            parameters[i] -= stepSize * (m / denominator);
        }
    }

    // PyTorch skips the add when the decay is 0, which matters only for non-finite parameters (0 · inf = NaN).
    private static T DecayedGradient<T>(T parameter, T gradient, T weightDecay)
        where T : IFloatingPointIeee754<T> =>
        weightDecay == T.Zero ? gradient : gradient + weightDecay * parameter;
}
