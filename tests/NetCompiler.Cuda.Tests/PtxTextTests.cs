using System.Globalization;
using NetCompiler.Compiler.Ptx;
using Xunit;

namespace NetCompiler.Cuda.Tests;

public class PtxTextTests
{
    [Theory]
    [InlineData(1f, "0f3F800000")]
    [InlineData(-2.5f, "0fC0200000")]
    [InlineData(0f, "0f00000000")]
    [InlineData(1e-8f, "0f322BCC77")]
    [InlineData(float.NegativeInfinity, "0fFF800000")]
    public void Floats_are_hex_immediates(float value, string expected) => Assert.Equal(expected, PtxFormat.Float(value));

    [Fact]
    public void Module_has_header_and_kernels_in_order()
    {
        PtxModule module = PtxModule.Create(
        [
            ElementwiseKernels.ActivationForward("first", 4, PtxActivation.Tanh),
            ElementwiseKernels.ActivationBackward("second", 4, PtxActivation.Tanh),
        ]);

        Assert.Contains(".version 7.8\n.target sm_80\n.address_size 64\n", module.Text, StringComparison.Ordinal);
        int first = module.Text.IndexOf(".visible .entry first(", StringComparison.Ordinal);
        int second = module.Text.IndexOf(".visible .entry second(", StringComparison.Ordinal);
        Assert.True(first > 0 && second > first, $"Kernels out of order: first at {first}, second at {second}.");
        Assert.DoesNotContain('\r', module.Text);
        Assert.All(module.Text, c => Assert.True(c < 128, $"Non-ASCII character U+{(int)c:X4} in PTX."));
        byte[] bytes = module.ToNullTerminatedUtf8();
        Assert.Equal(0, bytes[^1]);
        Assert.Equal(module.Text.Length + 1, bytes.Length);
    }

    [Fact]
    public void Module_rejects_duplicate_kernel_names()
    {
        var exception = Assert.Throws<ArgumentException>(() => PtxModule.Create(
        [
            LossKernels.MeanLoss("loss"),
            LossKernels.MeanLoss("loss"),
        ]));
        Assert.Contains("'loss'", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1abc")]
    [InlineData("fc1.forward")]
    [InlineData("has space")]
    public void Invalid_kernel_names_are_rejected(string name) =>
        Assert.Throws<ArgumentException>(() => LossKernels.MeanLoss(name));

    [Fact]
    public void Invalid_sizes_and_hyperparameters_are_rejected()
    {
        var size = Assert.Throws<ArgumentOutOfRangeException>(() => GemmKernels.Forward("f", 0, 10, PtxActivation.Relu));
        Assert.Contains("inFeatures must be positive, but was 0", size.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => LossKernels.SoftmaxCrossEntropy("s", -1));
        var nesterov = Assert.Throws<ArgumentException>(() => OptimizerKernels.Sgd("sgd", 10, momentum: 0f, nesterov: true));
        Assert.Contains("momentum > 0", nesterov.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => OptimizerKernels.Adam("adam", 10, beta1: 1f));
    }

    [Fact]
    public void Generation_is_deterministic_and_value_equal()
    {
        PtxKernel a = GemmKernels.BackwardInput("bi", 100, 10, PtxActivation.Sigmoid);
        PtxKernel b = GemmKernels.BackwardInput("bi", 100, 10, PtxActivation.Sigmoid);
        PtxKernel c = GemmKernels.BackwardInput("bi", 101, 10, PtxActivation.Sigmoid);
        Assert.Equal(a.Text, b.Text);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Text_does_not_depend_on_the_current_culture()
    {
        string invariant = Generate();
        CultureInfo original = CultureInfo.CurrentCulture;
        var odd = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        odd.NumberFormat.NegativeSign = "~";
        odd.NumberFormat.NumberDecimalSeparator = ",";
        try
        {
            CultureInfo.CurrentCulture = odd;
            Assert.Equal(invariant, Generate());
        }
        finally
        {
            CultureInfo.CurrentCulture = original;
        }

        static string Generate() => PtxModule.Create(
        [
            OptimizerKernels.Adam("adam", 10, beta1: 0.5f, epsilon: 1e-6f, weightDecay: 0.25f),
            OptimizerKernels.Sgd("sgd", 10, momentum: 0.9f, weightDecay: 1.5e-4f, nesterov: true),
            GemmKernels.Forward("fc", 3, 5, PtxActivation.Tanh),
        ]).Text;
    }

    [Fact]
    public void Kernel_header_names_shapes_and_parameters_carry_them()
    {
        PtxKernel kernel = GemmKernels.Forward("fc1_forward", 784, 128, PtxActivation.Relu);
        Assert.Contains("// Kernel fc1_forward", kernel.Text, StringComparison.Ordinal);
        Assert.Contains("y[batch, 128] = relu(x[batch, 784] * weight[128, 784]^T + bias[128])", kernel.Text, StringComparison.Ordinal);
        Assert.Equal(["x", "weight", "bias", "batch", "y"], kernel.Parameters.Select(p => p.Name));
        Assert.Equal("[batch, 784]", kernel.Parameters[0].Shape);
        Assert.Equal(PtxParameterKind.UInt32, kernel.Parameters[3].Kind);
    }

    [Fact]
    public void Gemm_launch_covers_the_output_with_64x64_tiles()
    {
        PtxLaunch forward = GemmKernels.Forward("f", 784, 130, PtxActivation.Identity).Launch;
        Assert.Equal(256, forward.ThreadsPerBlock);
        Assert.Equal(GemmKernels.SharedMemoryBytes, forward.SharedMemoryBytes);
        Assert.Equal(8320, forward.SharedMemoryBytes);
        Assert.Equal(3, forward.GridX.Blocks(1));        // 130 outputs
        Assert.Equal(1, forward.GridY.Blocks(64));
        Assert.Equal(2, forward.GridY.Blocks(65));
        Assert.Equal(0, forward.GridY.Blocks(0));

        PtxLaunch weight = GemmKernels.BackwardWeight("w", 100, 10).Launch;
        Assert.Equal(2, weight.GridX.Blocks(1000));      // 100 inputs
        Assert.Equal(1, weight.GridY.Blocks(1000));      // 10 outputs: independent of the batch

        PtxLaunch rows = LossKernels.SoftmaxCrossEntropy("s", 10).Launch;
        Assert.Equal(2, rows.GridX.Blocks(9));           // 8 rows per block
        Assert.Equal(4, ElementwiseKernels.ActivationForward("a", 100, PtxActivation.Relu).Launch.GridX.Blocks(10)); // 1000 elements
        Assert.Equal("ceil(100 * batch / 256)", ElementwiseKernels.ActivationForward("a", 100, PtxActivation.Relu).Launch.GridX.ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => rows.GridX.Blocks(-1));
    }

    [Fact]
    public void Bounds_checks_are_emitted_only_for_extents_that_are_not_tile_multiples()
    {
        string multiples = GemmKernels.BackwardWeight("w", 128, 64).Text;
        string ragged = GemmKernels.BackwardWeight("w", 100, 10).Text;
        Assert.DoesNotContain("%row_ok", multiples, StringComparison.Ordinal);
        Assert.DoesNotContain("%column_ok", multiples, StringComparison.Ordinal);
        Assert.Contains("%a_k_ok0", multiples, StringComparison.Ordinal); // K is the batch here: always checked
        Assert.Contains("%row_ok", ragged, StringComparison.Ordinal);
        Assert.Contains("%column_ok", ragged, StringComparison.Ordinal);
    }
}
