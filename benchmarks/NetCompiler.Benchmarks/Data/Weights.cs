namespace NetCompiler.Benchmarks.Data;

/// <summary>Seeds shared by every contender so that all of them start from identical weights and inputs.</summary>
internal static class Seeds
{
    public const ulong Weights = 20_240_601;
    public const ulong Inputs = 7_000_001;
}

/// <summary>A dense layer in PyTorch's layout: weight [out, in], bias [out].</summary>
internal sealed class DenseWeights
{
    public DenseWeights(int inputs, int outputs, DeterministicRandom random)
    {
        Inputs = inputs;
        Outputs = outputs;
        Weight = new float[outputs * inputs];
        Bias = new float[outputs];
        // PyTorch's default Linear/Conv2d initialization: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for weight and bias.
        float bound = 1f / MathF.Sqrt(inputs);
        random.FillUniform(Weight, -bound, bound);
        random.FillUniform(Bias, -bound, bound);
    }

    public int Inputs { get; }

    public int Outputs { get; }

    public float[] Weight { get; } // [out, in]

    public float[] Bias { get; } // [out]
}

/// <summary>A valid (no padding), stride-1 convolution in PyTorch's layout: weight [outC, inC, k, k], bias [outC].</summary>
internal sealed class ConvWeights
{
    public ConvWeights(int inChannels, int outChannels, int kernel, DeterministicRandom random)
    {
        InChannels = inChannels;
        OutChannels = outChannels;
        Kernel = kernel;
        Weight = new float[outChannels * inChannels * kernel * kernel];
        Bias = new float[outChannels];
        float bound = 1f / MathF.Sqrt(inChannels * kernel * kernel);
        random.FillUniform(Weight, -bound, bound);
        random.FillUniform(Bias, -bound, bound);
    }

    public int InChannels { get; }

    public int OutChannels { get; }

    public int Kernel { get; }

    public float[] Weight { get; } // [outC, inC, k, k]

    public float[] Bias { get; } // [outC]
}

/// <summary>XOR 2-8-1: tanh hidden, sigmoid output.</summary>
internal sealed class XorWeights
{
    public const int Inputs = 2;
    public const int Hidden = 8;
    public const int Outputs = 1;

    private XorWeights(DeterministicRandom random)
    {
        Fc1 = new DenseWeights(Inputs, Hidden, random);
        Fc2 = new DenseWeights(Hidden, Outputs, random);
    }

    public DenseWeights Fc1 { get; }

    public DenseWeights Fc2 { get; }

    public static XorWeights Create() => new(new DeterministicRandom(Seeds.Weights));

    /// <summary>The four XOR patterns, batch 4.</summary>
    public static float[] Input() => [0, 0, 0, 1, 1, 0, 1, 1]; // [4, 2]

    public static float[] Target() => [0, 1, 1, 0]; // [4, 1]
}

/// <summary>MLP 784-128-10: ReLU hidden, logits out.</summary>
internal sealed class MlpWeights
{
    public const int Inputs = 784;
    public const int Hidden = 128;
    public const int Classes = 10;

    private MlpWeights(DeterministicRandom random)
    {
        Fc1 = new DenseWeights(Inputs, Hidden, random);
        Fc2 = new DenseWeights(Hidden, Classes, random);
    }

    public DenseWeights Fc1 { get; }

    public DenseWeights Fc2 { get; }

    public static MlpWeights Create() => new(new DeterministicRandom(Seeds.Weights));
}

/// <summary>
/// LeNet-5 on 1x28x28: conv 5x5x6 (valid) -> ReLU -> maxpool 2 -> conv 5x5x16 -> ReLU -> maxpool 2 -> flatten 256
/// -> fc 120 -> ReLU -> fc 84 -> ReLU -> fc 10.
/// </summary>
internal sealed class LeNetWeights
{
    public const int Channels = 1;
    public const int Height = 28;
    public const int Width = 28;
    public const int InputSize = Channels * Height * Width;
    public const int Classes = 10;

    private LeNetWeights(DeterministicRandom random)
    {
        Conv1 = new ConvWeights(1, 6, 5, random);
        Conv2 = new ConvWeights(6, 16, 5, random);
        Fc1 = new DenseWeights(16 * 4 * 4, 120, random);
        Fc2 = new DenseWeights(120, 84, random);
        Fc3 = new DenseWeights(84, Classes, random);
    }

    public ConvWeights Conv1 { get; }

    public ConvWeights Conv2 { get; }

    public DenseWeights Fc1 { get; }

    public DenseWeights Fc2 { get; }

    public DenseWeights Fc3 { get; }

    public static LeNetWeights Create() => new(new DeterministicRandom(Seeds.Inputs ^ Seeds.Weights));
}

/// <summary>Seeded image-like inputs in [0, 1) and class labels.</summary>
internal static class Inputs
{
    public static float[] Images(int batch, int sampleSize)
    {
        var images = new float[batch * sampleSize]; // [batch, sampleSize]
        new DeterministicRandom(Seeds.Inputs).FillUniform(images, 0f, 1f);
        return images;
    }

    public static int[] Labels(int batch, int classes)
    {
        var random = new DeterministicRandom(Seeds.Inputs + 1);
        var labels = new int[batch]; // [batch]
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = random.NextInt32(classes);
        }

        return labels;
    }
}

/// <summary>Training hyperparameters shared by all contenders.</summary>
internal static class Hyper
{
    public const float XorLearningRate = 0.5f;
    public const float LearningRate = 0.01f;
    public const float Momentum = 0.9f;
}
