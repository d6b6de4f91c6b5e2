using Xunit;
using static NetCompiler.Runtime.Tests.Generated.TestData;

namespace NetCompiler.Runtime.Tests.Generated;

/// <summary>
/// The forward of large dense layers runs over a packed copy of their weights; every way of changing the parameters
/// must reach that copy before the next forward pass, or outputs silently come from the old weights.
/// </summary>
public class PackedPanelTests
{
    private const double Relative = 1e-5, Absolute = 1e-6;
    private const int Samples = 64;

    [Fact]
    public void Forward_AfterWritesThroughParameters_UsesTheNewWeights()
    {
        var network = new PackedInferenceNet(Samples);
        var random = new Random(11);
        Batch data = CreateBatch(NetworkCases.Get("PackedInference").Model, Samples, random);
        RandomizeParameters(network, random);
        ForwardMatchesReference(network, data, "first forward");

        // Packed now; a write through a freshly read span must be seen by the next forward pass.
        RandomizeParameters(network, random);
        ForwardMatchesReference(network, data, "after writes through Parameters");
    }

    [Fact]
    public void Forward_AfterWritesThroughANamedView_UsesTheNewWeights()
    {
        var network = new PackedInferenceNet(Samples);
        var random = new Random(12);
        Batch data = CreateBatch(NetworkCases.Get("PackedInference").Model, Samples, random);
        ForwardMatchesReference(network, data, "first forward");

        network.Layer0Weight.Fill(0.01f);
        ForwardMatchesReference(network, data, "after Layer0Weight.Fill");
    }

    [Fact]
    public void Forward_AfterInitializeParametersAndLoad_UsesTheNewWeights()
    {
        var network = new PackedInferenceNet(Samples, seed: 1);
        var random = new Random(13);
        Batch data = CreateBatch(NetworkCases.Get("PackedInference").Model, Samples, random);
        ForwardMatchesReference(network, data, "seed 1");

        network.InitializeParameters(seed: 2);
        ForwardMatchesReference(network, data, "after InitializeParameters(2)");

        var source = new PackedInferenceNet(Samples, seed: 5);
        using var stream = new MemoryStream();
        source.Save(stream);
        stream.Position = 0;
        network.Load(stream);
        ForwardMatchesReference(network, data, "after Load");
    }

    [Fact]
    public void TrainStep_AtPackedBatch_RepacksAfterEachUpdate()
    {
        var c = NetworkCases.Get("PackedRelu");
        var network = new PackedReluNet(Samples);
        var random = new Random(14);
        RandomizeParameters(network, random);
        Batch data = CreateBatch(c.Model, Samples, random);
        var output = new float[Samples * PackedReluNet.OutputSize];
        network.Forward(data.Input, output);
        for (int step = 0; step < 3; step++) network.TrainStep(data.Input, data.Labels);

        // The parameters moved three times since the first packing: the forward pass must use the last ones.
        ForwardMatchesReference(network, data, "after 3 steps");
    }

    private static void ForwardMatchesReference(INetwork network, Batch data, string what)
    {
        var model = NetworkCases.All.Single(c => c.Create(1).GetType() == network.GetType()).Model;
        var output = new float[Samples * network.OutputSize]; // [batch, OutputSize]
        network.Forward(data.Input, output);
        var expected = new float[output.Length];
        model.Forward<float>(network.Parameters.ToArray(), data.Input, Samples, expected);
        AssertClose(expected, output, Relative, Absolute, what);
    }
}
