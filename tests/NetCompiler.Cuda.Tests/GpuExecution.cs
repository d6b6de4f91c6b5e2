namespace NetCompiler.Cuda.Tests;

/// <summary>
/// A generated network on the CPU next to its generated <c>Gpu</c> class, with the typed calls of both behind one
/// shape so the comparisons below run for every test network. <c>Host</c> is the CPU network the Gpu copy was created
/// from (its parameters receive the device's on download); <c>Cpu</c> is an identical network trained on the CPU.
/// </summary>
internal sealed class GpuPair : IDisposable
{
    public required INetwork Cpu { get; init; }
    public required INetwork Host { get; init; }
    public required GpuNetwork Gpu { get; init; }
    public required Action<float[], float[]> GpuForward { get; init; }
    public Func<INetwork, float[], float[], int[], float>? CpuBackward { get; init; }
    public Func<float[], float[], int[], float>? GpuBackward { get; init; }
    public Func<INetwork, float[], float[], int[], float>? CpuTrainStep { get; init; }
    public Func<float[], float[], int[], float>? GpuTrainStep { get; init; }
    public required Action CopyParametersToHost { get; init; }
    public Action? CopyGradientsToHost { get; init; }
    public bool UsesLabels { get; init; }

    public void Dispose() => Gpu.Dispose();

    public static readonly string[] Names = ["GpuClassifier", "GpuRegressor", "GpuBinary", "GpuPerceptron", "GpuSoftmaxHead", "GpuForwardOnly", "GpuLeNet", "GpuStridedConv"];

    public static GpuPair Create(string name, int capacity, IGpuBackend backend)
    {
        switch (name)
        {
            case "GpuClassifier":
            {
                var host = new GpuClassifier(capacity);
                var gpu = new GpuClassifier.Gpu(host, capacity, backend);
                return new GpuPair
                {
                    Cpu = new GpuClassifier(capacity), Host = host, Gpu = gpu, UsesLabels = true,
                    GpuForward = (x, y) => gpu.Forward(x, y),
                    CpuBackward = (n, x, t, l) => ((GpuClassifier)n).Backward(x, l), GpuBackward = (x, t, l) => gpu.Backward(x, l),
                    CpuTrainStep = (n, x, t, l) => ((GpuClassifier)n).TrainStep(x, l), GpuTrainStep = (x, t, l) => gpu.TrainStep(x, l),
                    CopyParametersToHost = gpu.CopyParametersToHost, CopyGradientsToHost = gpu.CopyGradientsToHost,
                };
            }

            case "GpuRegressor":
            {
                var host = new GpuRegressor(capacity);
                var gpu = new GpuRegressor.Gpu(host, capacity, backend);
                return new GpuPair
                {
                    Cpu = new GpuRegressor(capacity), Host = host, Gpu = gpu,
                    GpuForward = (x, y) => gpu.Forward(x, y),
                    CpuBackward = (n, x, t, l) => ((GpuRegressor)n).Backward(x, t), GpuBackward = (x, t, l) => gpu.Backward(x, t),
                    CpuTrainStep = (n, x, t, l) => ((GpuRegressor)n).TrainStep(x, t), GpuTrainStep = (x, t, l) => gpu.TrainStep(x, t),
                    CopyParametersToHost = gpu.CopyParametersToHost, CopyGradientsToHost = gpu.CopyGradientsToHost,
                };
            }

            case "GpuBinary":
            {
                var host = new GpuBinary(capacity);
                var gpu = new GpuBinary.Gpu(host, capacity, backend);
                return new GpuPair
                {
                    Cpu = new GpuBinary(capacity), Host = host, Gpu = gpu,
                    GpuForward = (x, y) => gpu.Forward(x, y),
                    CpuBackward = (n, x, t, l) => ((GpuBinary)n).Backward(x, t), GpuBackward = (x, t, l) => gpu.Backward(x, t),
                    CpuTrainStep = (n, x, t, l) => ((GpuBinary)n).TrainStep(x, t), GpuTrainStep = (x, t, l) => gpu.TrainStep(x, t),
                    CopyParametersToHost = gpu.CopyParametersToHost, CopyGradientsToHost = gpu.CopyGradientsToHost,
                };
            }

            case "GpuPerceptron":
            {
                var host = new GpuPerceptron(capacity);
                var gpu = new GpuPerceptron.Gpu(host, capacity, backend);
                return new GpuPair
                {
                    Cpu = new GpuPerceptron(capacity), Host = host, Gpu = gpu,
                    GpuForward = (x, y) => gpu.Forward(x, y),
                    CpuBackward = (n, x, t, l) => ((GpuPerceptron)n).Backward(x, t), GpuBackward = (x, t, l) => gpu.Backward(x, t),
                    CpuTrainStep = (n, x, t, l) => ((GpuPerceptron)n).TrainStep(x, t), GpuTrainStep = (x, t, l) => gpu.TrainStep(x, t),
                    CopyParametersToHost = gpu.CopyParametersToHost, CopyGradientsToHost = gpu.CopyGradientsToHost,
                };
            }

            case "GpuSoftmaxHead":
            {
                var host = new GpuSoftmaxHead(capacity);
                var gpu = new GpuSoftmaxHead.Gpu(host, capacity, backend);
                return new GpuPair
                {
                    Cpu = new GpuSoftmaxHead(capacity), Host = host, Gpu = gpu,
                    GpuForward = (x, y) => gpu.Forward(x, y),
                    CpuBackward = (n, x, t, l) => ((GpuSoftmaxHead)n).Backward(x, t), GpuBackward = (x, t, l) => gpu.Backward(x, t),
                    CpuTrainStep = (n, x, t, l) => ((GpuSoftmaxHead)n).TrainStep(x, t), GpuTrainStep = (x, t, l) => gpu.TrainStep(x, t),
                    CopyParametersToHost = gpu.CopyParametersToHost, CopyGradientsToHost = gpu.CopyGradientsToHost,
                };
            }

            case "GpuForwardOnly":
            {
                var host = new GpuForwardOnly(capacity);
                var gpu = new GpuForwardOnly.Gpu(host, capacity, backend);
                return new GpuPair
                {
                    Cpu = new GpuForwardOnly(capacity), Host = host, Gpu = gpu,
                    GpuForward = (x, y) => gpu.Forward(x, y),
                    CopyParametersToHost = gpu.CopyParametersToHost,
                };
            }

            case "GpuLeNet":
            {
                var host = new GpuLeNet(capacity);
                var gpu = new GpuLeNet.Gpu(host, capacity, backend);
                return new GpuPair
                {
                    Cpu = new GpuLeNet(capacity), Host = host, Gpu = gpu, UsesLabels = true,
                    GpuForward = (x, y) => gpu.Forward(x, y),
                    CpuBackward = (n, x, t, l) => ((GpuLeNet)n).Backward(x, l), GpuBackward = (x, t, l) => gpu.Backward(x, l),
                    CpuTrainStep = (n, x, t, l) => ((GpuLeNet)n).TrainStep(x, l), GpuTrainStep = (x, t, l) => gpu.TrainStep(x, l),
                    CopyParametersToHost = gpu.CopyParametersToHost, CopyGradientsToHost = gpu.CopyGradientsToHost,
                };
            }

            case "GpuStridedConv":
            {
                var host = new GpuStridedConv(capacity);
                var gpu = new GpuStridedConv.Gpu(host, capacity, backend);
                return new GpuPair
                {
                    Cpu = new GpuStridedConv(capacity), Host = host, Gpu = gpu,
                    GpuForward = (x, y) => gpu.Forward(x, y),
                    CpuBackward = (n, x, t, l) => ((GpuStridedConv)n).Backward(x, t), GpuBackward = (x, t, l) => gpu.Backward(x, t),
                    CpuTrainStep = (n, x, t, l) => ((GpuStridedConv)n).TrainStep(x, t), GpuTrainStep = (x, t, l) => gpu.TrainStep(x, t),
                    CopyParametersToHost = gpu.CopyParametersToHost, CopyGradientsToHost = gpu.CopyGradientsToHost,
                };
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown network.");
        }
    }
}

/// <summary>A CPU-vs-GPU comparison failed. (No xunit types here: the GPU check console program links this file.)</summary>
internal sealed class GpuCheckException(string message) : Exception(message);

/// <summary>The CPU-vs-GPU comparisons, for any backend: the emulator everywhere, the driver where there is a GPU.</summary>
internal static class GpuChecks
{
    public static void ForwardMatches(string name, Func<IGpuBackend> backend)
    {
        const int Capacity = 9;
        using GpuPair pair = GpuPair.Create(name, Capacity, backend());
        foreach (int batch in new[] { Capacity, 1, 4 })
        {
            float[] input = Data(batch * pair.Cpu.InputSize, seed: batch);
            var expected = new float[batch * pair.Cpu.OutputSize];
            var actual = Enumerable.Repeat(float.NaN, expected.Length).ToArray();
            pair.Cpu.Forward(input, expected);
            pair.GpuForward(input, actual);
            AssertClose(expected, actual, 1e-5f, $"{name} forward output, batch {batch}");
        }
    }

    public static void GradientsMatch(string name, Func<IGpuBackend> backend)
    {
        const int Batch = 7;
        using GpuPair pair = GpuPair.Create(name, Batch, backend());
        (float[] input, float[] targets, int[] labels) = Batch3(pair, Batch, seed: 11);
        float expected = pair.CpuBackward!(pair.Cpu, input, targets, labels);
        float actual = pair.GpuBackward!(input, targets, labels);
        AssertClose([expected], [actual], 1e-5f, $"{name} loss");
        pair.Host.Gradients.Fill(float.NaN);
        pair.CopyGradientsToHost!();
        AssertClose(pair.Cpu.Gradients.ToArray(), pair.Host.Gradients.ToArray(), 1e-4f, $"{name} gradients");
    }

    public static void TrainingMatches(string name, Func<IGpuBackend> backend, int steps = 10)
    {
        const int Batch = 8;
        using GpuPair pair = GpuPair.Create(name, Batch, backend());
        for (int step = 0; step < steps; step++)
        {
            (float[] input, float[] targets, int[] labels) = Batch3(pair, step % 2 == 0 ? Batch : 5, seed: 100 + step);
            float expected = pair.CpuTrainStep!(pair.Cpu, input, targets, labels);
            float actual = pair.GpuTrainStep!(input, targets, labels);
            AssertClose([expected], [actual], 1e-4f, $"{name} loss at step {step + 1}");
        }

        if (pair.Gpu.Step != steps)
        {
            throw new GpuCheckException($"{name}: the device counted {pair.Gpu.Step} steps, expected {steps}.");
        }
        pair.CopyParametersToHost();
        AssertClose(pair.Cpu.Parameters.ToArray(), pair.Host.Parameters.ToArray(), 1e-3f, $"{name} parameters after {steps} steps");
    }

    public static (float[] Input, float[] Targets, int[] Labels) Batch3(GpuPair pair, int batch, int seed)
    {
        float[] input = Data(batch * pair.Cpu.InputSize, seed);
        var random = new Random(seed + 1);
        int[] labels = Enumerable.Range(0, batch).Select(_ => random.Next(pair.Cpu.OutputSize)).ToArray();
        // Targets in [0, 1] suit every loss: MSE, BCE probabilities and the perceptron's 0/1 classes.
        float[] targets = Enumerable.Range(0, batch * pair.Cpu.OutputSize).Select(_ => random.Next(2) == 0 ? 0f : 1f).ToArray();
        return (input, targets, labels);
    }

    public static float[] Data(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>Elementwise |a - e| &lt;= tolerance * max(1, |e|); names the first element that is off.</summary>
    public static void AssertClose(float[] expected, float[] actual, float tolerance, string what)
    {
        if (expected.Length != actual.Length)
        {
            throw new GpuCheckException($"{what}: {actual.Length} values on the GPU, {expected.Length} on the CPU.");
        }

        for (int i = 0; i < expected.Length; i++)
        {
            float allowed = tolerance * Math.Max(1f, Math.Abs(expected[i]));
            if (!(Math.Abs(actual[i] - expected[i]) <= allowed))
            {
                throw new GpuCheckException($"{what}: element {i} is {actual[i]:R} on the GPU, {expected[i]:R} on the CPU (tolerance {allowed:R}).");
            }
        }
    }
}
