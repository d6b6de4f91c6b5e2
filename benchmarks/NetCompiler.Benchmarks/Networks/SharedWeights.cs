using System.Globalization;
using NetCompiler.Benchmarks.Data;

namespace NetCompiler.Benchmarks.Networks;

/// <summary>Moves the shared PyTorch-layout weights into and out of a generated network by state-dict name.</summary>
internal static class SharedWeights
{
    /// <summary>State-dict tensors of a dense layer named <paramref name="name"/>.</summary>
    public static IEnumerable<(string Name, float[] Values)> Dense(string name, DenseWeights weights) =>
        [($"{name}.weight", weights.Weight), ($"{name}.bias", weights.Bias)];

    /// <summary>State-dict tensors of a convolution named <paramref name="name"/>.</summary>
    public static IEnumerable<(string Name, float[] Values)> Conv(string name, ConvWeights weights) =>
        [($"{name}.weight", weights.Weight), ($"{name}.bias", weights.Bias)];

    /// <summary>
    /// Copies every tensor into <paramref name="network"/>'s parameter of the same name; the network must have
    /// exactly these tensors, each with the same number of elements.
    /// </summary>
    public static void Load(INetwork network, IEnumerable<(string Name, float[] Values)> tensors)
    {
        int loaded = 0;
        foreach (var (name, values) in tensors)
        {
            ParameterInfo parameter = Find(network, name);
            if (parameter.Length != values.Length)
            {
                throw new ArgumentException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Parameter '{name}' has shape {parameter.ShapeText} ({parameter.Length} elements), but the shared weights have {values.Length} elements."));
            }

            values.CopyTo(network.Parameters.Slice(parameter.Offset, parameter.Length));
            loaded++;
        }

        if (loaded != network.ParameterLayout.Count)
        {
            throw new ArgumentException(string.Create(
                CultureInfo.InvariantCulture,
                $"The network has {network.ParameterLayout.Count} parameter tensors ({LayoutText(network)}), but {loaded} were loaded."));
        }
    }

    /// <summary>The named parameters concatenated in the given (PyTorch) order, for comparison with the peers.</summary>
    public static float[] Copy(INetwork network, IEnumerable<string> names)
    {
        var values = new List<float>();
        foreach (string name in names)
        {
            ParameterInfo parameter = Find(network, name);
            values.AddRange(network.Parameters.Slice(parameter.Offset, parameter.Length).ToArray());
        }

        return [.. values];
    }

    private static ParameterInfo Find(INetwork network, string name) =>
        network.ParameterLayout.FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"The network has no parameter '{name}'; it has {LayoutText(network)}.", nameof(name));

    private static string LayoutText(INetwork network) =>
        string.Join(", ", network.ParameterLayout.Select(p => $"{p.Name} {p.ShapeText}"));
}

/// <summary>The generated networks of the benchmark cases, each loaded with the weights every contender starts from.</summary>
internal static class NetCompilerNetworks
{
    /// <summary>PyTorch's parameter order of the two-layer networks, as the LibTorch peers' <c>CopyParameters</c> return it.</summary>
    public static readonly string[] TwoLayerParameterNames = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"];

    public static XorNet Xor()
    {
        XorWeights weights = XorWeights.Create();
        var network = new XorNet(batchCapacity: 4);
        SharedWeights.Load(network, [.. SharedWeights.Dense("fc1", weights.Fc1), .. SharedWeights.Dense("fc2", weights.Fc2)]);
        return network;
    }

    /// <summary>PyTorch's parameter order of LeNet-5, as <c>TorchLeNet.CopyParameters</c> returns it.</summary>
    public static readonly string[] LeNetParameterNames =
        ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"];

    public static LeNetNet LeNet(int batch) => LoadLeNet(new LeNetNet(batchCapacity: batch));

    public static LeNetInferenceNet LeNetInference(int batch) => LoadLeNet(new LeNetInferenceNet(batchCapacity: batch));

    public static MlpNet Mlp(int batch) => LoadMlp(new MlpNet(batchCapacity: batch));

    public static MlpInferenceNet MlpInference(int batch) => LoadMlp(new MlpInferenceNet(batchCapacity: batch));

    private static T LoadLeNet<T>(T network)
        where T : INetwork
    {
        LeNetWeights weights = LeNetWeights.Create();
        SharedWeights.Load(network,
        [
            .. SharedWeights.Conv("conv1", weights.Conv1), .. SharedWeights.Conv("conv2", weights.Conv2),
            .. SharedWeights.Dense("fc1", weights.Fc1), .. SharedWeights.Dense("fc2", weights.Fc2), .. SharedWeights.Dense("fc3", weights.Fc3),
        ]);
        return network;
    }

    private static T LoadMlp<T>(T network)
        where T : INetwork
    {
        MlpWeights weights = MlpWeights.Create();
        SharedWeights.Load(network, [.. SharedWeights.Dense("fc1", weights.Fc1), .. SharedWeights.Dense("fc2", weights.Fc2)]);
        return network;
    }
}
