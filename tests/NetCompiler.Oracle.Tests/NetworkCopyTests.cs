using NetCompiler.Reference;
using Xunit;

namespace NetCompiler.Oracle.Tests;

/// <summary>
/// <see cref="TorchModel.CopyFrom"/> and <see cref="TorchModel.CopyTo"/> against an <see cref="INetwork"/> whose
/// layout is ordered differently from LibTorch's, as a generated network may be.
/// </summary>
public class NetworkCopyTests
{
    private static readonly int[] s_sizes = [4, 6, 2];

    [Fact]
    public void CopyFrom_ByName_ThenForwardMatchesNetworkWithin1e5()
    {
        var network = new ReferenceMlpNetwork(s_sizes);
        TestData.Uniform(300, network.Parameters.Length, -1, 1).CopyTo(network.Parameters);
        using TorchModel model = TorchOracle.Mlp(s_sizes, ["tanh", "identity"], seed: 21);
        float[] input = TestData.Uniform(301, 3 * s_sizes[0], -1, 1);
        var expected = new float[3 * s_sizes[^1]];

        model.CopyFrom(network);
        network.Forward(input, expected);

        Tolerance.AssertClose(expected, model.Forward(input), 1e-5, 1e-7, "output");
        Assert.Equal(network.Parameters.ToArray(), model.GetParameters(network.ParameterLayout));
    }

    [Fact]
    public void CopyTo_ByName_RoundTripsEveryValue()
    {
        var network = new ReferenceMlpNetwork(s_sizes);
        using TorchModel model = TorchOracle.Mlp(s_sizes, ["tanh", "identity"], seed: 22);

        model.CopyTo(network);

        foreach (ParameterInfo info in network.ParameterLayout)
        {
            Assert.Equal(model.GetParameter(info.Name), network.Parameters.Slice(info.Offset, info.Length).ToArray());
        }
    }

    [Fact]
    public void CopyFrom_RejectsMismatchedShapeAndName()
    {
        using TorchModel model = TorchOracle.Mlp(s_sizes, ["tanh", "identity"], seed: 23);

        var wide = new ReferenceMlpNetwork([4, 7, 2]);
        var shapeError = Assert.Throws<ArgumentException>(() => model.CopyFrom(wide));
        Assert.Contains("'0.bias': expected shape [6] (LibTorch), got [7]", shapeError.Message);

        var renamed = new ReferenceMlpNetwork(s_sizes, secondLayerIndex: 1);
        var nameError = Assert.Throws<ArgumentException>(() => model.CopyFrom(renamed));
        Assert.Contains("No parameter '1.bias'", nameError.Message);
    }

    [Fact]
    public void GradientsFlatten_FollowsTheNetworkLayout()
    {
        var network = new ReferenceMlpNetwork(s_sizes);
        using TorchModel model = TorchOracle.Mlp(s_sizes, ["tanh", "identity"], seed: 24);
        float[] input = TestData.Uniform(302, 2 * s_sizes[0], -1, 1);
        float[] targets = TestData.Uniform(303, 2 * s_sizes[^1], -1, 1);

        TorchPass pass = model.Backward(input, targets, LossKind.MeanSquaredError);
        float[] flat = pass.Flatten(network.ParameterLayout);

        foreach (ParameterInfo info in network.ParameterLayout)
        {
            Assert.Equal(pass.Gradients[info.Name], flat.AsSpan(info.Offset, info.Length).ToArray());
        }
    }

    /// <summary>
    /// A tanh MLP over the reference ops with the shape of a generated network. Its layout lists the biases before the
    /// weights, unlike LibTorch, so only a copy by name gets it right.
    /// </summary>
    private sealed class ReferenceMlpNetwork : INetwork
    {
        private readonly int[] _sizes;
        private readonly float[] _parameters;
        private readonly float[] _gradients;

        public ReferenceMlpNetwork(int[] sizes, int secondLayerIndex = 2)
        {
            _sizes = sizes;
            var layout = new List<ParameterInfo>();
            int offset = 0;
            for (int l = 0; l + 1 < sizes.Length; l++)
            {
                int index = l == 0 ? 0 : secondLayerIndex;
                layout.Add(new ParameterInfo($"{index}.bias", offset, [sizes[l + 1]]));
                offset += sizes[l + 1];
                layout.Add(new ParameterInfo($"{index}.weight", offset, [sizes[l + 1], sizes[l]]));
                offset += sizes[l + 1] * sizes[l];
            }

            ParameterLayout = layout;
            _parameters = new float[offset];
            _gradients = new float[offset];
        }

        public int InputSize => _sizes[0];

        public int OutputSize => _sizes[^1];

        public int BatchCapacity => 16;

        public NetworkMode Mode { get; set; } = NetworkMode.Inference;

        public Span<float> Parameters => _parameters;

        public Span<float> Gradients => _gradients;

        public IReadOnlyList<ParameterInfo> ParameterLayout { get; }

        public void Forward(ReadOnlySpan<float> input, Span<float> output)
        {
            int batch = input.Length / InputSize;
            float[] x = input.ToArray(); // [batch, in]
            for (int l = 0; l + 1 < _sizes.Length; l++)
            {
                ParameterInfo bias = ParameterLayout[2 * l];
                ParameterInfo weight = ParameterLayout[2 * l + 1];
                var y = new float[batch * _sizes[l + 1]]; // [batch, out]
                DenseReference.Forward<float>(batch, _sizes[l], _sizes[l + 1], x, _parameters.AsSpan(weight.Offset, weight.Length), _parameters.AsSpan(bias.Offset, bias.Length), y);
                if (l + 2 < _sizes.Length)
                {
                    ActivationReference.Forward<float>(ActivationKind.Tanh, y, y);
                }

                x = y;
            }

            x.CopyTo(output);
        }
    }
}
