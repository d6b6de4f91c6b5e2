using NetCompiler.Reference;

namespace NetCompiler.Runtime.Tests.Generated;

internal enum OptimizerKind
{
    Sgd,
    Adagrad,
    Adam,
}

/// <summary>The hyper-parameters of an optimizer attribute, repeated for the reference; defaults are the attributes' defaults.</summary>
internal sealed record OptimizerDef(
    OptimizerKind Kind,
    float LearningRate,
    float Momentum = 0f,
    bool Nesterov = false,
    float WeightDecay = 0f,
    float Epsilon = float.NaN,
    float Beta1 = 0.9f,
    float Beta2 = 0.999f)
{
    public float EffectiveEpsilon => float.IsNaN(Epsilon) ? (Kind == OptimizerKind.Adam ? 1e-8f : 1e-10f) : Epsilon;
}

/// <summary>Applies <see cref="OptimizerReference"/> steps in float, keeping the optimizer state between steps.</summary>
internal sealed class ReferenceOptimizer(OptimizerDef definition, int parameterCount)
{
    private readonly float[] _state1 = new float[parameterCount];
    private readonly float[] _state2 = new float[parameterCount];
    private long _step;

    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        _step++;
        switch (definition.Kind)
        {
            case OptimizerKind.Sgd:
                OptimizerReference.Sgd<float>(parameters, gradients, definition.Momentum == 0f ? [] : _state1, learningRate,
                    definition.Momentum, definition.Nesterov, definition.WeightDecay);
                break;
            case OptimizerKind.Adagrad:
                OptimizerReference.Adagrad<float>(parameters, gradients, _state1, learningRate, definition.EffectiveEpsilon, definition.WeightDecay);
                break;
            case OptimizerKind.Adam:
                OptimizerReference.Adam<float>(parameters, gradients, _state1, _state2, _step, learningRate,
                    definition.Beta1, definition.Beta2, definition.EffectiveEpsilon, definition.WeightDecay);
                break;
        }
    }
}
