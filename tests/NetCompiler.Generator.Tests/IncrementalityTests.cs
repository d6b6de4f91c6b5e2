using Microsoft.CodeAnalysis;

namespace NetCompiler.Generator.Tests;

/// <summary>Edits that do not change a network leave the Compile step cached; edits that do re-run it.</summary>
public sealed class IncrementalityTests
{
    private const string Source =
        """
        using NetCompiler;

        namespace Models;

        [Network(Input = [4])]
        [Dense(16), ReLU]
        [Dense(3)]
        [Loss(LossKind.SoftmaxCrossEntropy), Adam(LearningRate = 0.01f)]
        public partial class Classifier
        {
            public int Epochs { get; set; }
        }
        """;

    [Fact]
    public void CommentInsideClassBody_LeavesCompileCached()
    {
        var (first, second) = RunTwice(Source.Replace("public int Epochs", "// How many passes over the data.\n    public int Epochs"));

        AssertCompileCached(second);
        Assert.Equal(first.Source("Models.Classifier.g.cs"), second.Source("Models.Classifier.g.cs"));
    }

    [Fact]
    public void CommentAboveClass_ShiftsLocationsButLeavesCompileCached()
    {
        var (first, second) = RunTwice(Source.Replace("namespace Models;", "namespace Models;\n\n// A classifier for the four-feature data.\n// Trained with Adam."));

        // The parse result carries the moved locations, so it changes; the spec derived from it does not.
        Assert.All(Outputs(second, NetworkGenerator.Steps.Parse), o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
        Assert.All(Outputs(second, NetworkGenerator.Steps.Spec), o => Assert.Equal(IncrementalStepRunReason.Unchanged, o.Reason));
        AssertCompileCached(second);
        Assert.Equal(first.Source("Models.Classifier.g.cs"), second.Source("Models.Classifier.g.cs"));
    }

    [Fact]
    public void ChangingDenseWidth_RerunsCompileAndChangesText()
    {
        var (first, second) = RunTwice(Source.Replace("[Dense(16), ReLU]", "[Dense(24), ReLU]"));

        var outputs = Outputs(second, NetworkGenerator.Steps.Compile);
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
        string before = first.Source("Models.Classifier.g.cs"), after = second.Source("Models.Classifier.g.cs");
        Assert.NotEqual(before, after);
        Assert.Contains("ParameterCount = 131;", before);  // 16*4 + 16 + 3*16 + 3
        Assert.Contains("ParameterCount = 195;", after);   // 24*4 + 24 + 3*24 + 3
        Assert.Empty(second.OutputProblems());
    }

    [Fact]
    public void AddingUnrelatedClass_LeavesCompileCached()
    {
        var compilation = GeneratorHarness.CreateCompilation(GeneratorHarness.Parse(Source, "Classifier.cs"));
        var first = GeneratorHarness.Run(compilation);

        var extended = compilation.AddSyntaxTrees(GeneratorHarness.Parse("namespace Models; public sealed class Settings { public int Seed; }", "Settings.cs"));
        var second = GeneratorHarness.Run(first.Driver, extended);

        AssertCompileCached(second);
        Assert.Equal(first.Source("Models.Classifier.g.cs"), second.Source("Models.Classifier.g.cs"));
    }

    [Fact]
    public void EditingOneNetwork_LeavesTheOtherCached()
    {
        const string other =
            """
            using NetCompiler;
            [Network(Input = [2])]
            [Dense(1)]
            public partial class Other;
            """;
        var compilation = GeneratorHarness.CreateCompilation(GeneratorHarness.Parse(Source, "Classifier.cs"), GeneratorHarness.Parse(other, "Other.cs"));
        var first = GeneratorHarness.Run(compilation);
        var oldTree = compilation.SyntaxTrees.Single(t => t.FilePath == "Other.cs");
        var second = GeneratorHarness.Run(first.Driver, compilation.ReplaceSyntaxTree(oldTree, GeneratorHarness.Parse(other.Replace("Dense(1)", "Dense(2)"), "Other.cs")));

        var reasons = Outputs(second, NetworkGenerator.Steps.Compile).Select(o => o.Reason).ToArray();
        Assert.Equal(2, reasons.Length);
        Assert.Equal(1, reasons.Count(r => r == IncrementalStepRunReason.Cached));
        Assert.Equal(1, reasons.Count(r => r == IncrementalStepRunReason.Modified));
    }

    private static (GeneratorRun First, GeneratorRun Second) RunTwice(string editedSource)
    {
        Assert.NotEqual(Source, editedSource);
        var compilation = GeneratorHarness.CreateCompilation(GeneratorHarness.Parse(Source, "Classifier.cs"));
        var first = GeneratorHarness.Run(compilation);
        Assert.Empty(first.Diagnostics);

        var oldTree = compilation.SyntaxTrees.Single();
        var edited = compilation.ReplaceSyntaxTree(oldTree, GeneratorHarness.Parse(editedSource, "Classifier.cs"));
        var second = GeneratorHarness.Run(first.Driver, edited);
        Assert.Empty(second.Diagnostics);
        return (first, second);
    }

    private static IReadOnlyList<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRun run, string step)
    {
        Assert.True(run.Result.TrackedSteps.TryGetValue(step, out var steps), $"No tracked step '{step}'; tracked: [{string.Join(", ", run.Result.TrackedSteps.Keys)}].");
        return steps.SelectMany(s => s.Outputs).ToList();
    }

    private static void AssertCompileCached(GeneratorRun run)
    {
        var outputs = Outputs(run, NetworkGenerator.Steps.Compile);
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.True(
            o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
            $"Expected the Compile step to be Cached or Unchanged, but it was {o.Reason}."));
    }
}
