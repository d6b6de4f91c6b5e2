using System.Globalization;
using BenchmarkDotNet.Attributes;
using NetCompiler.Benchmarks.Data;
using NetCompiler.Benchmarks.Networks;

namespace NetCompiler.Benchmarks.Profiling;

/// <summary>
/// Each kernel of the generated MLP 784-128-10 train step, timed alone on realistic operands (the activations and
/// gradients of the shared weights and inputs), next to the whole step and hand-written prototypes of the two large
/// products. Not part of the comparison with other libraries: run it with <c>--filter '*MlpKernels*'</c>.
/// </summary>
public class MlpKernels
{
    private const int In = MlpWeights.Inputs, Hidden = MlpWeights.Hidden, Classes = MlpWeights.Classes;

    private float[] _x = []; // [batch, 784]
    private int[] _labels = []; // [batch]
    private float[] _w1 = [], _b1 = [], _w2 = [], _b2 = [];
    private float[] _w1Packed = []; // [128 / 32, 784, 32]
    private float[] _w1PackedGenerated = []; // [128 / 32, 784, 32], written by the generated packing kernel
    private float[] _hidden = []; // [batch, 128], ReLU output
    private float[] _logits = []; // [batch, 10]
    private float[] _dLogits = []; // [batch, 10]
    private float[] _dHidden = []; // [batch, 128], ReLU derivative applied
    private float[] _dW1 = [], _dB1 = [], _dW2 = [], _dB2 = [];
    private float[] _scratchHidden = []; // [batch, 128]
    private float[] _scratchW1 = [], _scratchB1 = []; // the weight-gradient prototype's results
    private float[] _parameters = [], _gradients = [], _velocity = []; // [101770]
    private MlpNet? _net;
    private MlpInferenceNet? _inferenceNet;

    public static IEnumerable<int> Batches => [32, 256];

    /// <summary>The batches of <c>--profile</c>: also 1 and 8, where the packed forward does not run.</summary>
    public static IEnumerable<int> ProfileBatches => [1, 8, 32, 256];

    [ParamsSource(nameof(Batches))]
    public int Batch { get; set; }

    /// <summary>FLOP per sample of each timed method (2 per multiply-add); NaN for the ones that do no products.</summary>
    public static double FlopsPerSample(string method) => method switch
    {
        nameof(Fc1Forward) or nameof(Fc1ForwardPacked) or nameof(Fc1ForwardPackedGenerated) or nameof(Fc1BackwardParameters) or nameof(Fc1WeightGradientPrototype) => 2.0 * In * Hidden,
        nameof(Fc2Forward) or nameof(Fc2BackwardInput) or nameof(Fc2BackwardParameters) => 2.0 * Hidden * Classes,
        nameof(TrainStep) => Cases.MlpTrainStep.FlopsPerSample,
        nameof(Forward) => Cases.MlpInference.FlopsPerSample,
        _ => double.NaN,
    };

    [GlobalSetup]
    public void Setup()
    {
        MlpWeights weights = MlpWeights.Create();
        _w1 = weights.Fc1.Weight;
        _b1 = weights.Fc1.Bias;
        _w2 = weights.Fc2.Weight;
        _b2 = weights.Fc2.Bias;
        _x = Inputs.Images(Batch, In);
        _labels = Inputs.Labels(Batch, Classes);
        _hidden = new float[Batch * Hidden];
        _logits = new float[Batch * Classes];
        _dLogits = new float[Batch * Classes];
        _dHidden = new float[Batch * Hidden];
        _scratchHidden = new float[Batch * Hidden];
        _scratchW1 = new float[Hidden * In];
        _scratchB1 = new float[Hidden];
        _dW1 = new float[Hidden * In];
        _dB1 = new float[Hidden];
        _dW2 = new float[Classes * Hidden];
        _dB2 = new float[Classes];
        _w1Packed = new float[Hidden * In];
        PackedDense.PackPanels(_w1, Hidden, In, _w1Packed);
        _w1PackedGenerated = new float[Hidden * In];
        MlpNet.Kernels.Fc1ForwardPack(_w1, _w1PackedGenerated);

        // One step of the generated kernels in order gives every later kernel the operands it sees in training.
        Fc1Forward();
        Fc2Forward();
        SoftmaxCrossEntropyLoss();
        Fc2BackwardInput();
        Fc2BackwardParameters();
        Fc1BackwardParameters();

        _net = NetCompilerNetworks.Mlp(Batch);
        _inferenceNet = NetCompilerNetworks.MlpInference(Batch);
        _parameters = _net.Parameters.ToArray();
        _gradients = new float[_parameters.Length];
        _velocity = new float[_parameters.Length];
        _dW1.CopyTo(_gradients, 0);

        ValidatePrototypes();
    }

    [Benchmark(Baseline = true)]
    public void Fc1Forward() => MlpNet.Kernels.Fc1Forward(Batch, _x, _w1, _b1, _hidden);

    [Benchmark]
    public void Fc1ForwardPacked() => PackedDense.ForwardRelu(Batch, In, Hidden, _x, _w1Packed, _b1, _scratchHidden);

    /// <summary>What the packed forward costs per weight update when it is used in training.</summary>
    [Benchmark]
    public void PackFc1Weight() => PackedDense.PackPanels(_w1, Hidden, In, _w1Packed);

    /// <summary>The generated packed-panel forward, which the network runs from a batch of PackedMinBatch on.</summary>
    [Benchmark]
    public void Fc1ForwardPackedGenerated() => MlpNet.Kernels.Fc1ForwardPacked(Batch, _x, _w1PackedGenerated, _b1, _scratchHidden);

    /// <summary>The generated packing, run once per parameter change (each training step) before a packed forward.</summary>
    [Benchmark]
    public void PackFc1WeightGenerated() => MlpNet.Kernels.Fc1ForwardPack(_w1, _w1PackedGenerated);

    [Benchmark]
    public void Fc2Forward() => MlpNet.Kernels.Fc2Forward(Batch, _hidden, _w2, _b2, _logits);

    [Benchmark]
    public float SoftmaxCrossEntropyLoss() => MlpNet.Kernels.SoftmaxCrossEntropyLoss(Batch, _logits, _labels, _dLogits);

    [Benchmark]
    public void Fc2BackwardInput() => MlpNet.Kernels.Fc2BackwardInput(Batch, _dLogits, _w2, _hidden, _dHidden);

    [Benchmark]
    public void Fc2BackwardParameters() => MlpNet.Kernels.Fc2BackwardParameters(Batch, _dLogits, _hidden, _dW2, _dB2);

    [Benchmark]
    public void Fc1BackwardParameters() => MlpNet.Kernels.Fc1BackwardParameters(Batch, _dHidden, _x, _dW1, _dB1);

    [Benchmark]
    public void Fc1WeightGradientPrototype() => PackedDense.WeightGradient(Batch, In, Hidden, _dHidden, _x, _scratchW1, _scratchB1);

    /// <summary>SGD with momentum over all 101,770 parameters: reads parameters, gradients, velocity; writes two.</summary>
    [Benchmark]
    public void OptimizerStep() => MlpNet.Kernels.OptimizerStep(_parameters, _gradients, _velocity, 1e-6f);

    [Benchmark]
    public float TrainStep() => _net!.TrainStep(_x, _labels);

    [Benchmark]
    public void Forward() => _inferenceNet!.Forward(_x, _logits);

    /// <summary>The prototypes must compute what the generated kernels compute, or their timings mean nothing.</summary>
    private void ValidatePrototypes()
    {
        Fc1ForwardPacked();
        Require("Fc1ForwardPacked", _hidden, _scratchHidden);
        Require("PackFc1WeightGenerated", _w1Packed, _w1PackedGenerated);
        Fc1ForwardPackedGenerated();
        Require("Fc1ForwardPackedGenerated", _hidden, _scratchHidden);
        Fc1WeightGradientPrototype();
        Require("Fc1WeightGradientPrototype weight", _dW1, _scratchW1);
        Require("Fc1WeightGradientPrototype bias", _dB1, _scratchB1);
    }

    private static void Require(string name, float[] expected, float[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            float scale = MathF.Max(1f, MathF.Abs(expected[i]));
            if (MathF.Abs(expected[i] - actual[i]) > 1e-4f * scale)
            {
                throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{name}: value [{i}] is {actual[i]:G9}, the generated kernel gives {expected[i]:G9}."));
            }
        }
    }
}
