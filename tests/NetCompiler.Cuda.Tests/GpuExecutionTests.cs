using System.Text;
using NetCompiler.Compiler.Ptx;
using Xunit;

namespace NetCompiler.Cuda.Tests;

public static class GpuCases
{
    public static TheoryData<string> All() => new(GpuPair.Names);

    public static TheoryData<string> Trainable() => new(GpuPair.Names.Where(n => n != "GpuForwardOnly"));
}

/// <summary>The generated GPU plans run on the PTX emulator and match the generated CPU code: runs everywhere.</summary>
public class EmulatedGpuNetworkTests
{
    [Theory]
    [MemberData(nameof(GpuCases.All), MemberType = typeof(GpuCases))]
    public void Forward_matches_cpu(string name) => GpuChecks.ForwardMatches(name, () => new EmulatedBackend());

    [Theory]
    [MemberData(nameof(GpuCases.Trainable), MemberType = typeof(GpuCases))]
    public void Loss_and_gradients_match_cpu(string name) => GpuChecks.GradientsMatch(name, () => new EmulatedBackend());

    [Theory]
    [MemberData(nameof(GpuCases.Trainable), MemberType = typeof(GpuCases))]
    public void Ten_training_steps_match_cpu(string name) => GpuChecks.TrainingMatches(name, () => new EmulatedBackend());

    [Fact]
    public void Empty_batch_is_rejected_before_any_launch()
    {
        var backend = new EmulatedBackend();
        using var gpu = new GpuClassifier.Gpu(new GpuClassifier(4), 4, backend);
        Assert.Throws<ArgumentException>("input", () => gpu.Forward([], []));
        Assert.Throws<ArgumentException>("input", () => gpu.TrainStep([], []));
        Assert.Throws<ArgumentException>("input", () => gpu.Forward(new float[5 * GpuClassifier.InputSize], new float[5 * GpuClassifier.OutputSize]));
        Assert.Equal(0, backend.Launches);
    }

    [Fact]
    public void Labels_out_of_range_are_rejected_before_any_launch()
    {
        var backend = new EmulatedBackend();
        using var gpu = new GpuClassifier.Gpu(new GpuClassifier(4), 4, backend);
        var e = Assert.Throws<ArgumentOutOfRangeException>("labels", () => gpu.TrainStep(new float[2 * GpuClassifier.InputSize], [1, 5]));
        Assert.Contains("Label 5 at index 1", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, backend.Launches);
    }

    [Fact]
    public void Non_finite_loss_names_the_layer_and_skips_the_update()
    {
        var host = new GpuRegressor(2);
        using var gpu = new GpuRegressor.Gpu(host, 2, new EmulatedBackend());
        float[] input = new float[2 * GpuRegressor.InputSize];
        input[3] = float.NaN;
        var e = Assert.Throws<NonFiniteLossException>(() => gpu.TrainStep(input, new float[2 * GpuRegressor.OutputSize]));
        Assert.Equal("hidden (Dense, Sigmoid)", e.FirstNonFiniteLayer);
        Assert.Equal(0, gpu.Step);
        float[] before = host.Parameters.ToArray();
        gpu.CopyParametersToHost();
        Assert.Equal(before, host.Parameters.ToArray());
    }

    [Fact]
    public void Learning_rate_starts_from_the_network_and_rejects_invalid_values()
    {
        var host = new GpuClassifier(2) { LearningRate = 0.25f };
        using var gpu = new GpuClassifier.Gpu(host, 2, new EmulatedBackend());
        Assert.Equal(0.25f, gpu.LearningRate);
        Assert.Throws<ArgumentOutOfRangeException>(() => gpu.LearningRate = 0f);
        Assert.Throws<ArgumentOutOfRangeException>(() => gpu.LearningRate = float.NaN);
    }

    [Fact]
    public void Parameters_copied_from_host_reach_the_device()
    {
        var host = new GpuForwardOnly(3);
        using var gpu = new GpuForwardOnly.Gpu(host, 3, new EmulatedBackend());
        host.Parameters.Fill(0.5f);
        gpu.CopyParametersFromHost();
        host.Parameters.Clear();
        gpu.CopyParametersToHost();
        Assert.All(host.Parameters.ToArray(), p => Assert.Equal(0.5f, p));
    }

    [Fact]
    public void Reset_optimizer_clears_the_step_and_the_momentum()
    {
        using GpuPair pair = GpuPair.Create("GpuClassifier", 4, new EmulatedBackend());
        (float[] input, float[] targets, int[] labels) = GpuChecks.Batch3(pair, 4, seed: 5);
        pair.GpuTrainStep!(input, targets, labels);
        pair.Gpu.ResetOptimizer();
        Assert.Equal(0, pair.Gpu.Step);
        // With the velocity cleared, the next step equals a first step from the same parameters.
        pair.CopyParametersToHost();
        pair.Host.Parameters.CopyTo(pair.Cpu.Parameters);
        float expected = pair.CpuTrainStep!(pair.Cpu, input, targets, labels);
        float actual = pair.GpuTrainStep!(input, targets, labels);
        GpuChecks.AssertClose([expected], [actual], 1e-5f, "loss");
        pair.CopyParametersToHost();
        GpuChecks.AssertClose(pair.Cpu.Parameters.ToArray(), pair.Host.Parameters.ToArray(), 1e-4f, "parameters after a step from reset");
    }
}

/// <summary>The same comparisons on a real GPU; skipped with the driver's reason when there is none.</summary>
public class DeviceGpuNetworkTests
{
    [CudaTheory]
    [MemberData(nameof(GpuCases.All), MemberType = typeof(GpuCases))]
    public void Forward_matches_cpu(string name) => GpuChecks.ForwardMatches(name, () => new CudaBackend());

    [CudaTheory]
    [MemberData(nameof(GpuCases.Trainable), MemberType = typeof(GpuCases))]
    public void Loss_and_gradients_match_cpu(string name) => GpuChecks.GradientsMatch(name, () => new CudaBackend());

    [CudaTheory]
    [MemberData(nameof(GpuCases.Trainable), MemberType = typeof(GpuCases))]
    public void Ten_training_steps_match_cpu(string name) => GpuChecks.TrainingMatches(name, () => new CudaBackend());

    [CudaFact]
    public void Mnist_mlp_training_steps_match_cpu()
    {
        var cpu = new GpuMnistMlp(64);
        var host = new GpuMnistMlp(64);
        using var gpu = host.CreateGpu(64);
        for (int step = 0; step < 10; step++)
        {
            float[] input = GpuChecks.Data(64 * GpuMnistMlp.InputSize, seed: step);
            int[] labels = Enumerable.Range(0, 64).Select(i => (i * 7 + step) % 10).ToArray();
            GpuChecks.AssertClose([cpu.TrainStep(input, labels)], [gpu.TrainStep(input, labels)], 1e-3f, $"loss at step {step + 1}");
        }

        gpu.CopyParametersToHost();
        GpuChecks.AssertClose(cpu.Parameters.ToArray(), host.Parameters.ToArray(), 1e-3f, "parameters after 10 steps");
    }
}

/// <summary>Creating a Gpu copy without a driver fails with the reason.</summary>
public class NoDeviceGpuNetworkTests
{
    [NoCudaDriverFact]
    public void Creating_a_gpu_network_without_a_driver_says_why()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new GpuClassifier(2).CreateGpu(2));
        Assert.StartsWith("No CUDA device is available: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("libcuda.so.1", e.Message, StringComparison.Ordinal);
    }
}

/// <summary>The generated modules: what the generator embeds, ptxas validation and a snapshot.</summary>
public class GeneratedPtxTests
{
    public static TheoryData<string> Networks() => new(GpuNetworkSpecs.All.Keys.Order(StringComparer.Ordinal));

    public static TheoryData<string, string> Kernels()
    {
        var data = new TheoryData<string, string>();
        foreach (string network in GpuNetworkSpecs.All.Keys.Order(StringComparer.Ordinal))
        {
            foreach (PtxKernel kernel in GpuNetworkSpecs.Program(network).Module.Kernels)
            {
                data.Add(network, kernel.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Generated_class_embeds_the_compiled_module(string network) =>
        Assert.Equal(GpuNetworkSpecs.Program(network).Module.Text, GpuNetworkSpecs.GeneratedPtx(network));

    [Fact]
    public void Generated_plan_matches_the_compiled_launches()
    {
        GpuPlan plan = GpuRegressor.Gpu.Plan;
        var program = GpuNetworkSpecs.Program("GpuRegressor");
        Assert.Equal(program.Module.Kernels.Select(k => k.Name), plan.KernelNames);
        Assert.Equal(program.Forward.Count, plan.Forward.Length);
        Assert.Equal(program.Backward.Count, plan.Backward.Length);
        Assert.Equal(program.Update.Count, plan.Update.Length);
        Assert.Equal(GpuRegressor.ArenaSizePerSample, plan.ArenaSizePerSample);
        Assert.Equal(GpuRegressor.ParameterCount, plan.ParameterCount);
        Assert.Equal(2, plan.OptimizerStateBuffers);
        Assert.Equal(0.9f, plan.Beta1);
        Assert.Equal(GpuTargetKind.Targets, plan.TargetKind);
        Assert.Equal(GpuTargetKind.Labels, GpuClassifier.Gpu.Plan.TargetKind);
        Assert.Equal(GpuTargetKind.None, GpuForwardOnly.Gpu.Plan.TargetKind);
    }

    [PtxasTheory]
    [MemberData(nameof(Kernels))]
    public void Every_kernel_assembles_for_sm80_and_sm90(string network, string kernel)
    {
        PtxKernel k = GpuNetworkSpecs.Program(network).Module.Kernels.Single(x => x.Name == kernel);
        string text = PtxModule.Create([k]).Text;
        foreach (string architecture in new[] { "sm_80", "sm_90" })
        {
            (int exitCode, string output) = Ptxas.Assemble(text, architecture);
            Assert.True(exitCode == 0, $"ptxas --gpu-name {architecture} exited with {exitCode} for {network}.{kernel}:\n{output}\n--- PTX ---\n{text}");
        }
    }

    [PtxasTheory]
    [MemberData(nameof(Networks))]
    public void Whole_generated_module_assembles(string network)
    {
        string text = GpuNetworkSpecs.GeneratedPtx(network);
        foreach (string architecture in new[] { "sm_80", "sm_90" })
        {
            (int exitCode, string output) = Ptxas.Assemble(text, architecture);
            Assert.True(exitCode == 0, $"ptxas --gpu-name {architecture} exited with {exitCode} for {network}:\n{output}");
        }
    }

    [Fact]
    public void Regressor_module_and_plan_match_the_snapshot()
    {
        var program = GpuNetworkSpecs.Program("GpuRegressor");
        BaselineTests.AssertBaselineText("network_gpu_regressor.ptx", program.Module.Text);
        BaselineTests.AssertBaselineText("network_gpu_regressor.plan.txt", program.Describe());
    }

    [Fact]
    public void Module_text_is_ascii_with_hex_float_immediates()
    {
        string text = GpuNetworkSpecs.GeneratedPtx("GpuBinary");
        Assert.True(Encoding.UTF8.GetByteCount(text) == text.Length, "The PTX module must be ASCII.");
        Assert.Contains(".version 7.8", text, StringComparison.Ordinal);
        Assert.Contains(".target sm_80", text, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^\s+[a-z][^/]*\b\d+\.\d+\b", text);
    }
}
