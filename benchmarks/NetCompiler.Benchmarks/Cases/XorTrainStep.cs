using BenchmarkDotNet.Attributes;
using NetCompiler.Benchmarks.Data;
using NetCompiler.Benchmarks.Infrastructure;
using NetCompiler.Benchmarks.Peers;

namespace NetCompiler.Benchmarks.Cases;

/// <summary>XOR 2-8-1 train step on the four patterns: tanh hidden, sigmoid output, MSE, SGD (lr 0.5).</summary>
public class XorTrainStep : ICheckedCase
{
    public const int Batch = 4;

    /// <summary>Forward 24 + weight gradients 24 + hidden gradient 8 multiply-adds per sample.</summary>
    public const double FlopsPerStep = 448;

    private TorchXor? _torch;

    bool ICheckedCase.IsTraining => true;

    IReadOnlyList<Contender> ICheckedCase.Contenders =>
    [
        new(nameof(LibTorch), () => { SetupLibTorch(); return Contender.Train(LibTorch, _torch!.CopyParameters); }),
    ];

    [GlobalSetup(Target = nameof(LibTorch))]
    public void SetupLibTorch() => _torch = new TorchXor(XorWeights.Create());

    [GlobalCleanup]
    public void Cleanup()
    {
        _torch?.Dispose();
        _torch = null;
    }

    [Benchmark(Baseline = true)]
    public float LibTorch() => _torch!.TrainStep();
}
