namespace NetCompiler.Oracle.Tests;

/// <summary>Deterministic inputs, weights and optimizer settings shared by the oracle tests.</summary>
internal static class TestData
{
    public static float[] Uniform(int seed, int count, float low, float high)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = low + (high - low) * random.NextSingle();
        }

        return values;
    }

    public static int[] Labels(int seed, int count, int classes)
    {
        var random = new Random(seed);
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = random.Next(classes);
        }

        return labels;
    }

    /// <summary>Per-layer weights <c>[out, in]</c> and biases <c>[out]</c>, uniform in ±0.6 (large enough to reach the nonlinear range).</summary>
    public static (float[][] Weights, float[][] Biases) MlpWeights(int seed, int[] sizes)
    {
        var weights = new float[sizes.Length - 1][];
        var biases = new float[sizes.Length - 1][];
        for (int l = 0; l < weights.Length; l++)
        {
            weights[l] = Uniform(seed + 2 * l, sizes[l + 1] * sizes[l], -0.6f, 0.6f);
            biases[l] = Uniform(seed + 2 * l + 1, sizes[l + 1], -0.6f, 0.6f);
        }

        return (weights, biases);
    }

    /// <summary>The same weights flat in PyTorch order (weight, bias per layer), widened to float64.</summary>
    public static double[] Flat(float[][] weights, float[][] biases)
    {
        var flat = new List<double>();
        for (int l = 0; l < weights.Length; l++)
        {
            flat.AddRange(weights[l].Select(w => (double)w));
            flat.AddRange(biases[l].Select(b => (double)b));
        }

        return [.. flat];
    }

    public static double[] Widen(float[] values) => Array.ConvertAll(values, v => (double)v);

    /// <summary>Optimizer settings by short name, so they can be theory data.</summary>
    public static OptimizerAttribute Optimizer(string name) => name switch
    {
        "sgd" => new SgdAttribute { LearningRate = 0.1f },
        "sgd-momentum" => new SgdAttribute { LearningRate = 0.05f, Momentum = 0.9f },
        "sgd-nesterov-decay" => new SgdAttribute { LearningRate = 0.05f, Momentum = 0.9f, Nesterov = true, WeightDecay = 0.01f },
        "adam" => new AdamAttribute { LearningRate = 0.01f },
        "adam-decay" => new AdamAttribute { LearningRate = 0.01f, Beta1 = 0.8f, Beta2 = 0.99f, WeightDecay = 0.05f },
        "adagrad" => new AdagradAttribute { LearningRate = 0.1f },
        "adagrad-decay" => new AdagradAttribute { LearningRate = 0.1f, WeightDecay = 0.05f },
        _ => throw new ArgumentException($"Unknown optimizer '{name}'.", nameof(name)),
    };
}
