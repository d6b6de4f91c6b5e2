using BenchmarkDotNet.Attributes;
using NetCompiler.Benchmarks.Data;
using NetCompiler.Benchmarks.Infrastructure;
using NetCompiler.Benchmarks.Networks;
using NetCompiler.Benchmarks.Onnx;
using NetCompiler.Benchmarks.Peers;

namespace NetCompiler.Benchmarks.Cases;

/// <summary>MLP 784-128-10 inference to logits, 1 thread in every contender.</summary>
public class MlpInference : ICheckedCase
{
    /// <summary>784 x 128 + 128 x 10 multiply-adds per sample.</summary>
    public const double FlopsPerSample = 203_264;

    private float[] _input = []; // [batch, 784]
    private float[] _logits = []; // [batch, 10]
    private TorchMlp? _torch;
    private OrtRunner? _onnxRuntime;
    private TensorPrimitivesMlp? _tensorPrimitives;
    private MlpInferenceNet? _net;

    public static IEnumerable<int> Batches => [1, 32, 256];

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
        new(nameof(TensorPrimitives), () => { SetupTensorPrimitives(); TensorPrimitives(); return [.. _logits]; }),
        new(nameof(NetCompiler), () => { SetupNetCompiler(); NetCompiler(); return [.. _logits]; }),
    ];

    [GlobalSetup(Target = nameof(LibTorch))]
    public void SetupLibTorch()
    {
        CreateInputs();
        _torch = new TorchMlp(MlpWeights.Create(), _input, Inputs.Labels(Batch, MlpWeights.Classes), Threads);
    }

    [GlobalSetup(Target = nameof(OnnxRuntime))]
    public void SetupOnnxRuntime()
    {
        CreateInputs();
        _onnxRuntime = new OrtRunner(
            OnnxModels.Mlp(MlpWeights.Create(), Batch),
            _input, [Batch, MlpWeights.Inputs], OnnxModels.InputName,
            [Batch, MlpWeights.Classes], OnnxModels.OutputName, Threads);
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
        _net = NetCompilerNetworks.MlpInference(Batch);
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
        _tensorPrimitives = null;
        _net = null;
    }

    [Benchmark(Baseline = true)]
    public void LibTorch() => _torch!.Infer([]);

    [Benchmark]
    public void OnnxRuntime() => _onnxRuntime!.Run();

    [Benchmark]
    public void TensorPrimitives() => _tensorPrimitives!.Forward(_input, _logits);

    [Benchmark]
    public void NetCompiler() => _net!.Forward(_input, _logits);

    private void CreateInputs()
    {
        _input = Inputs.Images(Batch, MlpWeights.Inputs);
        _logits = new float[Batch * MlpWeights.Classes];
    }
}
