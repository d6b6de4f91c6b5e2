using NetCompiler.Compiler.Model;
using static NetCompiler.Compiler.Tests.Specs;

namespace NetCompiler.Compiler.Tests;

/// <summary>The compile stage as a whole: files or errors, never an exception.</summary>
public sealed class NetworkCompilerTests
{
    [Fact]
    public void ValidSpec_ProducesTheCpuAndGpuFilesAndNoErrors()
    {
        var result = NetworkCompiler.Compile(Specs.Classifier());

        Assert.Empty(result.Errors);
        Assert.Equal(["Net.g.cs", "Net.Cuda.g.cs"], result.Files.Select(f => f.HintName));
        var file = result.Files[0];
        Assert.Contains("partial class Net : global::NetCompiler.ILabelTrainable", file.Text);
    }

    [Fact]
    public void OpWithoutPtxKernel_GivesTheCpuFileAndAnNC2001Note()
    {
        // A 1x1 stride-1 convolution reads its input as the column matrix on the CPU; the PTX path needs columns.
        var spec = Network([3, 4, 4], [new LayerSpec(LayerKind.Conv2D, null, Units: 2, Kernel: 1), new LayerSpec(LayerKind.Flatten, null), Dense(2)], LossKind.MeanSquaredError, Sgd());

        var result = NetworkCompiler.Compile(spec);

        Assert.Equal(["Net.g.cs"], result.Files.Select(f => f.HintName));
        var note = Assert.Single(result.Errors);
        Assert.Equal(DiagnosticIds.GpuCodeNotGenerated, note.Id);
        Assert.Equal(["Net", "Conv2D 1x1 without a column buffer"], note.Args);
    }

    [Fact]
    public void NestedSpec_HintNameUsesTypeNames()
    {
        var spec = Specs.SmallMlp() with { Namespace = "Models", ContainingTypes = EquatableArray.Of("partial class Outer", "partial record struct Inner") };

        var files = NetworkCompiler.Compile(spec).Files;

        Assert.Equal("Models.Outer.Inner.Net", spec.FullName);
        Assert.Equal(["Models.Outer.Inner.Net.g.cs", "Models.Outer.Inner.Net.Cuda.g.cs"], files.Select(f => f.HintName));
    }

    [Fact]
    public void UserError_IsReportedNotThrown()
    {
        var result = NetworkCompiler.Compile(Network([2], [Dense(0)]));

        Assert.Empty(result.Files);
        Assert.Equal(CompileError.Create(DiagnosticIds.InvalidLayerArgument, 0, "Dense", "units", "0", "a positive number of output features"), Assert.Single(result.Errors));
    }

    [Fact]
    public void ThrowingPass_IsReportedAsInternalError()
    {
        // An activation kind outside the enum: the parser never produces one, and lowering passes it through, so the
        // emitter's activation table is the first to throw. The compile stage must turn that into NC9001.
        var spec = Network([4], [Dense(3), Act((ActivationKind)42)], name: "Broken");

        var result = NetworkCompiler.Compile(spec);

        Assert.Empty(result.Files);
        var error = Assert.Single(result.Errors);
        Assert.Equal(DiagnosticIds.InternalError, error.Id);
        Assert.Equal(Passes.Lowering.ClassLocation, error.Layer);
        Assert.Equal(["Broken", "ArgumentException: 42 is not an elementwise activation."], error.Args);
    }

    [Fact]
    public void UndefinedLossKind_IsADeclarationError()
    {
        var result = NetworkCompiler.Compile(Network([2], [Dense(1)], (LossKind)7));

        Assert.Empty(result.Files);
        Assert.Equal(
            CompileError.Create(DiagnosticIds.InvalidLayerArgument, Passes.Lowering.LossLocation, "Loss", "kind", "7", "one of MeanSquaredError, BinaryCrossEntropy, SoftmaxCrossEntropy, Perceptron"),
            Assert.Single(result.Errors));
    }

    [Fact]
    public void Compile_IsDeterministicAndPure()
    {
        var first = NetworkCompiler.Compile(Specs.DeepMlp(3));
        var second = NetworkCompiler.Compile(Specs.DeepMlp(3));

        Assert.Equal(first, second);
        Assert.Equal(first.Files[0].Text, second.Files[0].Text);
    }
}
