using System.Diagnostics;
using System.Runtime.Loader;
using NetCompiler.Reference;
using Xunit.Abstractions;
using ReferenceActivation = NetCompiler.Reference.ActivationKind;

namespace NetCompiler.Generator.Tests;

/// <summary>Generates, compiles and loads networks in memory, then runs them through the runtime interfaces.</summary>
public sealed class CompileAndRunTests(ITestOutputHelper output)
{
    // Widths chosen so every SIMD tier and its scalar tail run: 37 inputs (16 + 16 + 4 + 1), 20, 9 and 3 features.
    private const string MlpSource =
        """
        using NetCompiler;

        namespace Models;

        [Network(Input = [37])]
        [Dense(20), ReLU]
        [Dense(9, Name = "middle"), Tanh]
        [Dense(3), Sigmoid]
        public partial class Mlp;
        """;

    private static readonly (string Weight, string? Bias, int In, int Out, ReferenceActivation Activation)[] MlpLayers =
    [
        ("0.weight", "0.bias", 37, 20, ReferenceActivation.ReLU),
        ("middle.weight", "middle.bias", 20, 9, ReferenceActivation.Tanh),
        ("4.weight", "4.bias", 9, 3, ReferenceActivation.Sigmoid),
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    public void Forward_MatchesReferenceOps(int batch)
    {
        using var loaded = LoadedNetwork.Create(MlpSource, "Models.Mlp", batchCapacity: 8);
        var network = loaded.Network;
        Assert.Equal(37, network.InputSize);
        Assert.Equal(3, network.OutputSize);
        Assert.Equal(8, network.BatchCapacity);
        Assert.Equal(["0.weight", "0.bias", "middle.weight", "middle.bias", "4.weight", "4.bias"], network.ParameterLayout.Select(p => p.Name));

        // Overwrite the initial values so the comparison also proves Forward reads the Parameters span.
        var random = new Random(1234 + batch);
        Span<float> parameters = network.Parameters;
        for (int i = 0; i < parameters.Length; i++) parameters[i] = (float)(random.NextDouble() * 2 - 1) * 0.5f;
        float[] input = new float[batch * 37]; // [batch, 37]
        for (int i = 0; i < input.Length; i++) input[i] = (float)(random.NextDouble() * 4 - 2);

        float[] actual = new float[batch * 3]; // [batch, 3]
        network.Forward(input, actual);

        float[] expected = ReferenceForward(network, input, batch);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f + 1e-5f * Math.Abs(expected[i]),
                $"output[{i / 3}, {i % 3}]: expected {expected[i]:R}, actual {actual[i]:R} (batch {batch}).");
    }

    [Fact]
    public void Forward_WithInitialParameters_MatchesReferenceOps()
    {
        using var loaded = LoadedNetwork.Create(MlpSource, "Models.Mlp", batchCapacity: 4);
        var network = loaded.Network;
        Assert.Contains(network.Parameters.ToArray(), v => v != 0f);
        float[] input = Enumerable.Range(0, 4 * 37).Select(i => MathF.Sin(i * 0.37f)).ToArray();

        float[] actual = new float[4 * 3];
        network.Forward(input, actual);

        float[] expected = ReferenceForward(network, input, 4);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f + 1e-5f * Math.Abs(expected[i]),
                $"output[{i / 3}, {i % 3}]: expected {expected[i]:R}, actual {actual[i]:R}.");
    }

    [Fact]
    public void Forward_RejectsWrongSizes()
    {
        using var loaded = LoadedNetwork.Create(MlpSource, "Models.Mlp", batchCapacity: 2);

        var aboveCapacity = Assert.Throws<ArgumentException>(() => loaded.Network.Forward(new float[3 * 37], new float[3 * 3]));
        Assert.Equal("input", aboveCapacity.ParamName);
        Assert.Contains("3 samples (111 elements), above the capacity of 2 samples", aboveCapacity.Message);
        var partialSample = Assert.Throws<ArgumentException>(() => loaded.Network.Forward(new float[36], new float[3]));
        Assert.Contains("samples of 37 elements each (1 to 2 samples), but the span has 36 elements", partialSample.Message);
        var output = Assert.Throws<ArgumentException>(() => loaded.Network.Forward(new float[37], new float[4]));
        Assert.Equal("output", output.ParamName);
        Assert.Contains("Expected 3 elements, but the span has 4", output.Message);
    }

    [Fact]
    public void FiftyLayerNetwork_GeneratesWithoutDiagnostics()
    {
        var layers = new List<string>();
        for (int i = 0; i < 24; i++)
        {
            layers.Add($"Dense({32 + i % 5})");
            layers.Add(i % 2 == 0 ? "ReLU" : "Tanh");
        }
        layers.Add("Dense(1)");
        layers.Add("Sigmoid");
        Assert.Equal(50, layers.Count);
        string source =
            $$"""
            using NetCompiler;

            [Network(Input = [48])]
            {{string.Join("\n", layers.Select(l => "[" + l + "]"))}}
            [Loss(LossKind.BinaryCrossEntropy), Adam(LearningRate = 0.001f)]
            public partial class Deep;
            """;
        var compilation = GeneratorHarness.CreateCompilation(source);

        var stopwatch = Stopwatch.StartNew();
        var run = GeneratorHarness.Run(compilation);
        var generatorTime = stopwatch.Elapsed;

        Assert.True(run.Diagnostics.IsEmpty, GeneratorHarness.Describe(run.Diagnostics));
        string text = run.Source("Deep.g.cs");
        Assert.Contains("public const int ParameterCount = ", text);
        stopwatch.Restart();
        var problems = run.OutputProblems().ToList();
        var compileTime = stopwatch.Elapsed;
        Assert.True(problems.Count == 0, GeneratorHarness.Describe(problems.Take(10)));
        output.WriteLine($"50-layer network: generator {generatorTime.TotalMilliseconds:F0} ms, {text.Length} characters of C#; C# compile of the output {compileTime.TotalMilliseconds:F0} ms.");
    }

    private static float[] ReferenceForward(INetwork network, float[] input, int batch)
    {
        var layout = network.ParameterLayout.ToDictionary(p => p.Name);
        ReadOnlySpan<float> parameters = network.Parameters;
        float[] x = input;
        foreach (var (weightName, biasName, inF, outF, activation) in MlpLayers)
        {
            var weight = layout[weightName];
            Assert.Equal([outF, inF], weight.Shape);
            var bias = layout[biasName!];
            float[] z = new float[batch * outF]; // [batch, outF]
            DenseReference.Forward(batch, inF, outF, x, parameters.Slice(weight.Offset, weight.Length), parameters.Slice(bias.Offset, bias.Length), z);
            float[] y = new float[z.Length];
            ActivationReference.Forward(activation, z, y);
            x = y;
        }
        return x;
    }

    /// <summary>A generated network compiled in memory and loaded into a collectible context, unloaded on dispose.</summary>
    private sealed class LoadedNetwork : IDisposable
    {
        private readonly AssemblyLoadContext _context;

        private LoadedNetwork(AssemblyLoadContext context, INetwork network)
        {
            _context = context;
            Network = network;
        }

        public INetwork Network { get; }

        public static LoadedNetwork Create(string source, string typeName, int batchCapacity)
        {
            var run = GeneratorHarness.Run(source);
            Assert.True(run.Diagnostics.IsEmpty, GeneratorHarness.Describe(run.Diagnostics));
            using var image = new MemoryStream();
            var emitted = run.Output.Emit(image);
            Assert.True(emitted.Success, GeneratorHarness.Describe(emitted.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error)));

            image.Position = 0;
            // NetCompiler.dll is not in this context, so it resolves to the default context's copy: INetwork is the test's own type.
            var context = new AssemblyLoadContext("GeneratedNetwork", isCollectible: true);
            try
            {
                var type = context.LoadFromStream(image).GetType(typeName, throwOnError: true)!;
                var network = Assert.IsAssignableFrom<INetwork>(Activator.CreateInstance(type, batchCapacity, 42));
                return new LoadedNetwork(context, network);
            }
            catch
            {
                context.Unload();
                throw;
            }
        }

        public void Dispose() => _context.Unload();
    }
}
