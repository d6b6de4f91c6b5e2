using NetCompiler.Compiler.Ptx;
using Xunit;

namespace NetCompiler.Cuda.Tests;

/// <summary>
/// Snapshot tests: generated PTX is compared with checked-in files under Baselines/, so every change to the
/// emitted text shows up in review. Regenerate with NETCOMPILER_UPDATE_BASELINES=1.
/// </summary>
public class BaselineTests
{
    private const string UpdateVariable = "NETCOMPILER_UPDATE_BASELINES";

    [Fact]
    public void Dense_forward_100x10_relu() =>
        AssertBaseline("dense_forward_100x10_relu.ptx", GemmKernels.Forward("fc_forward", 100, 10, PtxActivation.Relu));

    [Fact]
    public void Dense_backward_weight_128x64() =>
        AssertBaseline("dense_backward_weight_128x64.ptx", GemmKernels.BackwardWeight("fc_backward_weight", 128, 64));

    [Fact]
    public void Softmax_cross_entropy_10() =>
        AssertBaseline("softmax_cross_entropy_10.ptx", LossKernels.SoftmaxCrossEntropy("softmax_cross_entropy", 10));

    [Fact]
    public void Adam() =>
        AssertBaseline("adam.ptx", OptimizerKernels.Adam("fc_weight_adam", 1280, weightDecay: 0.01f, decoupledWeightDecay: true));

    private static void AssertBaseline(string fileName, PtxKernel kernel) => AssertBaselineText(fileName, PtxModule.Create([kernel]).Text);

    internal static void AssertBaselineText(string fileName, string actual)
    {
        string path = Path.Combine(RepoPaths.TestDirectory, "Baselines", fileName);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"Baseline {path} is missing; run the tests with {UpdateVariable}=1 to create it.");
        string expected = File.ReadAllText(path);
        if (expected != actual)
        {
            string[] expectedLines = expected.Split('\n');
            string[] actualLines = actual.Split('\n');
            int line = 0;
            while (line < expectedLines.Length && line < actualLines.Length && expectedLines[line] == actualLines[line])
            {
                line++;
            }

            string want = line < expectedLines.Length ? expectedLines[line] : "<end of file>";
            string got = line < actualLines.Length ? actualLines[line] : "<end of file>";
            Assert.Fail($"{fileName} differs from its baseline at line {line + 1}:\n  baseline:  {want}\n  generated: {got}\nIf the change is intended, rerun with {UpdateVariable}=1 and review the diff.");
        }
    }
}
