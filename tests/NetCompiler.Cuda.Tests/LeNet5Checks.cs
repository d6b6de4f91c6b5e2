namespace NetCompiler.Cuda.Tests;

/// <summary>LeNet-5 CPU vs GPU. (No xunit types here: the GPU check console program links this file.)</summary>
internal static class LeNet5Checks
{
    /// <summary>
    /// The first batch's gradients, then <paramref name="steps"/> training steps: losses within 1e-3 and parameters
    /// within 5e-3. Adam moves a parameter by about the learning rate whatever its gradient's size, so a near-zero
    /// gradient whose sign differs in the last bits between the devices can move it 2e-3 the other way in one step.
    /// </summary>
    public static void TrainingMatches(Func<IGpuBackend> backend, int batch, int steps)
    {
        var cpu = new GpuLeNet5(batch);
        var host = new GpuLeNet5(batch);
        using var gpu = new GpuLeNet5.Gpu(host, batch, backend());
        for (int step = 0; step < steps; step++)
        {
            // Pixel-like inputs in [0, 1].
            float[] input = GpuChecks.Data(batch * GpuLeNet5.InputSize, seed: step).Select(v => (v + 1f) / 2f).ToArray();
            int[] labels = Enumerable.Range(0, batch).Select(i => (i * 7 + step) % 10).ToArray();
            if (step == 0)
            {
                GpuChecks.AssertClose([cpu.Backward(input, labels)], [gpu.Backward(input, labels)], 1e-4f, "LeNet-5 first loss");
                gpu.CopyGradientsToHost();
                GpuChecks.AssertClose(cpu.Gradients.ToArray(), host.Gradients.ToArray(), 1e-4f, "LeNet-5 first gradients");
                cpu.Update();
                gpu.Update();
                continue;
            }

            GpuChecks.AssertClose([cpu.TrainStep(input, labels)], [gpu.TrainStep(input, labels)], 1e-3f, $"LeNet-5 loss at step {step + 1}");
        }

        gpu.CopyParametersToHost();
        GpuChecks.AssertClose(cpu.Parameters.ToArray(), host.Parameters.ToArray(), 5e-3f, $"LeNet-5 parameters after {steps} steps");
    }
}
