using NetCompiler.Compiler.Ptx;
using Xunit;

namespace NetCompiler.Cuda.Tests;

/// <summary>Every generated kernel must assemble, warning-free, for Ampere (sm_80) and Hopper (sm_90).</summary>
public class PtxasTests
{
    public static TheoryData<string> Kernels => KernelCatalog.Names();

    [PtxasTheory]
    [MemberData(nameof(Kernels))]
    public void Kernel_assembles_for_sm80(string name) => AssertAssembles(name, "sm_80");

    [PtxasTheory]
    [MemberData(nameof(Kernels))]
    public void Kernel_assembles_for_sm90(string name) => AssertAssembles(name, "sm_90");

    [PtxasFact]
    public void Module_of_a_whole_network_assembles()
    {
        PtxModule module = PtxModule.Create(
        [
            GemmKernels.Forward("fc1_forward", 784, 128, PtxActivation.Relu),
            GemmKernels.Forward("fc2_forward", 128, 10, PtxActivation.Identity),
            LossKernels.SoftmaxCrossEntropy("loss", 10),
            LossKernels.MeanLoss("mean_loss"),
            GemmKernels.BackwardWeight("fc2_backward_weight", 128, 10),
            GemmKernels.BackwardInput("fc2_backward_input", 128, 10, PtxActivation.Relu),
            GemmKernels.BackwardWeight("fc1_backward_weight", 784, 128),
            OptimizerKernels.Adam("fc1_weight_adam", 784 * 128),
        ]);

        foreach (string architecture in new[] { "sm_80", "sm_90" })
        {
            (int exitCode, string output) = Ptxas.Assemble(module.Text, architecture);
            Assert.True(exitCode == 0, $"ptxas --gpu-name {architecture} exited with {exitCode}:\n{output}");
        }
    }

    [PtxasFact]
    public void Invalid_ptx_is_rejected()
    {
        // Guards the harness itself: a broken kernel must fail, or the tests above prove nothing.
        string broken = PtxModule.Create([ElementwiseKernels.ActivationForward("relu", 4, PtxActivation.Relu)]).Text
            .Replace("max.f32", "maxx.f32", StringComparison.Ordinal);
        (int exitCode, string output) = Ptxas.Assemble(broken, "sm_80");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("maxx", output, StringComparison.Ordinal);
    }

    private static void AssertAssembles(string name, string architecture)
    {
        PtxModule module = PtxModule.Create([KernelCatalog.All[name]()]);
        (int exitCode, string output) = Ptxas.Assemble(module.Text, architecture);
        Assert.True(exitCode == 0, $"ptxas --gpu-name {architecture} exited with {exitCode} for {name}:\n{output}\n--- PTX ---\n{module.Text}");
    }
}
