using NetCompiler.Compiler;
using NetCompiler.Compiler.Model;
using Xunit;
using Activation = NetCompiler.Compiler.Model.ActivationKind;
using Layer = NetCompiler.Compiler.Model.LayerSpec;
using Loss = NetCompiler.Compiler.Model.LossKind;

namespace NetCompiler.Runtime.Tests.Conv;

/// <summary>The declaration and shape errors of the convolutional layers, from the compiler core on specs built directly.</summary>
public class ConvDiagnosticsTests
{
    private static Layer Conv(int outChannels, int kernel, int stride = 1, int padding = 0) =>
        new(LayerKind.Conv2D, null, Units: outChannels, Kernel: kernel, Stride: stride, Padding: padding);

    private static Layer MaxPool(int kernel, int? stride = null) => new(LayerKind.MaxPool2D, null, Kernel: kernel, Stride: stride ?? kernel);

    private static Layer AvgPool(int kernel, int? stride = null) => new(LayerKind.AvgPool2D, null, Kernel: kernel, Stride: stride ?? kernel);

    private static readonly Layer Flatten = new(LayerKind.Flatten, null);

    private static readonly Layer ReLU = new(LayerKind.Activation, null, Activation: Activation.ReLU);

    private static Layer Dense(int units) => new(LayerKind.Dense, null, Units: units);

    private static Layer Dropout(float rate) => new(LayerKind.Dropout, null, Rate: rate);

    private static CompileResult Compile(int[] input, params Layer[] layers) =>
        NetworkCompiler.Compile(new NetworkSpec("Tests", "Net", "Public", EquatableArray<string>.Empty, input.ToEquatableArray(), layers.ToEquatableArray(), Loss.MeanSquaredError, null, 42));

    // NC2001 is information (no GPU code for this network), not an error.
    private static IEnumerable<CompileError> Errors(CompileResult result) => result.Errors.Where(e => e.Id != DiagnosticIds.GpuCodeNotGenerated);

    private static CompileError SingleError(CompileResult result)
    {
        Assert.Empty(result.Files);
        return Assert.Single(result.Errors);
    }

    public static TheoryData<string, int[], Layer[], int, string> InvalidArguments() => new()
    {
        { "kernel 0", [1, 5, 5], [Conv(2, 0)], 0, "kernel" },
        { "negative kernel", [1, 5, 5], [Conv(2, 3), MaxPool(-2)], 1, "kernel" },
        { "no output channels", [1, 5, 5], [Conv(0, 3)], 0, "outChannels" },
        { "conv stride 0", [1, 5, 5], [Conv(2, 3, stride: 0)], 0, "Stride" },
        { "pool stride -1", [1, 6, 6], [AvgPool(2, -1)], 0, "Stride" },
        { "negative padding", [1, 5, 5], [Conv(2, 3, padding: -1)], 0, "Padding" },
        { "rate 1", [10], [Dropout(1f)], 0, "rate" },
        { "negative rate", [10], [Dense(4), Dropout(-0.1f)], 1, "rate" },
        { "NaN rate", [10], [Dropout(float.NaN)], 0, "rate" },
    };

    [Theory]
    [MemberData(nameof(InvalidArguments))]
    public void InvalidArgumentIsNC0003(string because, int[] input, Layer[] layers, int layer, string argument)
    {
        var error = SingleError(Compile(input, layers));
        Assert.True(error.Id == DiagnosticIds.InvalidLayerArgument, because);
        Assert.Equal(layer, error.Layer);
        Assert.Equal(argument, error.Args[1]);
    }

    [Fact]
    public void DenseAfterAnImageWithoutFlattenIsNC1005()
    {
        var error = SingleError(Compile([1, 5, 5], Conv(2, 3), ReLU, Dense(10)));
        Assert.Equal(DiagnosticIds.DenseNeedsFlatInput, error.Id);
        Assert.Equal(2, error.Layer);
        Assert.Equal("[2, 3, 3]", error.Args[0]);

        var afterDropout = SingleError(Compile([1, 6, 6], Conv(2, 3), MaxPool(2), Dropout(0.5f), Dense(10)));
        Assert.Equal(DiagnosticIds.DenseNeedsFlatInput, afterDropout.Id);
        Assert.Equal(3, afterDropout.Layer);
        Assert.Equal("[2, 2, 2]", afterDropout.Args[0]);

        // The declared input is read as its row-major features, whatever its shape.
        Assert.Empty(Errors(Compile([1, 5, 5], Dense(10))));
        Assert.Empty(Errors(Compile([3, 3], Dense(2))));
    }

    [Fact]
    public void ConvOrPoolOnAFlatTensorIsNC1006()
    {
        var conv = SingleError(Compile([784], Conv(2, 3)));
        Assert.Equal(DiagnosticIds.NeedsImageInput, conv.Id);
        Assert.Equal(0, conv.Layer);
        Assert.Equal(["Conv2D", "[784]"], conv.Args);

        var pool = SingleError(Compile([1, 4, 4], Flatten, MaxPool(2)));
        Assert.Equal(DiagnosticIds.NeedsImageInput, pool.Id);
        Assert.Equal(1, pool.Layer);
        Assert.Equal(["MaxPool2D", "[16]"], pool.Args);
    }

    [Fact]
    public void KernelLargerThanThePaddedInputIsNC1007()
    {
        var error = SingleError(Compile([1, 5, 5], Conv(2, 8, padding: 1)));
        Assert.Equal(DiagnosticIds.KernelLargerThanInput, error.Id);
        Assert.Equal(0, error.Layer);
        // op, axis, kernel, padded size, size, padding
        Assert.Equal(["Conv2D", "height", "8", "7", "5", "1"], error.Args);

        var pool = SingleError(Compile([1, 4, 3], Conv(1, 1), AvgPool(4)));
        Assert.Equal(DiagnosticIds.KernelLargerThanInput, pool.Id);
        Assert.Equal(1, pool.Layer);
        Assert.Equal("width", pool.Args[1]);

        // Exactly the padded size fits: one output position.
        Assert.Empty(Errors(Compile([1, 5, 5], Conv(2, 7, padding: 1), Flatten, Dense(1))));
    }

    [Fact]
    public void WindowsThatDoNotTileTheInputAreNC1008()
    {
        var error = SingleError(Compile([1, 28, 28], Conv(2, 3, stride: 2)));
        Assert.Equal(DiagnosticIds.WindowsDoNotTile, error.Id);
        Assert.Equal(0, error.Layer);
        // op, axis, size, padding, kernel, size + 2·padding - kernel, stride
        Assert.Equal(["Conv2D", "height", "28", "0", "3", "25", "2"], error.Args);

        var pool = SingleError(Compile([3, 8, 7], MaxPool(2)));
        Assert.Equal(DiagnosticIds.WindowsDoNotTile, pool.Id);
        Assert.Equal(["MaxPool2D", "width", "7", "0", "2", "5", "2"], pool.Args);
    }

    [Fact]
    public void FlattenOfAFlatTensorIsANoOp()
    {
        var plain = Compile([6], Dense(3));
        var flattened = Compile([6], Flatten, Dense(3));
        Assert.Empty(Errors(flattened));
        var (graph, _) = NetworkCompiler.Plan(new NetworkSpec("Tests", "Net", "Public", EquatableArray<string>.Empty, EquatableArray.Of(6), EquatableArray.Of(Flatten, Dense(3)), Loss.MeanSquaredError, null, 42));
        Assert.DoesNotContain(graph.Nodes, n => n.Op is Compiler.IR.OpKind.Flatten or Compiler.IR.OpKind.FlattenGrad);
        Assert.Contains(plain.Files, f => f.HintName == "Tests.Net.g.cs");
    }

    [Fact]
    public void FlattenSharesItsInputsArenaRegion()
    {
        var spec = new NetworkSpec("Tests", "Net", "Public", EquatableArray<string>.Empty, EquatableArray.Of(1, 6, 6),
            EquatableArray.Of(Conv(2, 3), MaxPool(2), Flatten, Dense(3)), Loss.MeanSquaredError, null, 42);
        var (graph, plan) = NetworkCompiler.Plan(spec);
        var flatten = Assert.Single(graph.Nodes, n => n.Op == Compiler.IR.OpKind.Flatten);
        Assert.Equal(plan.SlotOf(flatten.Inputs[0]).Offset, plan.SlotOf(flatten.Outputs[0]).Offset);
        var back = Assert.Single(graph.Nodes, n => n.Op == Compiler.IR.OpKind.FlattenGrad);
        Assert.Equal(plan.SlotOf(back.Inputs[0]).Offset, plan.SlotOf(back.Outputs[0]).Offset);
    }

    [Fact]
    public void ActivationsMayFollowPoolsAndDropout()
    {
        Assert.Empty(Errors(Compile([1, 6, 6], Conv(2, 3), MaxPool(2), ReLU, Flatten, Dense(4), Dropout(0.5f), ReLU, Dense(1))));
    }
}
