using TorchSharp;
using static TorchSharp.torch;

namespace NetCompiler.Oracle.Tests;

/// <summary>Builds LibTorch models (float32, one thread) that tests compare NetCompiler networks against.</summary>
public static class TorchOracle
{
    private static readonly Lock s_initLock = new();
    private static bool s_initialized;

    /// <summary>
    /// A multilayer perceptron <c>nn.Sequential(Linear, act, Linear, act, ...)</c>; identity activations add no module,
    /// so names follow PyTorch's indices (<c>0.weight</c>, <c>2.weight</c> for Linear, Tanh, Linear).
    /// </summary>
    /// <param name="sizes">Layer widths, input first: <c>[2, 8, 1]</c>.</param>
    /// <param name="activations">One per linear layer: relu, tanh, sigmoid or identity.</param>
    /// <param name="weights">Per linear layer, <c>[out, in]</c> row-major.</param>
    /// <param name="biases">Per linear layer, <c>[out]</c>.</param>
    public static TorchModel Mlp(int[] sizes, string[] activations, float[][] weights, float[][] biases)
    {
        int layers = sizes.Length - 1;
        if (weights.Length != layers || biases.Length != layers)
        {
            throw new ArgumentException($"Expected {layers} weight and bias arrays for sizes [{string.Join(", ", sizes)}], got {weights.Length} and {biases.Length}.");
        }

        TorchModel model = Mlp(sizes, activations);
        for (int i = 0; i < layers; i++)
        {
            int index = model.LinearIndices[i];
            model.SetParameter($"{index}.weight", weights[i]);
            model.SetParameter($"{index}.bias", biases[i]);
        }

        return model;
    }

    /// <summary>A multilayer perceptron with PyTorch's default initialization under <paramref name="seed"/>.</summary>
    public static TorchModel Mlp(int[] sizes, string[] activations, int seed = 0)
    {
        if (sizes.Length < 2 || activations.Length != sizes.Length - 1)
        {
            throw new ArgumentException($"Expected at least 2 sizes and one activation per layer, got {sizes.Length} sizes and {activations.Length} activations.");
        }

        var layers = new List<TorchLayer>();
        for (int i = 0; i < activations.Length; i++)
        {
            layers.Add(TorchLayer.Linear(sizes[i], sizes[i + 1]));
            if (TorchLayer.Activation(activations[i]) is TorchLayer activation)
            {
                layers.Add(activation);
            }
        }

        return Sequential([sizes[0]], layers, seed);
    }

    /// <summary><c>nn.Sequential</c> of <paramref name="layers"/>, initialized by PyTorch's defaults under <paramref name="seed"/>.</summary>
    /// <param name="inputShape">Shape of one sample: <c>[784]</c>, or <c>[1, 28, 28]</c> for a conv net.</param>
    /// <param name="layers">The modules, named <c>0</c>, <c>1</c>, ... as in PyTorch unless a layer has a <see cref="TorchLayer.Name"/>.</param>
    /// <param name="seed">Seed for <c>torch.manual_seed</c> before the modules are created.</param>
    public static TorchModel Sequential(int[] inputShape, IEnumerable<TorchLayer> layers, int seed = 0)
    {
        EnsureInitialized();

        // The seed is global: tests running in parallel must not interleave seeding and initialization.
        lock (s_initLock)
        {
            torch.manual_seed(seed);

            // Modules are created outside any dispose scope: a scope would free their parameters when it ends.
            var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
            var linearIndices = new List<int>();
            foreach (TorchLayer layer in layers)
            {
                nn.Module<Tensor, Tensor> module = layer.Create();
                if (module is TorchSharp.Modules.Linear)
                {
                    linearIndices.Add(modules.Count);
                }

                modules.Add((layer.Name ?? modules.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module));
            }

            return new TorchModel(nn.Sequential(modules), inputShape, linearIndices);
        }
    }

    /// <summary>Single-threaded so results are deterministic and timings comparable.</summary>
    internal static void EnsureInitialized()
    {
        lock (s_initLock)
        {
            if (!s_initialized)
            {
                torch.set_num_threads(1);
                s_initialized = true;
            }
        }
    }
}
