using NetCompiler.Compiler;
using NetCompiler.Compiler.Ptx;
using Xunit;

namespace NetCompiler.Cuda.Tests;

/// <summary>The conv-network specifics of the GPU path: dropout mode and mask, views of the input, pooling gathers, LeNet-5.</summary>
public class EmulatedConvGpuTests
{
    [Fact]
    public void Dropout_mask_on_a_view_of_the_input_matches_cpu_bit_for_bit()
    {
        const int Batch = 5;
        var host = new GpuDropoutView(Batch);
        using var gpu = new GpuDropoutView.Gpu(host, Batch, new EmulatedBackend());
        float[] input = GpuChecks.Data(Batch * GpuDropoutView.InputSize, seed: 3).Select(v => v + 2f).ToArray(); // never 0
        var expected = new float[input.Length];
        var actual = new float[input.Length];
        host.Forward(input, expected);
        gpu.Forward(input, actual);
        Assert.Equal(expected, actual);
        int dropped = actual.Count(v => v == 0f);
        Assert.InRange(dropped, 1, input.Length - 1);
        Assert.All(Enumerable.Range(0, input.Length).Where(i => actual[i] != 0f), i => Assert.Equal(input[i] * 2f, actual[i]));
    }

    [Fact]
    public void Inference_mode_makes_dropout_the_identity()
    {
        const int Batch = 3;
        var host = new GpuDropoutView(Batch) { Mode = NetworkMode.Inference };
        using var gpu = new GpuDropoutView.Gpu(host, Batch, new EmulatedBackend()) { Mode = NetworkMode.Inference };
        float[] input = GpuChecks.Data(Batch * GpuDropoutView.InputSize, seed: 4);
        var actual = new float[input.Length];
        gpu.Forward(input, actual);
        Assert.Equal(input, actual);
    }

    [Fact]
    public void Inference_mode_forward_matches_cpu_and_differs_from_training()
    {
        const int Batch = 4;
        using GpuPair pair = GpuPair.Create("GpuLeNet", Batch, new EmulatedBackend());
        float[] input = GpuChecks.Data(Batch * pair.Cpu.InputSize, seed: 8);
        var training = new float[Batch * pair.Cpu.OutputSize];
        pair.GpuForward(input, training);
        ((GpuLeNet)pair.Cpu).Mode = NetworkMode.Inference;
        pair.Gpu.Mode = NetworkMode.Inference;
        var expected = new float[training.Length];
        var actual = new float[training.Length];
        pair.Cpu.Forward(input, expected);
        pair.GpuForward(input, actual);
        GpuChecks.AssertClose(expected, actual, 1e-5f, "GpuLeNet inference forward");
        Assert.NotEqual(training, actual);
    }

    [Fact]
    public void Copying_parameters_from_the_host_also_takes_its_dropout_seed()
    {
        const int Batch = 4;
        var host = new GpuDropoutView(Batch);
        using var gpu = new GpuDropoutView.Gpu(host, Batch, new EmulatedBackend());
        host.InitializeParameters(77);
        gpu.CopyParametersFromHost();
        float[] input = GpuChecks.Data(Batch * GpuDropoutView.InputSize, seed: 5);
        var expected = new float[input.Length];
        var actual = new float[input.Length];
        host.Forward(input, expected);
        gpu.Forward(input, actual);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Pool_backward_gathers_overlapping_windows_like_the_cpu_scatter(bool max)
    {
        // 5x5 windows at stride 2 on 9x9: an element is covered by up to 9 windows; ties, a NaN and -0 test the first-maximum rule.
        var p = new PtxPoolShape(2, 9, 9, 3, 3, 5, 2);
        const int Batch = 3;
        var random = new Random(max ? 1 : 2);
        float[] x = Enumerable.Range(0, Batch * p.InSize).Select(_ => (float)random.Next(-3, 4)).ToArray(); // [batch, 2, 9, 9], many ties
        x[40] = float.NaN;
        x[100] = -0f;
        float[] dY = GpuChecks.Data(Batch * p.OutSize, seed: 9);   // [batch, 2, 3, 3]
        using var device = new EmulatedDevice();
        PtxKernel kernel = max ? PoolKernels.MaxBackward("pool_backward", p, PtxActivation.Identity) : PoolKernels.AvgBackward("pool_backward", p, PtxActivation.Identity);
        DeviceTensor dX = device.AllocateOutput(Batch * p.InSize);
        object[] arguments = max ? [device.Upload(dY), device.Upload(x), (uint)Batch, dX] : [device.Upload(dY), (uint)Batch, dX];
        device.Launch(kernel, Batch, arguments);
        float[] actual = device.Download(dX);

        // The C# kernel's scatter: windows in (oy, ox) order, each adding to its first maximum or to every element.
        var expected = new float[Batch * p.InSize];
        float scale = 1f / (p.Kernel * p.Kernel);
        for (int plane = 0; plane < Batch * p.Channels; plane++)
        {
            for (int oy = 0; oy < p.OutHeight; oy++)
            {
                for (int ox = 0; ox < p.OutWidth; ox++)
                {
                    int origin = plane * p.InHeight * p.InWidth + oy * p.Stride * p.InWidth + ox * p.Stride;
                    float g = dY[(plane * p.OutHeight + oy) * p.OutWidth + ox];
                    int best = origin;
                    for (int ky = 0; ky < p.Kernel; ky++)
                    {
                        for (int kx = 0; kx < p.Kernel; kx++)
                        {
                            int at = origin + ky * p.InWidth + kx;
                            if (!max)
                            {
                                expected[at] += g * scale;
                            }
                            else if (x[at] > x[best] || (float.IsNaN(x[at]) && !float.IsNaN(x[best])))
                            {
                                best = at;
                            }
                        }
                    }

                    if (max)
                    {
                        expected[best] += g;
                    }
                }
            }
        }

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Mnist_lenet5_first_steps_match_cpu() => LeNet5Checks.TrainingMatches(() => new EmulatedBackend(), batch: 2, steps: 2);

    [Fact]
    public void Lenet_plan_matches_the_snapshot() =>
        BaselineTests.AssertBaselineText("network_gpu_lenet.plan.txt", GpuNetworkSpecs.Program("GpuLeNet").Describe());

    [Fact]
    public void Mnist_lenet5_gets_gpu_code()
    {
        CompileResult result = NetworkCompiler.Compile(GpuNetworkSpecs.All["GpuLeNet5"]);
        Assert.Empty(result.Errors);
        Assert.Contains(result.Files, f => f.HintName == "NetCompiler.Cuda.Tests.GpuLeNet5.Cuda.g.cs");
        string plan = GpuNetworkSpecs.Program("GpuLeNet5").Describe();
        foreach (string kernel in new[] { "Conv1ForwardIm2Col", "Conv2BackwardInputColumns", "Conv2BackwardInput", "Conv1BackwardParametersWeight" })
        {
            Assert.Contains(kernel, plan, StringComparison.Ordinal);
        }

        Assert.Equal(GpuLeNet5.ArenaSizePerSample, GpuLeNet5.Gpu.Plan.ArenaSizePerSample);
    }
}

/// <summary>LeNet-5 on a real GPU; skipped with the driver's reason when there is none.</summary>
public class DeviceConvGpuTests
{
    [CudaFact]
    public void Mnist_lenet5_training_steps_match_cpu() => LeNet5Checks.TrainingMatches(() => new CudaBackend(), batch: 32, steps: 10);
}
