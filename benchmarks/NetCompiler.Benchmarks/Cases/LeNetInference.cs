using BenchmarkDotNet.Attributes;
using NetCompiler.Benchmarks.Data;
using NetCompiler.Benchmarks.Infrastructure;
using NetCompiler.Benchmarks.Networks;
using NetCompiler.Benchmarks.Onnx;
using NetCompiler.Benchmarks.Peers;

namespace NetCompiler.Benchmarks.Cases;

/// <summary>LeNet-5 inference to logits, 1 thread in every contender.</summary>
public class LeNetInference : ICheckedCase
{
    /// <summary>conv1 86,400 + conv2 153,600 + fc 41,640 multiply-adds per sample.</summary>
    public const double FlopsPerSample = 563_280;

    private float[] _input = []; // [batch, 1, 28, 28]
    private float[] _logits = []; // [batch, 10]
    private TorchLeNet? _torch;
    private OrtRunner? _onnxRuntime;
    private LeNetInferenceNet? _net;

    public static IEnumerable<int> Batches => [1, 32];

    [ParamsSource(nameof(Batches))]
    public int Batch { get; set; }

    /// <summary>Threads of LibTorch, ONNX Runtime (intra-op) and NetCompiler; the TensorPrimitives baseline runs only at 1.</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    bool ICheckedCase.IsTraining => false;

    IReadOnlyList<Contender> ICheckedCase.Contenders =>
    [
        new(nameof(LibTorch), () => { SetupLibTorch(); _torch!.Infer(_logits); return [.. _logits]; }),
        new(nameof(OnnxRuntime), () => { SetupOnnxRuntime(); OnnxRuntime(); return _onnxRuntime!.Output.ToArray(); }),
        new(nameof(NetCompiler), () => { SetupNetCompiler(); NetCompiler(); return [.. _logits]; }),
    ];

    [GlobalSetup(Target = nameof(LibTorch))]
    public void SetupLibTorch()
    {
        CreateInputs();
        _torch = new TorchLeNet(LeNetWeights.Create(), _input, Inputs.Labels(Batch, LeNetWeights.Classes), Threads);
    }

    [GlobalSetup(Target = nameof(OnnxRuntime))]
    public void SetupOnnxRuntime()
    {
        CreateInputs();
        _onnxRuntime = new OrtRunner(
            OnnxModels.LeNet(LeNetWeights.Create(), Batch),
            _input, [Batch, LeNetWeights.Channels, LeNetWeights.Height, LeNetWeights.Width], OnnxModels.InputName,
            [Batch, LeNetWeights.Classes], OnnxModels.OutputName, Threads);
    }

    [GlobalSetup(Target = nameof(NetCompiler))]
    public void SetupNetCompiler()
    {
        CreateInputs();
        _net = NetCompilerNetworks.LeNetInference(Batch);
        _net.Threads = Threads;
        _net.Mode = NetworkMode.Inference;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torch?.Dispose();
        _torch = null;
        _onnxRuntime?.Dispose();
        _onnxRuntime = null;
        _net = null;
    }

    [Benchmark(Baseline = true)]
    public void LibTorch() => _torch!.Infer([]);

    [Benchmark]
    public void OnnxRuntime() => _onnxRuntime!.Run();

    [Benchmark]
    public void NetCompiler() => _net!.Forward(_input, _logits);

    private void CreateInputs()
    {
        _input = Inputs.Images(Batch, LeNetWeights.InputSize);
        _logits = new float[Batch * LeNetWeights.Classes];
    }
}
