using System.Globalization;

namespace NetCompiler.Generator.Tests;

/// <summary>Generated text depends on the declaration only: not on the run, the thread's culture or other networks.</summary>
public sealed class DeterminismTests
{
    // Floats in optimizer arguments and the loss/optimizer mix exercise literal formatting in the emitter.
    private const string NetworkA =
        """
        using NetCompiler;

        namespace Models;

        [Network(Input = [3, 5], Seed = 11)]
        [Flatten]
        [Dense(20, Name = "fc1"), Tanh]
        [Dense(7), ReLU]
        [Dense(2), Sigmoid]
        [Loss(LossKind.BinaryCrossEntropy), Adam(LearningRate = 0.0025f, Beta1 = 0.85f, Beta2 = 0.9975f, Epsilon = 1.5e-7f, WeightDecay = 0.125f)]
        public partial class A;
        """;

    private const string NetworkB =
        """
        using NetCompiler;

        namespace Models;

        [Network(Input = [9])]
        [Dense(4), Sigmoid]
        [Dense(3)]
        [Loss(LossKind.SoftmaxCrossEntropy), Sgd(LearningRate = 0.75f, Momentum = 0.5f, Nesterov = true, WeightDecay = 1e-5f)]
        public partial class B;
        """;

    [Fact]
    public void TwoRuns_ProduceIdenticalText()
    {
        var first = GeneratorHarness.Run(NetworkA, NetworkB);
        var second = GeneratorHarness.Run(NetworkA, NetworkB);

        Assert.Empty(first.Diagnostics);
        Assert.Equal(4, first.Result.GeneratedSources.Length); // each network's CPU and GPU files
        foreach (var source in first.Result.GeneratedSources)
            AssertIdentical(source.SourceText.ToString(), second.Source(source.HintName), source.HintName);
    }

    [Theory]
    [InlineData("de-DE", "1,5")]
    [InlineData("ar-SA", "1\u066B5")] // Arabic decimal separator
    [InlineData("fr-FR", "1,5")]
    public void Culture_DoesNotChangeText(string cultureName, string oneAndAHalf)
    {
        string invariantA = GeneratorHarness.Run(NetworkA, NetworkB).Source("Models.A.g.cs");
        string invariantB = GeneratorHarness.Run(NetworkA, NetworkB).Source("Models.B.g.cs");

        var culture = CultureInfo.GetCultureInfo(cultureName);
        // Guard against a culture that silently falls back to invariant formatting, which would make this test vacuous.
        Assert.Equal(oneAndAHalf, 1.5f.ToString(culture));
        string a, b;
        var saved = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            var run = GeneratorHarness.Run(NetworkA, NetworkB);
            Assert.Empty(run.Diagnostics);
            a = run.Source("Models.A.g.cs");
            b = run.Source("Models.B.g.cs");
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = saved;
        }

        AssertIdentical(invariantA, a, "Models.A.g.cs");
        AssertIdentical(invariantB, b, "Models.B.g.cs");
    }

    [Fact]
    public void CultureWithUnusualNumberFormat_DoesNotChangeText()
    {
        string expected = GeneratorHarness.Run(NetworkA).Source("Models.A.g.cs");

        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = "#";
        culture.NumberFormat.NegativeSign = "~";
        culture.NumberFormat.NumberGroupSeparator = "_";
        culture.NumberFormat.PositiveInfinitySymbol = "inf";
        var saved = CultureInfo.CurrentCulture;
        string actual;
        try
        {
            CultureInfo.CurrentCulture = culture;
            Assert.Equal("~1#5", (-1.5f).ToString());
            actual = GeneratorHarness.Run(NetworkA).Source("Models.A.g.cs");
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }

        AssertIdentical(expected, actual, "Models.A.g.cs");
    }

    [Fact]
    public void OutputForOneNetwork_DoesNotDependOnAnother()
    {
        string alone = GeneratorHarness.Run(NetworkA).Source("Models.A.g.cs");
        string withB = GeneratorHarness.Run(NetworkB, NetworkA).Source("Models.A.g.cs");

        AssertIdentical(alone, withB, "Models.A.g.cs");
    }

    [Fact]
    public void GeneratedText_UsesInvariantLiterals()
    {
        string text = GeneratorHarness.Run(NetworkA).Source("Models.A.g.cs");

        Assert.Contains("0.0025f", text);
        Assert.DoesNotContain("0,0025", text);
        Assert.DoesNotContain("\r", text);
    }

    private static void AssertIdentical(string expected, string actual, string hintName)
    {
        if (expected == actual) return;
        int i = 0;
        while (i < expected.Length && i < actual.Length && expected[i] == actual[i]) i++;
        int line = expected.AsSpan(0, i).Count('\n') + 1;
        string Around(string s) => s.Substring(Math.Max(0, i - 40), Math.Min(80, s.Length - Math.Max(0, i - 40)));
        Assert.Fail($"{hintName} differs at line {line} (offset {i}):\nexpected: {Around(expected)}\nactual:   {Around(actual)}");
    }
}
