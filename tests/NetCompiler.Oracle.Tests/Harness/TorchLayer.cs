using TorchSharp;
using static TorchSharp.torch;

namespace NetCompiler.Oracle.Tests;

/// <summary>One module of an <c>nn.Sequential</c> built by <see cref="TorchOracle.Sequential"/>.</summary>
public abstract record TorchLayer
{
    /// <summary>The module's name in the Sequential (as a NetCompiler layer's <c>Name</c>); null for its index.</summary>
    public string? Name { get; init; }

    /// <summary><c>nn.Linear(in, out)</c>: weight <c>[out, in]</c>, bias <c>[out]</c>.</summary>
    public static TorchLayer Linear(int inFeatures, int outFeatures, bool bias = true) => new LinearLayer(inFeatures, outFeatures, bias);

    /// <summary><c>nn.Conv2d</c> with a square kernel: weight <c>[outChannels, inChannels, kernel, kernel]</c>, bias <c>[outChannels]</c>.</summary>
    public static TorchLayer Conv2d(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, bool bias = true) =>
        new Conv2dLayer(inChannels, outChannels, kernel, stride, padding, bias);

    /// <summary><c>nn.MaxPool2d(kernel, stride)</c>; stride defaults to the kernel size, as in PyTorch.</summary>
    public static TorchLayer MaxPool2d(int kernel, int? stride = null) => new MaxPool2dLayer(kernel, stride ?? kernel);

    /// <summary><c>nn.AvgPool2d(kernel, stride)</c>; stride defaults to the kernel size, as in PyTorch.</summary>
    public static TorchLayer AvgPool2d(int kernel, int? stride = null) => new AvgPool2dLayer(kernel, stride ?? kernel);

    /// <summary><c>nn.Flatten()</c>: <c>[batch, c, h, w]</c> to <c>[batch, c * h * w]</c>.</summary>
    public static TorchLayer Flatten() => new ActivationLayer("flatten");

    /// <summary><c>nn.ReLU()</c>.</summary>
    public static TorchLayer ReLU() => new ActivationLayer("relu");

    /// <summary><c>nn.Tanh()</c>.</summary>
    public static TorchLayer Tanh() => new ActivationLayer("tanh");

    /// <summary><c>nn.Sigmoid()</c>.</summary>
    public static TorchLayer Sigmoid() => new ActivationLayer("sigmoid");

    /// <summary><c>nn.Identity()</c>: a module that takes a Sequential index, as an explicit NetCompiler <c>[Identity]</c> layer does.</summary>
    public static TorchLayer Identity() => new ActivationLayer("identity");

    /// <summary><c>nn.Softmax(dim: 1)</c>: over the features of each sample.</summary>
    public static TorchLayer Softmax() => new ActivationLayer("softmax");

    /// <summary>The activation named <paramref name="name"/> (relu, tanh, sigmoid), or null for identity ("identity", "none", "").</summary>
    public static TorchLayer? Activation(string name) => name.ToLowerInvariant() switch
    {
        "relu" => ReLU(),
        "tanh" => Tanh(),
        "sigmoid" => Sigmoid(),
        "identity" or "none" or "" => null,
        _ => throw new ArgumentException($"Unknown activation '{name}': expected relu, tanh, sigmoid or identity.", nameof(name)),
    };

    internal abstract nn.Module<Tensor, Tensor> Create();

    private sealed record LinearLayer(int InFeatures, int OutFeatures, bool Bias) : TorchLayer
    {
        internal override nn.Module<Tensor, Tensor> Create() => nn.Linear(InFeatures, OutFeatures, Bias);
    }

    private sealed record Conv2dLayer(int InChannels, int OutChannels, int Kernel, int Stride, int Padding, bool Bias) : TorchLayer
    {
        internal override nn.Module<Tensor, Tensor> Create() =>
            nn.Conv2d(InChannels, OutChannels, Kernel, stride: Stride, padding: Padding, bias: Bias);
    }

    private sealed record MaxPool2dLayer(int Kernel, int Stride) : TorchLayer
    {
        internal override nn.Module<Tensor, Tensor> Create() => nn.MaxPool2d(Kernel, Stride);
    }

    private sealed record AvgPool2dLayer(int Kernel, int Stride) : TorchLayer
    {
        internal override nn.Module<Tensor, Tensor> Create() => nn.AvgPool2d(Kernel, Stride);
    }

    private sealed record ActivationLayer(string Kind) : TorchLayer
    {
        internal override nn.Module<Tensor, Tensor> Create() => Kind switch
        {
            "relu" => nn.ReLU(),
            "tanh" => nn.Tanh(),
            "sigmoid" => nn.Sigmoid(),
            "flatten" => nn.Flatten(),
            "identity" => nn.Identity(),
            "softmax" => nn.Softmax(1),
            _ => throw new InvalidOperationException($"Unknown layer '{Kind}'."),
        };
    }
}
