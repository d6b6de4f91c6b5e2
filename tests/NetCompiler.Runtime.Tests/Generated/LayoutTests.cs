using System.Runtime.CompilerServices;
using Xunit;

namespace NetCompiler.Runtime.Tests.Generated;

[Network(2, 3, 5)]
[Flatten]
[Dense(3), Tanh]
[Dense(2)]
[Loss(LossKind.MeanSquaredError), Sgd(LearningRate = 0.1f)]
internal partial class ShapedInputNet;

/// <summary>Deterministic initialization, PyTorch parameter naming and layout, the named views and the shape constants.</summary>
public class LayoutTests
{
    public static TheoryData<string> AllCases => NetworkCases.Names();

    [Theory]
    [MemberData(nameof(AllCases))]
    public void Constructor_SameSeedGivesSameParameters_DifferentSeedsDifferInEveryTensor(string name)
    {
        var c = NetworkCases.Get(name);
        INetwork first = c.Create(2), second = c.Create(5);
        Assert.Equal(first.Parameters.ToArray(), second.Parameters.ToArray());

        INetwork other = CreateWithSeed(name, 43);
        foreach (var p in first.ParameterLayout)
        {
            if (p.Name.EndsWith(".bias", StringComparison.Ordinal)) continue; // biases start at zero whatever the seed
            Assert.False(first.Parameters.Slice(p.Offset, p.Length).SequenceEqual(other.Parameters.Slice(p.Offset, p.Length)),
                $"{name} {p.Name}: the default seed and seed 43 gave the same values.");
        }
    }

    [Fact]
    public void Constructor_DefaultSeedIsTheAttributeSeed()
    {
        var byDefault = new SoftmaxInferenceNet();
        var seven = new SoftmaxInferenceNet(64, seed: 7);
        var fortyTwo = new SoftmaxInferenceNet(64, seed: 42);

        Assert.Equal(seven.Parameters.ToArray(), byDefault.Parameters.ToArray());
        Assert.NotEqual(fortyTwo.Parameters.ToArray(), byDefault.Parameters.ToArray());
        Assert.Equal(64, byDefault.BatchCapacity);
    }

    [Fact]
    public void InitializeParameters_ReproducesTheConstructor()
    {
        var network = new NamedBceAdamNet(4, seed: 9);
        float[] initial = network.Parameters.ToArray();
        network.Parameters.Fill(3f);

        network.InitializeParameters(9);

        Assert.Equal(initial, network.Parameters.ToArray());
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void ParameterLayout_IsNamedAsNnSequentialAndContiguous(string name)
    {
        var c = NetworkCases.Get(name);
        INetwork network = c.Create(1);
        var expected = c.Model.Layout;
        var actual = network.ParameterLayout;

        Assert.Equal(expected.Select(p => p.Name), actual.Select(p => p.Name));
        int offset = 0;
        for (int i = 0; i < actual.Count; i++)
        {
            Assert.True(offset == actual[i].Offset, $"{name} {actual[i].Name}: expected offset {offset}, but got {actual[i].Offset}.");
            Assert.True(expected[i].ShapeText == actual[i].ShapeText, $"{name} {actual[i].Name}: expected shape {expected[i].ShapeText}, but got {actual[i].ShapeText}.");
            offset += actual[i].Length;
        }
        Assert.Equal(c.Model.ParameterCount, offset);
        Assert.Equal(offset, network.Parameters.Length);
        Assert.Equal(offset, network.Gradients.Length);
        Assert.Equal(c.Model.InputSize, network.InputSize);
        Assert.Equal(c.Model.OutputSize, network.OutputSize);
    }

    [Fact]
    public void ParameterLayout_SpelledOut()
    {
        Assert.Equal(
            ["0.weight [33, 17] @0", "0.bias [33] @561", "2.weight [7, 33] @594", "2.bias [7] @825", "4.weight [3, 7] @832", "4.bias [3] @853"],
            new MseMixedNet(1).ParameterLayout.Select(Describe));
        Assert.Equal(856, MseMixedNet.ParameterCount);

        // Bias = false leaves the bias out; the layer after Tanh is still numbered 2.
        Assert.Equal(
            ["0.weight [128, 7] @0", "2.weight [33, 128] @896", "2.bias [33] @5120"],
            new SceAdamDecayNet(1).ParameterLayout.Select(Describe));
        Assert.Equal(5153, SceAdamDecayNet.ParameterCount);

        Assert.Equal(
            ["hidden.weight [257, 128] @0", "hidden.bias [257] @32896", "out.weight [64, 257] @33153", "out.bias [64] @49601"],
            new NamedBceAdamNet(1).ParameterLayout.Select(Describe));
        Assert.Equal(49665, NamedBceAdamNet.ParameterCount);

        static string Describe(ParameterInfo p) => $"{p.Name} {p.ShapeText} @{p.Offset}";
    }

    [Fact]
    public void NamedViews_AliasTheParameterBuffer()
    {
        var network = new MseMixedNet(1);
        AssertAliases(network, network.Layer0Weight, "0.weight");
        AssertAliases(network, network.Layer0Bias, "0.bias");
        AssertAliases(network, network.Layer2Weight, "2.weight");
        AssertAliases(network, network.Layer2Bias, "2.bias");
        AssertAliases(network, network.Layer4Weight, "4.weight");
        AssertAliases(network, network.Layer4Bias, "4.bias");

        var named = new NamedBceAdamNet(1);
        AssertAliases(named, named.HiddenWeight, "hidden.weight");
        AssertAliases(named, named.HiddenBias, "hidden.bias");
        AssertAliases(named, named.OutWeight, "out.weight");
        AssertAliases(named, named.OutBias, "out.bias");

        // Writes through a view are what Forward uses.
        network.Layer4Bias.Fill(0f);
        network.Layer4Weight.Fill(0f);
        network.Layer4Bias[1] = 2.5f;
        var output = new float[3];
        network.Forward(new float[17], output);
        Assert.Equal([0f, 2.5f, 0f], output);
    }

    private static void AssertAliases(INetwork network, Span<float> view, string name)
    {
        var p = network.ParameterLayout.Single(p => p.Name == name);
        Assert.Equal(p.Length, view.Length);
        Assert.True(Unsafe.AreSame(ref view[0], ref network.Parameters[p.Offset]), $"The view of {name} does not start at offset {p.Offset} of Parameters.");
        view[^1] = 1234.5f;
        Assert.Equal(1234.5f, network.Parameters[p.Offset + p.Length - 1]);
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void DefaultInitialization_HeBeforeReLU_XavierOtherwise_ZeroBiases(string name)
    {
        var c = NetworkCases.Get(name);
        INetwork network = c.Create(1);
        foreach (var (weight, bound) in c.Model.InitializationBounds())
        {
            var p = network.ParameterLayout.Single(p => p.Name == weight);
            ReadOnlySpan<float> values = network.Parameters.Slice(p.Offset, p.Length);
            double largest = 0;
            foreach (float v in values) largest = Math.Max(largest, Math.Abs(v));
            // MathF.Sqrt of the float bound may round up by half an ulp.
            Assert.True(largest <= bound * (1 + 1e-6), $"{name} {weight}: expected |w| ≤ {bound:R}, but got {largest:R}.");
            // The largest of n draws of U(-b, b) falls below q·b with probability qⁿ; q = 0.001^(1/n) makes that 0.1%.
            // A largest value under it means a smaller bound, i.e. the other rule (Xavier where He was due).
            double floor = bound * Math.Pow(1e-3, 1.0 / p.Length);
            Assert.True(largest >= floor, $"{name} {weight}: expected the largest |w| of {p.Length} draws in [{floor:R}, {bound:R}], but got {largest:R}.");
        }
        foreach (var p in network.ParameterLayout.Where(p => p.Name.EndsWith(".bias", StringComparison.Ordinal)))
            Assert.True(network.Parameters.Slice(p.Offset, p.Length).IndexOfAnyExcept(0f) < 0, $"{name} {p.Name}: expected zeros.");
    }

    [Fact]
    public void ShapeConstants()
    {
        Assert.Equal(17, MseMixedNet.InputSize);
        Assert.Equal(3, MseMixedNet.OutputSize);
        Assert.Equal([17], MseMixedNet.InputShape.ToArray());
        Assert.Equal([3], MseMixedNet.OutputShape.ToArray());
        Assert.True(MseMixedNet.ArenaSizePerSample > 0, $"Expected a positive arena size, but got {MseMixedNet.ArenaSizePerSample}.");

        Assert.Equal(30, ShapedInputNet.InputSize);
        Assert.Equal([2, 3, 5], ShapedInputNet.InputShape.ToArray());
        Assert.Equal(2, ShapedInputNet.OutputSize);
        Assert.Equal([2], ShapedInputNet.OutputShape.ToArray());
        Assert.Equal(3 * 30 + 3 + 2 * 3 + 2, ShapedInputNet.ParameterCount);
        Assert.Equal(["1.weight [3, 30]", "1.bias [3]", "3.weight [2, 3]", "3.bias [2]"],
            new ShapedInputNet(1).ParameterLayout.Select(p => $"{p.Name} {p.ShapeText}"));

        INetwork network = new SceAdamNet(batchCapacity: 9);
        Assert.Equal(64, network.InputSize);
        Assert.Equal(17, network.OutputSize);
        Assert.Equal(9, network.BatchCapacity);
        Assert.Equal(NetworkMode.Training, network.Mode);
    }

    [Fact]
    public void ShapedInput_ForwardFlattensTheSample()
    {
        var network = new ShapedInputNet(2);
        var model = new ReferenceNetwork(30, LossKind.MeanSquaredError, new DenseDef(3), new ActivationDef(NetCompiler.Reference.ActivationKind.Tanh), new DenseDef(2));
        var random = new Random(17);
        TestData.RandomizeParameters(network, random);
        float[] input = TestData.Uniform(random, 2 * 30, -1f, 1f);
        var output = new float[4];

        network.Forward(input, output);

        var expected = new float[4];
        model.Forward<float>(network.Parameters.ToArray(), input, 2, expected);
        TestData.AssertClose(expected, output, 1e-5, 1e-6, "output");
    }

    private static INetwork CreateWithSeed(string name, int seed) => name switch
    {
        "MseMixed" => new MseMixedNet(2, seed),
        "MseSigmoid" => new MseSigmoidNet(2, seed),
        "BceNesterov" => new BceNesterovNet(2, seed),
        "SceAdam" => new SceAdamNet(2, seed),
        "SceAdamDecay" => new SceAdamDecayNet(2, seed),
        "PerceptronDecay" => new PerceptronDecayNet(2, seed),
        "PerceptronAdagrad" => new PerceptronAdagradNet(2, seed),
        "SoftmaxMse" => new SoftmaxMseNet(2, seed),
        "ReluOutput" => new ReluOutputNet(2, seed),
        "NamedBceAdam" => new NamedBceAdamNet(2, seed),
        "SoftmaxInference" => new SoftmaxInferenceNet(2, seed),
        "PackedRelu" => new PackedReluNet(2, seed),
        "PackedInference" => new PackedInferenceNet(2, seed),
        "PackedWide" => new PackedWideNet(2, seed),
        "FusedXor" => new FusedXorNet(2, seed),
        "FusedSoftmax" => new FusedSoftmaxNet(2, seed),
        "FusedBce" => new FusedBceNet(2, seed),
        "FusedPerceptron" => new FusedPerceptronNet(2, seed),
        "FusedRows" => new FusedRowsNet(2, seed),
        _ => throw new ArgumentException($"No network case named '{name}'.", nameof(name)),
    };
}
