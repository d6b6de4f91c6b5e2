using BenchmarkDotNet.Attributes;
using NetCompiler.Benchmarks.Data;
using NetCompiler.Benchmarks.Infrastructure;
using NetCompiler.Benchmarks.Networks;
using NetCompiler.Benchmarks.Peers;

namespace NetCompiler.Benchmarks.Cases;

/// <summary>XOR 2-8-1 train step on the four patterns: tanh hidden, sigmoid output, MSE, SGD (lr 0.5).</summary>
public class XorTrainStep : ICheckedCase
{
    public const int Batch = 4;

    /// <summary>Forward 24 + weight gradients 24 + hidden gradient 8 multiply-adds per sample.</summary>
    public const double FlopsPerStep = 448;

    private readonly float[] _input = XorWeights.Input(); // [4, 2]
    private readonly float[] _targets = XorWeights.Target(); // [4, 1]
    private readonly float[] _outputs = new float[Batch * XorWeights.Outputs]; // [4, 1]
    private TorchXor? _torch;
    private XorNet? _net;

    bool ICheckedCase.IsTraining => true;

    int ICheckedCase.TrainedOutputCount => Batch * XorWeights.Outputs;

    IReadOnlyList<Contender> ICheckedCase.Contenders =>
    [
        new(nameof(LibTorch), () => { SetupLibTorch(); return Contender.Train(LibTorch, _torch!.CopyParameters, _torch!.Outputs); }),
        new(nameof(NetCompiler), () =>
        {
            SetupNetCompiler();
            return Contender.Train(NetCompiler, () => SharedWeights.Copy(_net!, NetCompilerNetworks.TwoLayerParameterNames), NetCompilerOutputs);
        }),
    ];

    [GlobalSetup(Target = nameof(LibTorch))]
    public void SetupLibTorch() => _torch = new TorchXor(XorWeights.Create());

    [GlobalSetup(Target = nameof(NetCompiler))]
    public void SetupNetCompiler() => _net = NetCompilerNetworks.Xor();

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
    public float NetCompiler() => _net!.TrainStep(_input, _targets);

    private float[] NetCompilerOutputs()
    {
        _net!.Forward(_input, _outputs);
        return [.. _outputs];
    }
}
