using Xunit;
using static NetCompiler.Runtime.Tests.Generated.TestData;

namespace NetCompiler.Runtime.Tests.Generated;

/// <summary>
/// The generated Backward of whole networks against float64 central differences of the loss, computed by the reference
/// chain in double on the very same (float) weights and data. This checks the generated gradients against the definition
/// of the loss, independently of the reference backward ops.
/// </summary>
public class FiniteDifferenceTests
{
    /// <summary>
    /// Central-difference step in double: truncation error O(h²) ≈ 1e-12, rounding error ≈ 1e-16·|L|/h ≈ 1e-10.
    /// </summary>
    private const double Step = 1e-6;

    /// <summary>
    /// The generated gradient is float: its rounding error is a few ulps of the summed terms, about 1e-7 relative for
    /// these sizes; <c>|generated - numeric| ≤ 1e-7 + 1e-4·|numeric|</c> leaves room for that and nothing more.
    /// </summary>
    private const double Relative = 1e-4, Absolute = 1e-7;

    /// <summary>A ReLU input or perceptron score closer to 0 than this would put a kink inside the difference step.</summary>
    private const double KinkMargin = 1e-4;

    /// <summary>At most this many elements per tensor are differenced (evenly spaced, first and last included), bounding the run time.</summary>
    private const int ElementsPerTensor = 400;

    public static TheoryData<string, int> Cases => new()
    {
        { "MseMixed", 3 },
        { "MseSigmoid", 2 },
        { "BceNesterov", 5 },
        { "SceAdam", 2 },
        { "SceAdamDecay", 3 },
        { "PerceptronAdagrad", 5 },
        { "PerceptronDecay", 3 },
        { "SoftmaxMse", 3 },
        { "ReluOutput", 5 },
        { "NamedBceAdam", 1 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_MatchesFloat64CentralDifferences(string name, int batch)
    {
        var c = NetworkCases.Get(name);
        INetwork network = c.Create(8);
        var random = new Random(5000 * batch + name.Length);
        RandomizeParameters(network, random);
        Batch data = CreateBatch(c.Model, batch, random);
        double kink = c.Model.SmallestKinkDistance(network.Parameters, data.Input, batch);
        Assert.True(kink > KinkMargin, $"{name}: a ReLU input or perceptron score is {kink:R} from its kink, inside the margin {KinkMargin:R}; pick other data.");

        float loss = TestData.Backward(network, data);

        double[] parameters = ReferenceNetwork.Widen(network.Parameters);
        double[] input = ReferenceNetwork.Widen(data.Input);
        double[] targets = ReferenceNetwork.Widen(data.Targets);
        double Objective() => c.Model.LossAndGradients<double>(parameters, input, batch, targets, data.Labels, []);
        AssertClose(Objective(), loss, 1e-6, 1e-7, $"{name} loss");

        float[] generated = network.Gradients.ToArray();
        foreach (var p in c.Model.Layout)
        {
            int stride = Math.Max(1, (p.Length - 1) / (ElementsPerTensor - 1));
            for (int k = 0; k < p.Length; k += stride)
                CheckElement(p, k);
            if ((p.Length - 1) % stride != 0)
                CheckElement(p, p.Length - 1);
        }

        void CheckElement(ParameterInfo p, int k)
        {
            int index = p.Offset + k;
            double saved = parameters[index];
            parameters[index] = saved + Step;
            double plus = Objective();
            parameters[index] = saved - Step;
            double minus = Objective();
            parameters[index] = saved;
            double numeric = (plus - minus) / (2 * Step);
            AssertClose(numeric, generated[index], Relative, Absolute, $"{name} gradient of {p.Name}[{k}]");
        }
    }
}
