using TorchSharp.PyBridge;
using Xunit;

namespace NetCompiler.Oracle.Tests.Generated;

/// <summary>
/// Generated <c>Save</c>/<c>Load</c> against TorchSharp.PyBridge's safetensors reader and writer. Values cross the file
/// unchanged, so parameters must be bit-equal; outputs of the two implementations then agree within the forward
/// tolerance of <see cref="GeneratedNetworkOracleTests"/> (2e-5 relative + 2e-6 absolute, float32 summation order).
/// </summary>
public sealed class GeneratedSafetensorsTests : IDisposable
{
    private const double OutputRelative = 2e-5;
    private const double OutputAbsolute = 2e-6;
    private const int Batch = 7;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "netcompiler-oracle-" + Guid.NewGuid().ToString("N"));

    public GeneratedSafetensorsTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string> Names => ["ce-nesterov-decay", "bce-adagrad", "lenet-ce-momentum"]; // named layers; a layer without bias; conv weights

    [Theory]
    [MemberData(nameof(Names))]
    public void SaveToStream_IsLoadedByPyBridge_WithTheSameParametersAndOutputs(string name)
    {
        (OracleCase oracle, Persisted network) = Trained(name);
        using TorchModel model = oracle.CreateTorch();
        using var stream = new MemoryStream();

        network.Save(stream);
        stream.Position = 0;
        var loaded = new Dictionary<string, bool>();
        model.Module.load_safetensors(stream, strict: true, skip: null, loadedParameters: loaded, leaveOpen: true);

        Assert.Equal(network.Network.ParameterLayout.Select(p => p.Name).Order(), loaded.Where(p => p.Value).Select(p => p.Key).Order());
        AssertSameParameters(network.Network, model);
        AssertSameOutputs(network.Network, model);
    }

    [Fact]
    public void SaveToPath_IsLoadedByPyBridgeFromThePath()
    {
        (OracleCase oracle, Persisted network) = Trained("mse-adam");
        using TorchModel model = oracle.CreateTorch();
        string path = Path.Combine(_directory, "mse-adam.safetensors");

        network.SavePath(path);
        model.Module.load_safetensors(path, strict: true);

        AssertSameParameters(network.Network, model);
        AssertSameOutputs(network.Network, model);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void PyBridgeFile_LoadsFromPath_WithTheSameParametersAndOutputs(string name)
    {
        OracleCase oracle = OracleCase.Get(name);
        Persisted network = Persisted.Create(oracle);
        using TorchModel model = oracle.CreateTorch();
        string path = Path.Combine(_directory, name + ".safetensors");
        Assert.NotEqual(model.GetParameters(network.Network.ParameterLayout), network.Network.Parameters.ToArray());

        model.Module.save_safetensors(path);
        network.LoadPath(path);

        AssertSameParameters(network.Network, model);
        AssertSameOutputs(network.Network, model);
    }

    [Fact]
    public void PyBridgeStream_LoadsFromStream_WithTheSameParametersAndOutputs()
    {
        OracleCase oracle = OracleCase.Get("perceptron-sgd");
        Persisted network = Persisted.Create(oracle);
        using TorchModel model = oracle.CreateTorch();
        using var stream = new MemoryStream();

        model.Module.save_safetensors(stream, skip: null, leaveOpen: true);
        stream.Position = 0;
        network.Load(stream);

        AssertSameParameters(network.Network, model);
        AssertSameOutputs(network.Network, model);
    }

    [Fact]
    public void PyBridgeFileOfAnotherShape_FailsNamingEachTensorAndBothShapes_AndLeavesParametersAlone()
    {
        Persisted network = Persisted.Create(OracleCase.Get("ce-momentum"));
        float[] before = network.Network.Parameters.ToArray();
        string path = Path.Combine(_directory, "hidden16.safetensors");

        // The generated network is 13-17-9-5; this file is 13-16-9-5, so three tensors disagree.
        using (TorchModel narrow = TorchOracle.Sequential(
            [13],
            [TorchLayer.Linear(13, 16), TorchLayer.ReLU(), TorchLayer.Linear(16, 9), TorchLayer.Tanh(), TorchLayer.Linear(9, 5)],
            seed: 8))
        {
            narrow.Module.save_safetensors(path);
        }

        var error = Assert.Throws<InvalidDataException>(() => network.LoadPath(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("tensor '0.weight' has shape [16, 13], expected [17, 13]", error.Message);
        Assert.Contains("tensor '0.bias' has shape [16], expected [17]", error.Message);
        Assert.Contains("tensor '2.weight' has shape [9, 16], expected [9, 17]", error.Message);
        Assert.DoesNotContain("'2.bias'", error.Message);
        Assert.Equal(before, network.Network.Parameters.ToArray());
    }

    /// <summary>A generated network after 3 training steps, so biases are no longer zero and every value is distinct.</summary>
    private static (OracleCase Oracle, Persisted Network) Trained(string name)
    {
        OracleCase oracle = OracleCase.Get(name);
        Persisted network = Persisted.Create(oracle);
        for (int step = 0; step < 3; step++)
        {
            float[] input = oracle.Input(4000 + step, Batch); // [batch, ..inputShape]
            if (oracle.UsesLabels)
            {
                ((ILabelTrainable)network.Network).TrainStep(input, OracleCase.Labels(4100 + step, Batch, network.Network.OutputSize));
            }
            else
            {
                ((ITargetTrainable)network.Network).TrainStep(input, oracle.Targets(4100 + step, Batch, network.Network.OutputSize));
            }
        }

        foreach (ParameterInfo info in network.Network.ParameterLayout)
        {
            Assert.Contains(network.Network.Parameters.Slice(info.Offset, info.Length).ToArray(), v => v != 0);
        }

        return (oracle, network);
    }

    private static void AssertSameParameters(INetwork network, TorchModel model)
    {
        foreach (ParameterInfo info in network.ParameterLayout)
        {
            Assert.Equal(model.GetParameter(info.Name), network.Parameters.Slice(info.Offset, info.Length).ToArray());
        }
    }

    private static void AssertSameOutputs(INetwork network, TorchModel model)
    {
        float[] input = TestData.Uniform(4200, Batch * network.InputSize, -2, 2); // [batch, ..inputShape]
        var output = new float[Batch * network.OutputSize]; // [batch, outputSize]

        network.Forward(input, output);

        Tolerance.AssertClose(model.Forward(input), output, OutputRelative, OutputAbsolute, "output");
    }

    /// <summary>A generated network with its Save/Load overloads, which are members of each class rather than of an interface.</summary>
    private sealed record Persisted(ITrainableNetwork Network, Action<Stream> Save, Action<string> SavePath, Action<Stream> Load, Action<string> LoadPath)
    {
        public static Persisted Create(OracleCase oracle) => oracle.Create() switch
        {
            CrossEntropyMomentumMlp n => new(n, n.Save, n.Save, n.Load, n.Load),
            CrossEntropyNesterovMlp n => new(n, n.Save, n.Save, n.Load, n.Load),
            MseAdamMlp n => new(n, n.Save, n.Save, n.Load, n.Load),
            BceAdagradMlp n => new(n, n.Save, n.Save, n.Load, n.Load),
            PerceptronMlp n => new(n, n.Save, n.Save, n.Load, n.Load),
            SoftmaxMseAdamMlp n => new(n, n.Save, n.Save, n.Load, n.Load),
            SmallLeNet n => new(n, n.Save, n.Save, n.Load, n.Load),
            StridedConvNet n => new(n, n.Save, n.Save, n.Load, n.Load),
            ITrainableNetwork other => throw new ArgumentException($"No Save/Load binding for {other.GetType().Name}.", nameof(oracle)),
        };
    }
}
