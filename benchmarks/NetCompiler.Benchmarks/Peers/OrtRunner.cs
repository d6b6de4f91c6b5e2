using Microsoft.ML.OnnxRuntime;

namespace NetCompiler.Benchmarks.Peers;

/// <summary>
/// One ONNX Runtime session on one thread, with its input and output bound once to preallocated buffers
/// so that a measured <see cref="Run"/> is ORT's own work, not our allocations.
/// </summary>
internal sealed class OrtRunner : IDisposable
{
    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly OrtValue _inputValue;
    private readonly OrtValue _outputValue;
    private readonly OrtIoBinding _binding;
    private readonly float[] _output;

    public OrtRunner(byte[] model, float[] input, long[] inputShape, string inputName, long[] outputShape, string outputName, int threads = 1)
    {
        _options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(model, _options);
        _runOptions = new RunOptions();

        long outputLength = 1;
        foreach (long dim in outputShape)
        {
            outputLength *= dim;
        }

        _output = new float[outputLength];
        _inputValue = OrtValue.CreateTensorValueFromMemory(input, inputShape);
        _outputValue = OrtValue.CreateTensorValueFromMemory(_output, outputShape);
        _binding = _session.CreateIoBinding();
        _binding.BindInput(inputName, _inputValue);
        _binding.BindOutput(outputName, _outputValue);
    }

    public ReadOnlySpan<float> Output => _output;

    public void Run() => _session.RunWithBinding(_runOptions, _binding);

    public void Dispose()
    {
        _binding.Dispose();
        _outputValue.Dispose();
        _inputValue.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
        _options.Dispose();
    }
}
