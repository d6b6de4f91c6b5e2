// The GPU check: CPU-vs-GPU comparisons of the generated networks (the xunit GPU tests' checks), one epoch each of
// the MNIST MLP and LeNet-5 trained on the GPU, and TrainStep timings CPU vs GPU. Prints PASS/FAIL lines; exits 1 on
// any FAIL, including when no CUDA device is available.
using System.Diagnostics;
using System.Globalization;
using NetCompiler.Cuda;
using NetCompiler.Cuda.Tests;
using NetCompiler.Data;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string data = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "data");
int failures = 0;

void Check(string name, Action check)
{
    var clock = Stopwatch.StartNew();
    try
    {
        check();
        Console.WriteLine($"PASS {name} ({clock.Elapsed.TotalMilliseconds:F0} ms)");
    }
    catch (Exception e)
    {
        failures++;
        Console.WriteLine($"FAIL {name}: {e.GetType().Name}: {e.Message}");
    }
}

if (!CudaDevice.IsAvailable)
{
    Console.WriteLine($"FAIL device: {CudaDevice.UnavailableReason}");
    return 1;
}

Console.WriteLine($"device: {CudaDevice.GetName(0)} ({CudaDevice.Count} visible)");
foreach (string name in GpuPair.Names)
{
    Check($"{name} forward matches CPU", () => GpuChecks.ForwardMatches(name, () => new CudaBackend()));
    if (name == "GpuForwardOnly") continue;
    Check($"{name} loss and gradients match CPU", () => GpuChecks.GradientsMatch(name, () => new CudaBackend()));
    Check($"{name} 10 training steps match CPU", () => GpuChecks.TrainingMatches(name, () => new CudaBackend()));
}

Check("MNIST MLP 10 training steps (batch 64) match CPU", () =>
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
});

Check("MNIST MLP: one epoch on the GPU reaches 85% test accuracy", () =>
{
    const int BatchSize = 32;
    var (train, test) = Mnist.Load(data);
    var host = new GpuMnistMlp(BatchSize);
    using var gpu = host.CreateGpu(256);
    var batches = new MiniBatches(train, BatchSize, seed: 1);
    batches.BeginEpoch(0);
    var clock = Stopwatch.StartNew();
    double lossSum = 0;
    int steps = 0;
    while (batches.MoveNext())
    {
        lossSum += gpu.TrainStep(batches.Features, batches.Labels);
        steps++;
    }

    double seconds = clock.Elapsed.TotalSeconds;
    int correct = 0;
    var output = new float[256 * GpuMnistMlp.OutputSize];
    for (int start = 0; start < test.Count; start += 256)
    {
        int count = Math.Min(256, test.Count - start);
        gpu.Forward(test.Features.AsSpan(start * test.SampleSize, count * test.SampleSize), output.AsSpan(0, count * GpuMnistMlp.OutputSize));
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> row = output.AsSpan(i * GpuMnistMlp.OutputSize, GpuMnistMlp.OutputSize);
            int best = 0;
            for (int c = 1; c < row.Length; c++) if (row[c] > row[best]) best = c;
            if (best == test.Labels[start + i]) correct++;
        }
    }

    double accuracy = (double)correct / test.Count;
    Console.WriteLine($"mnist: {train.Count} training images, {steps} steps of {BatchSize} in {seconds:F2} s, mean loss {lossSum / steps:F4}, test accuracy {accuracy:F4}");
    if (accuracy < 0.85) throw new InvalidOperationException($"Test accuracy {accuracy:F4} is below 0.85 after one epoch.");
});

Check("LeNet-5 10 training steps (batch 32) match CPU", () => LeNet5Checks.TrainingMatches(() => new CudaBackend(), batch: 32, steps: 10));

Check("LeNet-5: one epoch on the GPU reaches 90% test accuracy", () =>
{
    const int BatchSize = 32;
    var (train, test) = Mnist.Load(data);
    var host = new GpuLeNet5(BatchSize);
    using var gpu = host.CreateGpu(256);
    var batches = new MiniBatches(train, BatchSize, seed: 1);
    batches.BeginEpoch(0);
    var clock = Stopwatch.StartNew();
    double lossSum = 0;
    int steps = 0;
    while (batches.MoveNext())
    {
        lossSum += gpu.TrainStep(batches.Features, batches.Labels);
        steps++;
    }

    double seconds = clock.Elapsed.TotalSeconds;
    gpu.Mode = NetCompiler.NetworkMode.Inference;
    int correct = 0;
    var output = new float[256 * GpuLeNet5.OutputSize];
    for (int start = 0; start < test.Count; start += 256)
    {
        int count = Math.Min(256, test.Count - start);
        gpu.Forward(test.Features.AsSpan(start * test.SampleSize, count * test.SampleSize), output.AsSpan(0, count * GpuLeNet5.OutputSize));
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> row = output.AsSpan(i * GpuLeNet5.OutputSize, GpuLeNet5.OutputSize);
            int best = 0;
            for (int c = 1; c < row.Length; c++) if (row[c] > row[best]) best = c;
            if (best == test.Labels[start + i]) correct++;
        }
    }

    double accuracy = (double)correct / test.Count;
    Console.WriteLine($"lenet5: {train.Count} training images, {steps} steps of {BatchSize} in {seconds:F2} s, mean loss {lossSum / steps:F4}, test accuracy {accuracy:F4}");
    if (accuracy < 0.90) throw new InvalidOperationException($"Test accuracy {accuracy:F4} is below 0.90 after one epoch.");
});

foreach (int batch in new[] { 32, 128 })
{
    Check($"LeNet-5 TrainStep timing at batch {batch}", () =>
    {
        float[] input = GpuChecks.Data(batch * GpuLeNet5.InputSize, seed: batch);
        int[] labels = Enumerable.Range(0, batch).Select(i => i % 10).ToArray();
        var cpu = new GpuLeNet5(batch);
        using var gpu = new GpuLeNet5(batch).CreateGpu(batch);
        double cpuMs = Time(() => cpu.TrainStep(input, labels));
        double gpuMs = Time(() => gpu.TrainStep(input, labels));
        Console.WriteLine($"timing: LeNet5 TrainStep, batch {batch}: CPU {cpuMs:F3} ms, GPU {gpuMs:F3} ms (includes the input copy and the loss read-back), CPU/GPU {cpuMs / gpuMs:F2}x");
    });
}

foreach (int batch in new[] { 32, 256 })
{
    Check($"TrainStep timing at batch {batch}", () =>
    {
        float[] input = GpuChecks.Data(batch * GpuMnistMlp.InputSize, seed: batch);
        int[] labels = Enumerable.Range(0, batch).Select(i => i % 10).ToArray();
        var cpu = new GpuMnistMlp(batch);
        using var gpu = new GpuMnistMlp(batch).CreateGpu(batch);
        double cpuMs = Time(() => cpu.TrainStep(input, labels));
        double gpuMs = Time(() => gpu.TrainStep(input, labels));
        Console.WriteLine($"timing: MnistMlp TrainStep, batch {batch}: CPU {cpuMs:F3} ms, GPU {gpuMs:F3} ms (includes the input copy and the loss read-back), CPU/GPU {cpuMs / gpuMs:F2}x");
    });
}

Console.WriteLine(failures == 0 ? "gpu-check: all checks passed" : $"gpu-check: {failures} check(s) failed");
return failures == 0 ? 0 : 1;

// Mean milliseconds per call over 50 calls after 5 warm-up calls.
static double Time(Func<float> step)
{
    for (int i = 0; i < 5; i++) step();
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < 50; i++) step();
    return clock.Elapsed.TotalMilliseconds / 50;
}
