using NetCompiler.Compiler;
using NetCompiler.Compiler.Emit;
using NetCompiler.Compiler.Model;
using Xunit;

namespace NetCompiler.Cuda.Tests;

using LossKind = NetCompiler.Compiler.Model.LossKind;

/// <summary>The declarations of GpuNetworks.cs as specs, so tests can run the compiler on them directly.</summary>
internal static class GpuNetworkSpecs
{
    private static LayerSpec Dense(int units, string? name = null, bool bias = true) => new(LayerKind.Dense, name, units, bias);

    private static LayerSpec Act(ActivationKind activation) => new(LayerKind.Activation, null, Activation: activation);

    private static LayerSpec Conv(int channels, int kernel, string name, int stride = 1, int padding = 0, bool bias = true) =>
        new(LayerKind.Conv2D, name, channels, bias, Kernel: kernel, Stride: stride, Padding: padding);

    private static LayerSpec MaxPool(int kernel, int? stride = null) => new(LayerKind.MaxPool2D, null, Kernel: kernel, Stride: stride ?? kernel);

    private static LayerSpec AvgPool(int kernel) => new(LayerKind.AvgPool2D, null, Kernel: kernel, Stride: kernel);

    private static LayerSpec Flatten() => new(LayerKind.Flatten, null);

    private static LayerSpec Dropout(float rate) => new(LayerKind.Dropout, null, Rate: rate);

    private static NetworkSpec Spec(string name, int input, LossKind? loss, OptimizerSpec? optimizer, int seed, params LayerSpec[] layers) =>
        Spec(name, [input], loss, optimizer, seed, layers);

    private static NetworkSpec Spec(string name, int[] input, LossKind? loss, OptimizerSpec? optimizer, int seed, params LayerSpec[] layers) =>
        new("NetCompiler.Cuda.Tests", name, "public", EquatableArray<string>.Empty, input.ToEquatableArray(), layers.ToEquatableArray(), loss, optimizer, seed);

    public static readonly Dictionary<string, NetworkSpec> All = new[]
    {
        Spec("GpuClassifier", 6, LossKind.SoftmaxCrossEntropy, new OptimizerSpec(OptimizerKind.Sgd, 0.1f, Momentum: 0.9f), 3,
            Dense(20), Act(ActivationKind.ReLU), Dense(12), Act(ActivationKind.Tanh), Dense(5)),
        Spec("GpuRegressor", 5, LossKind.MeanSquaredError, new OptimizerSpec(OptimizerKind.Adam, 0.01f, WeightDecay: 0.001f), 4,
            Dense(9, "hidden"), Act(ActivationKind.Sigmoid), Dense(3, "out"), Act(ActivationKind.Tanh)),
        Spec("GpuBinary", 4, LossKind.BinaryCrossEntropy, new OptimizerSpec(OptimizerKind.Adagrad, 0.05f, WeightDecay: 0.01f, Epsilon: 1e-10f), 5,
            Dense(7), Act(ActivationKind.Tanh), Dense(2), Act(ActivationKind.Sigmoid)),
        Spec("GpuPerceptron", 3, LossKind.Perceptron, new OptimizerSpec(OptimizerKind.Sgd, 0.1f, WeightDecay: 0.01f, Momentum: 0.5f, Nesterov: true), 6,
            Dense(1, bias: false)),
        Spec("GpuSoftmaxHead", 4, LossKind.MeanSquaredError, new OptimizerSpec(OptimizerKind.Sgd, 0.5f), 7,
            Dense(70), Act(ActivationKind.ReLU), Dense(6), Act(ActivationKind.Softmax)),
        Spec("GpuForwardOnly", 3, null, null, 8,
            Dense(4), Act(ActivationKind.ReLU), Dense(2)),
        Spec("GpuMnistMlp", 784, LossKind.SoftmaxCrossEntropy, new OptimizerSpec(OptimizerKind.Sgd, 0.1f, Momentum: 0.9f), 42,
            Dense(128, "fc1"), Act(ActivationKind.ReLU), Dense(10, "fc2")),
        Spec("GpuLeNet", [1, 10, 10], LossKind.SoftmaxCrossEntropy, new OptimizerSpec(OptimizerKind.Adam, 0.01f), 9,
            Conv(4, 3, "conv1"), Act(ActivationKind.ReLU), MaxPool(2),
            Conv(6, 3, "conv2", padding: 1), AvgPool(2),
            Flatten(),
            Dense(8, "fc1"), Act(ActivationKind.ReLU), Dropout(0.3f),
            Dense(5, "fc2")),
        Spec("GpuStridedConv", [2, 9, 9], LossKind.MeanSquaredError, new OptimizerSpec(OptimizerKind.Sgd, 0.1f, Momentum: 0.9f), 10,
            Conv(4, 3, "conv1", stride: 2, padding: 1), Act(ActivationKind.Tanh),
            Conv(3, 3, "conv2", stride: 2, padding: 1, bias: false), Act(ActivationKind.Sigmoid),
            MaxPool(2, stride: 1),
            Flatten(), Dropout(0.5f),
            Dense(3, "fc")),
        Spec("GpuLeNet5", [1, 28, 28], LossKind.SoftmaxCrossEntropy, new OptimizerSpec(OptimizerKind.Adam, 2e-3f), 42,
            Conv(6, 5, "conv1"), Act(ActivationKind.ReLU), MaxPool(2),
            Conv(16, 5, "conv2"), Act(ActivationKind.ReLU), MaxPool(2),
            Flatten(),
            Dense(120, "fc1"), Act(ActivationKind.ReLU), Dropout(0.25f),
            Dense(84, "fc2"), Act(ActivationKind.ReLU), Dropout(0.25f),
            Dense(10, "fc3")),
    }.ToDictionary(s => s.ClassName);

    public static GpuProgram Program(string name)
    {
        var spec = All[name];
        var (graph, plan) = NetworkCompiler.Plan(spec);
        return PtxEmitter.Emit(spec, graph, plan);
    }

    /// <summary>The generated module text of each declared network, read from its generated Gpu class.</summary>
    public static string GeneratedPtx(string name) => System.Text.Encoding.UTF8.GetString(name switch
    {
        "GpuClassifier" => GpuClassifier.Gpu.Ptx,
        "GpuRegressor" => GpuRegressor.Gpu.Ptx,
        "GpuBinary" => GpuBinary.Gpu.Ptx,
        "GpuPerceptron" => GpuPerceptron.Gpu.Ptx,
        "GpuSoftmaxHead" => GpuSoftmaxHead.Gpu.Ptx,
        "GpuForwardOnly" => GpuForwardOnly.Gpu.Ptx,
        "GpuMnistMlp" => GpuMnistMlp.Gpu.Ptx,
        "GpuLeNet" => GpuLeNet.Gpu.Ptx,
        "GpuStridedConv" => GpuStridedConv.Gpu.Ptx,
        "GpuLeNet5" => GpuLeNet5.Gpu.Ptx,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown network."),
    });
}

/// <summary>Runs a plan on the PTX emulator.</summary>
internal sealed class EmulatedBackend : IGpuBackend
{
    private PtxEmulator? _emulator;
    private string[] _kernels = [];

    /// <summary>Number of kernel launches so far.</summary>
    public int Launches { get; private set; }

    public void LoadModule(ReadOnlySpan<byte> ptx, IReadOnlyList<string> kernelNames)
    {
        _emulator = new PtxEmulator(System.Text.Encoding.UTF8.GetString(ptx).TrimEnd('\0'));
        _kernels = kernelNames.ToArray();
        foreach (string name in _kernels)
        {
            if (!_emulator.HasKernel(name))
            {
                throw new InvalidOperationException($"The module has no kernel '{name}'.");
            }
        }
    }

    public ulong Allocate(int length) => Emulator.Allocate(length);

    public void CopyToDevice(ReadOnlySpan<byte> source, ulong destination) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(source).CopyTo(Emulator.Buffer(destination).AsSpan(Offset(destination)));

    public void CopyToHost(ulong source, Span<byte> destination) =>
        Emulator.Buffer(source).AsSpan(Offset(source), destination.Length / 4).CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(destination));

    public void Launch(int kernel, CudaDim3 grid, CudaDim3 block, int sharedMemoryBytes, ReadOnlySpan<ulong> arguments)
    {
        Assert.Equal(1u, grid.Z);
        Assert.Equal(1u, block.Z);
        Launches++;
        Emulator.Launch(_kernels[kernel], ((int)grid.X, (int)grid.Y), ((int)block.X, (int)block.Y), sharedMemoryBytes, arguments.ToArray().Select(a => (object)a).ToArray());
    }

    public void Dispose()
    {
    }

    private PtxEmulator Emulator => _emulator ?? throw new InvalidOperationException("No module loaded.");

    private static int Offset(ulong address) => (int)(address & 0xFFFF_FFFF) / 4;
}
