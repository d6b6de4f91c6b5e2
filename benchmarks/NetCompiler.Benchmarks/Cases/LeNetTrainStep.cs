using BenchmarkDotNet.Attributes;
using NetCompiler.Benchmarks.Data;
using NetCompiler.Benchmarks.Infrastructure;
using NetCompiler.Benchmarks.Networks;
using NetCompiler.Benchmarks.Peers;

namespace NetCompiler.Benchmarks.Cases;

/// <summary>LeNet-5 train step: softmax cross-entropy (mean), SGD lr 0.01 momentum 0.9.</summary>
public class LeNetTrainStep : ICheckedCase
{
    /// <summary>Forward 281,640 + weight gradients 281,640 + input gradients (all but conv1) 195,240 multiply-adds per sample.</summary>
    public const double FlopsPerSample = 1_517_040;

    private float[] _input = []; // [batch, 1, 28, 28]
    private int[] _labels = []; // [batch]
    private float[] _logits = []; // [batch, 10], only for the agreement check
    private TorchLeNet? _torch;
    private LeNetNet? _net;

    public static IEnumerable<int> Batches => [1, 32, 128];

    [ParamsSource(nameof(Batches))]
    public int Batch { get; set; }

    /// <summary>LibTorch's intra-op threads and NetCompiler's <c>Threads</c>.</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    bool ICheckedCase.IsTraining => true;

    int ICheckedCase.TrainedOutputCount => Batch * LeNetWeights.Classes;

    IReadOnlyList<Contender> ICheckedCase.Contenders =>
    [
        new(nameof(LibTorch), () => { SetupLibTorch(); return Contender.Train(LibTorch, _torch!.CopyParameters, _torch!.Outputs); }),
        new(nameof(NetCompiler), () =>
        {
            SetupNetCompiler();
            return Contender.Train(NetCompiler, () => SharedWeights.Copy(_net!, NetCompilerNetworks.LeNetParameterNames), NetCompilerOutputs);
        }),
    ];

    [GlobalSetup(Target = nameof(LibTorch))]
    public void SetupLibTorch()
    {
        CreateInputs();
        _torch = new TorchLeNet(LeNetWeights.Create(), _input, _labels, Threads);
    }

    [GlobalSetup(Target = nameof(NetCompiler))]
    public void SetupNetCompiler()
    {
        CreateInputs();
        _net = NetCompilerNetworks.LeNet(Batch);
        _net.Threads = Threads;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torch?.Dispose();
        _torch = null;
        _net = null;
    }

    [Benchmark(Baseline = true)]
    public float LibTorch() => _torch!.TrainStep();

    [Benchmark]
    public float NetCompiler() => _net!.TrainStep(_input, _labels);

    private void CreateInputs()
    {
        _input = Inputs.Images(Batch, LeNetWeights.InputSize);
        _labels = Inputs.Labels(Batch, LeNetWeights.Classes);
        _logits = new float[Batch * LeNetWeights.Classes];
    }

    private float[] NetCompilerOutputs()
    {
        _net!.Forward(_input, _logits);
        return [.. _logits];
    }
}
