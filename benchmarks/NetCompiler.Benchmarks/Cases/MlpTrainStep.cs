using BenchmarkDotNet.Attributes;
using NetCompiler.Benchmarks.Data;
using NetCompiler.Benchmarks.Infrastructure;
using NetCompiler.Benchmarks.Networks;
using NetCompiler.Benchmarks.Peers;

namespace NetCompiler.Benchmarks.Cases;

/// <summary>MLP 784-128-10 train step: ReLU, softmax cross-entropy (mean), SGD lr 0.01 momentum 0.9.</summary>
public class MlpTrainStep : ICheckedCase
{
    /// <summary>Forward 101,632 + backward 102,912 multiply-adds per sample (no input gradient).</summary>
    public const double FlopsPerSample = 409_088;

    private float[] _input = []; // [batch, 784]
    private int[] _labels = []; // [batch]
    private TorchMlp? _torch;
    private float[] _logits = []; // [batch, 10], only for the agreement check
    private TensorPrimitivesMlp? _tensorPrimitives;
    private MlpNet? _net;

    public static IEnumerable<int> Batches => [1, 32, 256];

    [ParamsSource(nameof(Batches))]
    public int Batch { get; set; }

    /// <summary>LibTorch's intra-op threads and NetCompiler's <c>Threads</c>; the other contenders are single-threaded and run only at 1.</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    bool ICheckedCase.IsTraining => true;

    int ICheckedCase.TrainedOutputCount => Batch * MlpWeights.Classes;

    IReadOnlyList<Contender> ICheckedCase.Contenders =>
    [
        new(nameof(LibTorch), () => { SetupLibTorch(); return Contender.Train(LibTorch, _torch!.CopyParameters, _torch!.Outputs); }),
        new(nameof(TensorPrimitives), () =>
        {
            SetupTensorPrimitives();
            return Contender.Train(TensorPrimitives, _tensorPrimitives!.CopyParameters, () => Logits(_tensorPrimitives!.Forward));
        }),
        new(nameof(NetCompiler), () =>
        {
            SetupNetCompiler();
            return Contender.Train(NetCompiler, () => SharedWeights.Copy(_net!, NetCompilerNetworks.TwoLayerParameterNames), () => Logits(_net!.Forward));
        }),
    ];

    [GlobalSetup(Target = nameof(LibTorch))]
    public void SetupLibTorch()
    {
        CreateInputs();
        _torch = new TorchMlp(MlpWeights.Create(), _input, _labels, Threads);
    }

    [GlobalSetup(Target = nameof(TensorPrimitives))]
    public void SetupTensorPrimitives()
    {
        CreateInputs();
        _tensorPrimitives = new TensorPrimitivesMlp(MlpWeights.Create(), Batch, Hyper.LearningRate, Hyper.Momentum);
    }

    [GlobalSetup(Target = nameof(NetCompiler))]
    public void SetupNetCompiler()
    {
        CreateInputs();
        _net = NetCompilerNetworks.Mlp(Batch);
        _net.Threads = Threads;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torch?.Dispose();
        _torch = null;
        _tensorPrimitives = null;
        _net = null;
    }

    [Benchmark(Baseline = true)]
    public float LibTorch() => _torch!.TrainStep();

    [Benchmark]
    public float TensorPrimitives() => _tensorPrimitives!.TrainStep(_input, _labels);

    [Benchmark]
    public float NetCompiler() => _net!.TrainStep(_input, _labels);

    private void CreateInputs()
    {
        _input = Inputs.Images(Batch, MlpWeights.Inputs);
        _labels = Inputs.Labels(Batch, MlpWeights.Classes);
        _logits = new float[Batch * MlpWeights.Classes];
    }

    private float[] Logits(ForwardAction forward)
    {
        forward(_input, _logits);
        return [.. _logits];
    }

    private delegate void ForwardAction(ReadOnlySpan<float> input, Span<float> logits);
}
