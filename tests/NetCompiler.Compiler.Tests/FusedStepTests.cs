using System.Text.RegularExpressions;
using NetCompiler.Compiler.Model;
using static NetCompiler.Compiler.Tests.Specs;

namespace NetCompiler.Compiler.Tests;

/// <summary>
/// Which networks get the fused train step, and its shape in the emitted source: one block per tier no wider than the
/// widest layer, each one loop over the samples and no kernel calls. (Its results are tested in the runtime tests.)
/// </summary>
public sealed class FusedStepTests
{
    private static NetworkSpec Xor() => Network([2], [Dense(8), Act(ActivationKind.Tanh), Dense(1), Act(ActivationKind.Sigmoid)],
        LossKind.MeanSquaredError, Sgd(0.5f, momentum: 0.9f));

    private static string Source(NetworkSpec spec) => NetworkCompiler.Compile(spec).Files[0].Text;

    /// <summary>The text of TrainStep up to its fallback for machines without vector hardware.</summary>
    private static string FusedBlocks(string source)
    {
        int start = source.IndexOf("public float TrainStep(", StringComparison.Ordinal);
        int end = source.IndexOf("// Without vector hardware: the layer kernels.", start, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "TrainStep has no fused blocks.");
        return source[start..end];
    }

    [Fact]
    public void Xor_TrainStepIsOneLoopPerTierWithoutKernelCalls()
    {
        string source = Source(Xor());
        string blocks = FusedBlocks(source);

        Assert.Contains("train step fused", source);
        Assert.Equal(["Vector256", "Vector128"], Regex.Matches(blocks, @"if \((Vector\d+)\.IsHardwareAccelerated\)").Select(m => m.Groups[1].Value));
        Assert.Equal(2, Regex.Matches(blocks, @"for \(int n = 0; n < batch; n\+\+\)").Count);
        Assert.Equal(2, Regex.Matches(blocks, @"\bfor \(").Count); // no other loop: layers and the update are unrolled
        foreach (string kernel in (string[])["Layer0Forward(", "Layer2Forward(", "BackwardPass(", "OptimizerStep(", "Update()", "MeanSquaredErrorLoss("])
            Assert.DoesNotContain(kernel, blocks);
    }

    [Fact]
    public void NarrowNetwork_StillGetsTheNarrowestTier()
    {
        var spec = Network([2], [Dense(2), Act(ActivationKind.ReLU), Dense(1)], LossKind.MeanSquaredError, Sgd());

        string blocks = FusedBlocks(Source(spec));

        Assert.Equal(["Vector128"], Regex.Matches(blocks, @"if \((Vector\d+)\.IsHardwareAccelerated\)").Select(m => m.Groups[1].Value));
    }

    [Theory]
    [InlineData(2, 64, 1)]   // 257 parameters: one above the limit
    [InlineData(2, 33, 1)]   // a layer of 33 features: one above the width limit
    public void LargerNetwork_KeepsTheLayerKernels(int inputs, int hidden, int outputs)
    {
        var spec = Network([inputs], [Dense(hidden), Act(ActivationKind.Tanh), Dense(outputs)], LossKind.MeanSquaredError, Sgd());

        string source = Source(spec);

        Assert.DoesNotContain("train step fused", source);
        Assert.Contains("float loss = Backward(input, targets);", source);
    }

    [Fact]
    public void NetworkWithoutOptimizer_HasNoTrainStep()
    {
        var spec = Network([2], [Dense(8), Act(ActivationKind.Tanh), Dense(1)]);

        string source = Source(spec);

        Assert.DoesNotContain("public float TrainStep(", source);
        Assert.DoesNotContain("train step fused", source);
    }
}
